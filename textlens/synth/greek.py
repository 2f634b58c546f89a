"""Polytonic Greek text for synthetic lines: real word frequencies, classical spelling.

wordfreq's Greek is modern (monotonic: one accent, no breathings). Classical texts and the
commentaries on them are polytonic, so each word is respelt: the accent becomes acute, grave
(a final acute before another word) or circumflex (on a long vowel or diphthong), a word that
starts with a vowel or rho takes a smooth or rough breathing, and dative endings may carry an
iota subscript. The spelling is plausible, not philologically right; what the recognizer needs
is every mark on every letter, in the proportions print has.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np

ACUTE, GRAVE, CIRCUMFLEX = "\u0301", "\u0300", "\u0342"
SMOOTH, ROUGH, IOTA_SUBSCRIPT, DIAERESIS = "\u0313", "\u0314", "\u0345", "\u0308"
VOWELS = set("αεηιουωΑΕΗΙΟΥΩ")
LONG = set("ηωΗΩ")  # circumflex sits on long vowels (and diphthongs, and long alpha/iota/upsilon)
DIPHTHONG_SECOND = set("ιυ")
ELISION = "ʼ"

# Frequent classical function words, so lines read like Greek prose and verse, not modern Greek.
_CLASSICAL = (
    "καὶ δὲ τὸ τῶν τὴν τοῦ ὁ ἡ οἱ αἱ τὰ τῆς τῷ τοῖς ταῖς μὲν γὰρ οὐ οὐκ οὐχ μὴ ἐν εἰς ἐκ ἐξ πρὸς ἐπὶ "
    "κατὰ διὰ μετὰ περὶ ὑπὸ παρὰ ἀπὸ ὡς ἀλλὰ ἀλλʼ δʼ τʼ γʼ οὖν ἄν ἂν εἰ ἐὰν ὅτι ὅπως ἵνα ἐστὶ ἐστὶν "
    "εἶναι ἦν ὅς ἥ ὅ οὗτος αὐτὸς αὐτοῦ αὐτῷ τίς τις πᾶς πάντα οὐδὲν μηδὲν ἔτι ἤδη νῦν ποτε ὧδε "
    "Αἴας Ἀθηνᾶ Ὀδυσσεύς Τέκμησσα Τεῦκρος Ἀτρεῖδαι Ζεὺς θεοὶ θεῶν ἀνὴρ ἀνδρὸς γυνὴ παῖς πατὴρ "
    "λόγος λόγον ἔργον θάνατος ψυχὴ πόλις βίος χρόνος ἡμέρα φίλος φίλοι ἐχθρὸς κακὸς καλὸς "
    "λέγει λέγω φησὶ ποιεῖν ὁρᾷς οἶδα ἔχει ἔχειν γίγνεται ἔστι δεῖ χρὴ ὦ ἰὼ φεῦ αἰαῖ"
).split()


def _is_greek(c: str) -> bool:
    return c.isalpha() and "GREEK" in unicodedata.name(c, "")


@lru_cache(maxsize=1)
def modern_words() -> tuple[str, ...]:
    """wordfreq's most frequent Greek words (letters only), or () without wordfreq."""
    try:
        from wordfreq import top_n_list
    except ImportError:
        return ()
    return tuple(w for w in top_n_list("el", 12000) if len(w) > 1 and all(_is_greek(c) for c in w))


def _syllable_nuclei(letters: list[str]) -> list[int]:
    """Index of the vowel that carries a syllable's accent (the second letter of a diphthong)."""
    nuclei = []
    i = 0
    while i < len(letters):
        if letters[i].lower() in "αεηιουω":
            j = i
            if i + 1 < len(letters) and letters[i + 1] in DIPHTHONG_SECOND and letters[i].lower() in "αεου":
                j = i + 1
            nuclei.append(j)
            i = j + 1
        else:
            i += 1
    return nuclei


def polytonic(word: str, rng: np.random.Generator, final_grave: bool = False) -> str:
    """``word`` (monotonic or bare) respelt with polytonic accent, breathing and iota subscript."""
    base = [c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)]
    if not base:
        return word
    marks: list[list[str]] = [[] for _ in base]
    nuclei = _syllable_nuclei(base)
    if nuclei:
        # The accent: one of the last three syllables, the last two far more often.
        choice = nuclei[-min(len(nuclei), int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15])))]
        diphthong = choice > 0 and base[choice] in DIPHTHONG_SECOND and base[choice - 1].lower() in "αεου"
        long = base[choice] in LONG or diphthong or (base[choice] in "αιυ" and rng.random() < 0.3)
        if choice == nuclei[-1] and final_grave:
            accent = GRAVE
        elif long and choice in nuclei[-2:] and rng.random() < 0.45:
            accent = CIRCUMFLEX
        else:
            accent = ACUTE
        marks[choice].append(accent)
        # The breathing goes on the first vowel (the second of an initial diphthong), or on rho.
        if base[0].lower() == "ρ":
            marks[0].append(ROUGH)
        elif base[0] in VOWELS:
            at = nuclei[0]
            rough = base[0].lower() == "υ" or rng.random() < 0.28
            marks[at].insert(0, ROUGH if rough else SMOOTH)
        if base[-1] in "αηω" and rng.random() < 0.12:
            marks[-1].append(IOTA_SUBSCRIPT)
    out = "".join(letter + "".join(m) for letter, m in zip(base, marks))
    out = unicodedata.normalize("NFC", out)
    return out[:-1] + "ς" if out.endswith("σ") else out


def greek_phrase(rng: np.random.Generator, words: int) -> str:
    """``words`` polytonic Greek words: classical function words and respelt frequent words,
    a final acute written grave before the next word, with elision and Greek punctuation."""
    pool = modern_words()
    out = []
    for i in range(words):
        last = i == words - 1
        if not pool or rng.random() < 0.35:
            word = _CLASSICAL[int(rng.integers(len(_CLASSICAL)))]
        else:
            word = polytonic(pool[int(rng.integers(len(pool)))], rng, final_grave=not last and rng.random() < 0.8)
        if rng.random() < 0.08:
            word = word[:1].upper() + word[1:]
        out.append(word)
        if not last and rng.random() < 0.1:
            out[-1] += str(rng.choice([",", "·", ",", "."]))
    text = " ".join(out)
    if rng.random() < 0.3:
        text += str(rng.choice([".", ",", "·", ";", ":"]))
    return unicodedata.normalize("NFC", text)
