"""Text for synthetic lines: words, names, addresses, dates, prices, codes and receipt lines.

``sample_text(rng)`` picks a source by weight and returns one normalised line. Word lists
and Faker instances are built once per process on first use; sampling is then a few
microseconds to ~0.1 ms. Everything is deterministic given the numpy ``rng`` (Faker is
re-seeded from it on each call).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from textlens.recognition.charset import DEFAULT_CHARS, SCRIPT_CHARS, normalize_text

_OTHER_LANGS = ("fr", "de", "es", "it", "pt", "nl", "ms")
# Languages whose lines "foreign" draws (their letters are in DEFAULT_CHARS): Western and Central
# Europe and the Nordics.
_LINE_LANGS = ("fr", "de", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "is", "pl", "cs", "sk", "hu")
_FAKER_LOCALES = ("en_US", "en_GB", "en_IN", "en_AU", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_PT", "nl_NL")

_CURRENCIES = ("RM", "RM", "RM", "$", "$", "€", "£", "USD", "EUR", "SGD", "S$", "MYR", "¥", "Rp", "INR", "CHF")
_UNITS = ("KG", "kg", "G", "g", "L", "ml", "ML", "PCS", "pcs", "PC", "EA", "x", "X", "BOX", "PKT", "UNIT", "m", "cm")
_RECEIPT_WORDS = (
    "TOTAL",
    "SUBTOTAL",
    "SUB TOTAL",
    "GRAND TOTAL",
    "TOTAL AMOUNT",
    "NET TOTAL",
    "CASH",
    "CHANGE",
    "ROUNDING",
    "ROUNDING ADJ",
    "ROUNDING ADJUSTMENT",
    "GST",
    "SST",
    "VAT",
    "TAX",
    "SERVICE CHARGE",
    "DISCOUNT",
    "QTY",
    "PRICE",
    "AMOUNT",
    "AMT",
    "ITEM",
    "DESCRIPTION",
    "UNIT PRICE",
    "TENDERED",
    "PAID",
    "BALANCE",
    "DEPOSIT",
    "CREDIT CARD",
    "VISA",
    "MASTER",
    "DEBIT",
    "TOTAL QTY",
    "TOTAL ITEMS",
    "TOTAL INCL. GST",
    "TOTAL EXCL. GST",
    "NETT",
    "INVOICE",
    "TAX INVOICE",
    "SIMPLIFIED TAX INVOICE",
    "RECEIPT",
    "OFFICIAL RECEIPT",
    "CASH BILL",
    "BILL NO",
    "INVOICE NO",
    "RECEIPT NO",
    "DOC NO",
    "CASHIER",
    "SALESPERSON",
    "TABLE",
    "COUNTER",
    "POS",
    "TERMINAL",
    "MEMBER",
    "POINTS",
    "DATE",
    "TIME",
)
_RECEIPT_FOOTERS = (
    "THANK YOU",
    "THANK YOU. PLEASE COME AGAIN.",
    "GOODS SOLD ARE NOT RETURNABLE",
    "GOODS SOLD ARE NOT REFUNDABLE",
    "PLEASE KEEP THIS RECEIPT",
    "THANK YOU FOR SHOPPING WITH US",
    "*** CUSTOMER COPY ***",
    "** THANK YOU **",
    "PRICE INCLUSIVE OF GST",
    "E. & O.E.",
    "HAVE A NICE DAY",
    "POWERED BY",
    "NO EXCHANGE NO REFUND",
    "SERVED BY",
    "WELCOME",
    "--- END OF RECEIPT ---",
)
_COMPANY_SUFFIX = (
    "SDN BHD",
    "SDN. BHD.",
    "ENTERPRISE",
    "TRADING",
    "LTD",
    "LIMITED",
    "INC",
    "GMBH",
    "S.A.",
    "PLC",
    "CO.",
    "& CO",
    "CORP",
    "LLC",
    "RESTAURANT",
    "HARDWARE",
    "MART",
    "STORE",
    "BOOK STORE",
)
_PUNCT_RUNS = ("...", "--", "**", "==", "##", "//", "::", "..", "!!", "??", "()", "[]", "<>", "__", "~~", "++")


@lru_cache(maxsize=1)
def _word_lists() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(common English, all English, other-language words); alphabetic-ish words only."""
    try:
        from wordfreq import top_n_list
    except ImportError:  # train extra missing: a tiny built-in list keeps rendering working
        words = tuple("the of and to in is for on with as by at from this that be are was it an or".split())
        return words, words, words

    def clean(ws: list[str]) -> tuple[str, ...]:
        return tuple(w for w in ws if w and all(c in DEFAULT_CHARS for c in w) and not w.isspace())

    english = clean(top_n_list("en", 40000))
    others: list[str] = []
    for lang in _OTHER_LANGS:
        try:
            others.extend(top_n_list(lang, 6000))
        except (LookupError, ValueError):
            continue
    return english[:3000], english, clean(others) or english


@lru_cache(maxsize=len(_FAKER_LOCALES))
def _faker_for(locale: str):
    from faker import Faker

    return Faker(locale)


def _faker(rng: np.random.Generator):
    """A Faker (English locales more often), re-seeded from ``rng``; None without Faker."""
    try:
        import faker  # noqa: F401
    except ImportError:
        return None
    idx = int(rng.integers(0, 4)) if rng.random() < 0.6 else int(rng.integers(0, len(_FAKER_LOCALES)))
    fake = _faker_for(_FAKER_LOCALES[idx])
    fake.seed_instance(int(rng.integers(0, 2**31 - 1)))
    return fake


def _pick(rng: np.random.Generator, seq) -> str:
    return seq[int(rng.integers(0, len(seq)))]


def _case(rng: np.random.Generator, text: str, upper_p: float = 0.2) -> str:
    r = rng.random()
    if r < upper_p:
        return text.upper()
    if r < upper_p + 0.2:
        return text.title()
    if r < upper_p + 0.3:
        return text[:1].upper() + text[1:]
    return text


# --- sources -------------------------------------------------------------------------------


def words(rng: np.random.Generator) -> str:
    common, english, others = _word_lists()
    n = int(rng.integers(1, 9))
    out = []
    for _ in range(n):
        r = rng.random()
        pool = common if r < 0.45 else english if r < 0.85 else others
        out.append(_pick(rng, pool))
    return _case(rng, " ".join(out))


@lru_cache(maxsize=1)
def _language_words() -> dict[str, tuple[str, ...]]:
    """Each of ``_LINE_LANGS``' 5000 most frequent words that fit DEFAULT_CHARS (empty without wordfreq)."""
    return frequent_words(_LINE_LANGS, 5000, set(DEFAULT_CHARS))


def frequent_words(languages, count: int, letters: set[str]) -> dict[str, tuple[str, ...]]:
    """Each language's ``count`` most frequent words (wordfreq) made of ``letters`` only; {} without wordfreq."""
    try:
        from wordfreq import top_n_list
    except ImportError:
        return {}
    found = {}
    for lang in dict.fromkeys(languages):
        try:
            ws = tuple(w for w in top_n_list(lang, count) if w.isalpha() and all(c in letters for c in w))
        except (LookupError, ValueError):
            continue
        if ws:
            found[lang] = ws
    return found


def _with_eszett(rng: np.random.Generator, language: str, ws: list[str]) -> list[str]:
    """German words with some of their ß back: wordfreq case-folds ß to ss ("straße" -> "strasse")."""
    if language != "de":
        return ws
    return [w.replace("ss", "ß") if rng.random() < 0.4 else w for w in ws]


def foreign(rng: np.random.Generator) -> str:
    """A line in one language other than English, words by frequency: its accented letters
    (å, æ, ø, ä, ö, ü, ß, é, ç, ñ, ã...) in their usual company, sometimes capitalised."""
    languages = _language_words()
    if not languages:
        return sentence(rng)
    language = _pick(rng, sorted(languages))
    pool = languages[language]
    ranks = np.minimum(rng.zipf(1.2, int(rng.integers(2, 10))), len(pool)) - 1
    ws = [pool[int(r)] if rng.random() < 0.3 else _pick(rng, pool) for r in ranks]  # rare letters too
    ws = [w.capitalize() if rng.random() < 0.15 else w for w in ws]
    ws = _with_eszett(rng, language, ws)
    text = " ".join(ws)
    return _case(rng, text[:1].upper() + text[1:] if rng.random() < 0.5 else text, upper_p=0.08)


@lru_cache(maxsize=1)
def _accented_words() -> dict[str, tuple[str, ...]]:
    """Each of ``_LINE_LANGS``' words among its 30,000 most frequent that hold a letter beyond ASCII."""
    found = frequent_words(_LINE_LANGS, 30000, set(DEFAULT_CHARS))
    return {lang: rare for lang, ws in found.items() if (rare := tuple(w for w in ws if not w.isascii()))}


def accented(rng: np.random.Generator) -> str:
    """A line in one language other than English dense in its accented letters: most words hold
    one (ç, œ, ÿ, ê, ł, ě, ő, ø... from the 30,000 most frequent, so the rare letters come often),
    capitalised or in capitals more often than in ``foreign`` (É, Ç, Ö, Ł)."""
    accented_words = _accented_words()
    if not accented_words:
        return foreign(rng)
    language = _pick(rng, sorted(accented_words))
    common, rare = _language_words().get(language, ()), accented_words[language]
    ws = [
        _pick(rng, rare) if rng.random() < 0.6 or not common else _pick(rng, common) for _ in range(rng.integers(2, 9))
    ]
    ws = [w.capitalize() if rng.random() < 0.2 else w for w in ws]
    ws = _with_eszett(rng, language, ws)
    text = " ".join(ws)
    return _case(rng, text[:1].upper() + text[1:] if rng.random() < 0.5 else text, upper_p=0.15)


def sentence(rng: np.random.Generator) -> str:
    common, english, others = _word_lists()
    pool = others if rng.random() < 0.15 else english
    n = int(rng.integers(3, 12))
    ws = [_pick(rng, common if rng.random() < 0.5 else pool) for _ in range(n)]
    for i in range(len(ws) - 1):
        if rng.random() < 0.12:
            ws[i] += _pick(rng, ",,,;:")
    if rng.random() < 0.1:
        i = int(rng.integers(0, len(ws)))
        ws[i] = _pick(rng, ['"{}"', "({})", "'{}'", "[{}]", "“{}”", "‘{}’", "«{}»"]).format(ws[i])
    if rng.random() < 0.1:
        ws.insert(int(rng.integers(1, len(ws) + 1)), _pick(rng, ["-", "–", "—", "&", "/", "+", "•"]))
    text = " ".join(ws)
    text = text[:1].upper() + text[1:]
    return text + _pick(rng, [".", ".", ".", "", "", "?", "!", ":", ";", "...", "…"])


_CONTRACTIONS = ("n’t", "’s", "’re", "’ll", "’ve", "’d", "’m")
_QUOTES = (
    ("“", "”"),
    ("“", "”"),
    ("‘", "’"),
    ("« ", " »"),
    ("«", "»"),
    ("»", "«"),
    ('"', '"'),
    ("„", "“"),
    ("‚", "‘"),
    ("‹", "›"),
)
_LATEX_COMMANDS = (
    "usepackage", "begin", "end", "section", "emph", "textbf", "cite", "ref", "label", "documentclass",
    "newcommand", "maketitle", "item", "includegraphics", "footnote", "author", "title", "url",
)  # fmt: skip


_TEX_NAMES = (
    "TeX", "LaTeX", "LaTeX", "LaTeX", "LaTeX", "BibTeX", "XeTeX", "LuaTeX", "pdfTeX", "REVTeX", "LaTeX3",
    "XeLaTeX", "LuaLaTeX", "pdfLaTeX", "AMS-LaTeX", "ConTeXt", "TeX Live", "MiKTeX", "LaTeX2e",
)  # fmt: skip


def typeset(rng: np.random.Generator) -> str:
    """A line of typeset prose as books, papers and manuals print it: typographic apostrophes
    (don’t, world’s, l’année) and quotes, dashes in ranges (1986–1996) and asides (—), a word
    hyphenated at the line's end (coopera-), and now and then markup set in the text
    (\\usepackage[english]{babel}, \\emph{...}), a TeX-family name (LaTeX, BibTeX), a product sign
    (3 × 4) or a list item's bullet."""
    common, english, _ = _word_lists()
    ws = [_pick(rng, common if rng.random() < 0.55 else english) for _ in range(int(rng.integers(3, 11)))]
    for i, w in enumerate(ws):
        r = rng.random()
        if r < 0.08 and w.isalpha():
            ws[i] = w + _pick(rng, _CONTRACTIONS)
        elif r < 0.1:
            ws[i] = _pick(rng, ("l’", "d’", "qu’", "j’", "c’", "n’", "s’")) + w
        elif r < 0.16:
            ws[i] += _pick(rng, (",", ",", ";", ":", ".", ")"))
    if rng.random() < 0.3:
        i = int(rng.integers(0, len(ws)))
        j = min(len(ws), i + int(rng.integers(1, 4)))
        left, right = _pick(rng, _QUOTES)
        ws[i] = left + ws[i]
        ws[j - 1] += right
    if rng.random() < 0.2:
        start = int(rng.integers(1, 2000))
        ws.insert(int(rng.integers(0, len(ws) + 1)), f"{start}–{start + int(rng.integers(1, 40))}")
    if rng.random() < 0.15:
        ws.insert(int(rng.integers(1, len(ws) + 1)), _pick(rng, ("—", "–", "…")))
    if rng.random() < 0.12:
        ws.insert(int(rng.integers(0, len(ws) + 1)), _latex(rng, english))
    if rng.random() < 0.15:  # the TeX family's names, which the renderer often draws as their logos
        name = _pick(rng, _TEX_NAMES) + _pick(rng, ("", "", "", "’s", ",", "."))
        ws.insert(int(rng.integers(0, len(ws) + 1)), name)
    if rng.random() < 0.08:  # a product or a size: 3 × 4, 1280×720
        a, b = int(rng.integers(1, 2000)), int(rng.integers(1, 2000))
        ws.insert(int(rng.integers(0, len(ws) + 1)), _pick(rng, (f"{a} × {b}", f"{a}×{b}", f"{a % 10} ×")))
    if rng.random() < 0.25 and len(ws[-1]) > 5 and ws[-1].isalpha():
        ws[-1] = ws[-1][: int(rng.integers(3, len(ws[-1]) - 1))] + "-"  # hyphenated at the line's end
    text = " ".join(ws)
    text = text[:1].upper() + text[1:] if rng.random() < 0.4 else text
    if rng.random() < 0.1:  # an item of a list set with bullets
        text = _pick(rng, ("• ", "• ", "• ", "– ", "* ")) + text
    return text


_SPOKEN = (
    "I'm", "I've", "I'll", "I'd", "don't", "doesn't", "didn't", "can't", "won't", "isn't", "aren't", "wasn't",
    "it's", "that's", "there's", "what's", "let's", "you're", "we're", "they're", "he's", "she's", "we'll",
    "you'll", "couldn't", "wouldn't", "shouldn't", "haven't", "o'clock", "ma'am", "y'all",
)  # fmt: skip
_OPENERS = ("No", "Yes", "Well", "Oh", "Okay", "Look", "Wait", "Hey", "Sorry", "Please", "Come on", "Listen", "Right")
_QUESTION_WORDS = ("What", "Where", "Why", "Who", "When", "How", "Which", "Whose")


def dialogue(rng: np.random.Generator) -> str:
    """A short spoken line as subtitles, comics and novels print it: a capitalised sentence or two,
    contractions with straight or typographic apostrophes (I'm, don’t), a closing . ? ! or …"""
    common, english, _ = _word_lists()
    sentences = []
    for _ in range(1 if rng.random() < 0.75 else 2):
        ws = [_pick(rng, common if rng.random() < 0.6 else english) for _ in range(int(rng.integers(1, 7)))]
        for i in range(len(ws)):
            if rng.random() < 0.2:
                ws[i] = _pick(rng, _SPOKEN)
        r = rng.random()
        if r < 0.25:
            ws.insert(0, _pick(rng, _QUESTION_WORDS))
            end = "?"
        else:
            end = _pick(rng, (".", ".", ".", ".", "!", "?", "...", "…", "?!"))
        if rng.random() < 0.2:
            ws.insert(0, _pick(rng, _OPENERS) + ",")
        text = " ".join(ws)
        sentences.append(text[:1].upper() + text[1:] + end)
    text = " ".join(sentences)
    if rng.random() < 0.4:
        text = text.replace("'", "’")
    if rng.random() < 0.15:
        text = "- " + text  # a speaker's turn
    return text


_COMMENTARY_REFS = (
    "vgl.",
    "cf.",
    "Schol.",
    "s. v.",
    "Il.",
    "Od.",
    "Ant.",
    "O. C.",
    "O. R.",
    "El.",
    "Phil.",
    "Trach.",
    "Eur.",
    "Aesch.",
    "Hom.",
    "Hdt.",
    "Thuc.",
    "Plat.",
    "z. B.",
    "u. a.",
    "d. h.",
    "sc.",
    "i. e.",
    "ib.",
    "a. a. O.",
)


def long_s(word: str) -> str:
    """German as printed before 1900: s inside a word is the long s (ſ), a final s is round."""
    return "".join("ſ" if c == "s" and i < len(word) - 1 and word[i + 1].isalpha() else c for i, c in enumerate(word))


def greek(rng: np.random.Generator) -> str:
    """A line of polytonic Greek (verse or prose), sometimes with its verse number."""
    from textlens.synth.greek import greek_phrase

    text = greek_phrase(rng, int(rng.integers(2, 9)))
    if rng.random() < 0.2:
        verse = int(rng.integers(1, 1500))
        text = f"{verse} {text}" if rng.random() < 0.5 else f"{text} {5 * (verse // 5 + 1)}"
    return text


def commentary(rng: np.random.Generator) -> str:
    """A line of a classical commentary: English, German or Latin prose that quotes Greek,
    lemmata with verse numbers, references to other works, the old long s and line-end hyphens."""
    from textlens.synth.greek import greek_phrase

    common, english, _ = _word_lists()
    german = _language_words().get("de", english)
    prose = english if rng.random() < 0.5 else german
    old_german = prose is german and rng.random() < 0.5
    parts = []
    if rng.random() < 0.3:
        parts.append(f"{int(rng.integers(1, 1500))}{_pick(rng, ['.', ' f.', ' ff.', '.', ''])}")
    for _ in range(int(rng.integers(2, 5))):
        r = rng.random()
        if r < 0.45:
            ws = [_pick(rng, prose if rng.random() < 0.7 else common) for _ in range(int(rng.integers(1, 6)))]
            ws = [long_s(w) for w in ws] if old_german else ws
            parts.append(" ".join(w.capitalize() if prose is german and rng.random() < 0.3 else w for w in ws))
        elif r < 0.85:
            quoted = greek_phrase(rng, int(rng.integers(1, 5)))
            parts.append(f"{quoted}]" if rng.random() < 0.15 else quoted)
        else:
            ref = f"{_pick(rng, _COMMENTARY_REFS)} {int(rng.integers(1, 1600))}"
            parts.append(ref + _pick(rng, ["", ".", ",", ";"]))
    text = " ".join(parts)
    if rng.random() < 0.15:
        text += _pick(rng, ["-", "⸗", "-"]) if old_german or rng.random() < 0.5 else "-"
    return text[:1].upper() + text[1:] if rng.random() < 0.5 else text


_CYRILLIC_LANGS = ("ru", "ru", "ru", "uk", "bg", "mk")


@lru_cache(maxsize=1)
def _cyrillic_words() -> dict[str, tuple[str, ...]]:
    found = frequent_words(sorted(set(_CYRILLIC_LANGS)), 20000, set(SCRIPT_CHARS["cyrillic"]) - set(DEFAULT_CHARS))
    return found or {"ru": ("и", "в", "не", "на", "что", "он", "как", "это", "по", "но", "из", "за")}


def cyrillic(rng: np.random.Generator, language: str | None = None) -> str:
    """A line in a Cyrillic-script language by word frequency (Russian most often, or ``language``):
    capitalised sentence starts and names, punctuation, numbers, «quotes», the numero sign and dashes."""
    languages = _cyrillic_words()
    pool = languages.get(language or _pick(rng, [lang for lang in _CYRILLIC_LANGS if lang in languages] or ["ru"]))
    pool = pool or next(iter(languages.values()))
    out = []
    for _ in range(int(rng.integers(2, 11))):
        rank = min(int(rng.zipf(1.25)), len(pool)) - 1 if rng.random() < 0.5 else int(rng.integers(len(pool)))
        word = pool[rank]
        out.append(word.capitalize() if rng.random() < 0.12 else word)
        r = rng.random()
        if r < 0.12:
            out[-1] += _pick(rng, [",", ",", ".", ":", ";", "!", "?"])
        elif r < 0.15:
            out.append(_pick(rng, ["—", "–", "-"]))
        elif r < 0.19:
            out.append(_pick(rng, [str(int(rng.integers(1, 2030))), f"№ {int(rng.integers(1, 999))}", amount(rng)]))
    text = " ".join(out)
    text = text[:1].upper() + text[1:] if rng.random() < 0.6 else text
    if rng.random() < 0.08:
        text = f"«{text}»"
    return _case(rng, text, upper_p=0.06)


_ARABIC_PREFIXES = ("و", "ف", "ب", "ل", "ك")  # wordfreq splits these off; print joins them to the next word
_HARAKAT = "\u064e\u064f\u0650\u0651\u0652\u064b\u064c\u064d"
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@lru_cache(maxsize=1)
def _arabic_words() -> tuple[str, ...]:
    try:
        from wordfreq import top_n_list
    except ImportError:
        return ("في", "من", "على", "أن", "إلى", "الله", "قال", "كان")
    arabic = set(SCRIPT_CHARS["arabic"]) - set(DEFAULT_CHARS)
    return tuple(w for w in top_n_list("ar", 20000) if all(c in arabic for c in w))


def arabic(rng: np.random.Generator) -> str:
    """A line of printed Arabic prose by word frequency: prefixes joined to their word, the Arabic
    comma and question mark, footnote numbers "(3)", years, quotes, and sometimes harakat (the
    recognizer learns to look past them: textlens.training.recognizer strips them from labels)."""
    pool = _arabic_words()
    out: list[str] = []
    for _ in range(int(rng.integers(3, 13))):
        rank = min(int(rng.zipf(1.3)), len(pool)) - 1 if rng.random() < 0.5 else int(rng.integers(len(pool)))
        word = pool[rank]
        if word in _ARABIC_PREFIXES or (rng.random() < 0.15 and len(word) > 2):
            word = (
                word + pool[int(rng.integers(len(pool)))]
                if word in _ARABIC_PREFIXES
                else _pick(rng, _ARABIC_PREFIXES) + word
            )
        if rng.random() < 0.12:
            word = "".join(c + (_pick(rng, _HARAKAT) if rng.random() < 0.5 else "") for c in word)
        out.append(word)
        r = rng.random()
        if r < 0.12:
            out[-1] += _pick(rng, ["،", "،", ".", ":", "؛", "؟"])
        elif r < 0.16:
            number = str(int(rng.integers(1, 30)))
            out.append(f"({number})" if rng.random() < 0.7 else f"({number.translate(_ARABIC_DIGITS)})")
        elif r < 0.18:
            year = str(int(rng.integers(1, 1450)))
            out.append(year.translate(_ARABIC_DIGITS) if rng.random() < 0.5 else year)
    text = " ".join(out)
    if rng.random() < 0.1:
        text = f"«{text}»"
    return text


def _latex(rng: np.random.Generator, pool: tuple[str, ...]) -> str:
    command = "\\" + _pick(rng, _LATEX_COMMANDS)
    if rng.random() < 0.3:
        command += "[" + ",".join(_pick(rng, pool) for _ in range(int(rng.integers(1, 3)))) + "]"
    return command + "{" + _pick(rng, pool) + "}" if rng.random() < 0.85 else command


def amount(rng: np.random.Generator) -> str:
    mag = rng.choice([10.0, 100.0, 1000.0, 100000.0], p=[0.35, 0.4, 0.2, 0.05])
    value = rng.uniform(0, mag)
    r = rng.random()
    if r < 0.75:
        s = f"{value:,.2f}" if rng.random() < 0.4 else f"{value:.2f}"
    elif r < 0.85:
        s = f"{value:,.2f}".replace(",", " ").replace(".", ",")  # European
    elif r < 0.92:
        s = f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    else:
        s = str(int(value))
    if rng.random() < 0.08:
        s = "-" + s if rng.random() < 0.7 else s + "-"
    return s


def price(rng: np.random.Generator) -> str:
    cur = _pick(rng, _CURRENCIES)
    s = amount(rng)
    r = rng.random()
    if r < 0.45:
        return f"{cur}{s}" if len(cur) == 1 and rng.random() < 0.7 else f"{cur} {s}"
    if r < 0.6:
        return f"{s} {cur}"
    return s


def date(rng: np.random.Generator) -> str:
    y, m, d = int(rng.integers(1980, 2031)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    full = (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    fmts = [
        f"{d:02d}/{m:02d}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{m:02d}/{d:02d}/{y % 100:02d}",
        f"{d}/{m}/{y}",
        f"{d:02d}/{m:02d}/{y % 100:02d}",
        f"{d:02d}-{months[m - 1]}-{y}",
        f"{d} {months[m - 1]} {y}",
        f"{months[m - 1]} {d}, {y}",
        f"{d:02d} {months[m - 1].upper()} {y}",
        f"{full[m - 1]} {d}, {y}",
        f"{d} {full[m - 1]} {y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{d:02d}{months[m - 1].upper()}{y % 100:02d}",
    ]
    return _pick(rng, fmts)


def time_(rng: np.random.Generator) -> str:
    h, mi, s = int(rng.integers(0, 24)), int(rng.integers(0, 60)), int(rng.integers(0, 60))
    fmts = [
        f"{h:02d}:{mi:02d}",
        f"{h:02d}:{mi:02d}:{s:02d}",
        f"{(h % 12) or 12}:{mi:02d} {'AM' if h < 12 else 'PM'}",
        f"{(h % 12) or 12}:{mi:02d}{'am' if h < 12 else 'pm'}",
        f"{h:02d}{mi:02d}H",
        f"{h}h{mi:02d}",
    ]
    return _pick(rng, fmts)


def datetime_(rng: np.random.Generator) -> str:
    parts = [date(rng), time_(rng)]
    if rng.random() < 0.3:
        parts.insert(0, _pick(rng, ["Date:", "DATE:", "Date", "DATE :", "Tarikh:", "Datum:"]))
    return " ".join(parts)


def code(rng: np.random.Generator) -> str:
    alnum = string.ascii_uppercase + string.digits
    upper, digits = string.ascii_uppercase, string.digits

    def chunk(lo: int, hi: int, pool: str = alnum) -> str:
        return "".join(_pick(rng, pool) for _ in range(int(rng.integers(lo, hi))))

    r = rng.random()
    if r < 0.2:
        s = f"{chunk(2, 5, upper)}{_pick(rng, ['-', '', '/', '#'])}{chunk(4, 10, digits)}"
    elif r < 0.35:
        s = "-".join(chunk(3, 6) for _ in range(int(rng.integers(2, 5))))
    elif r < 0.5:
        s = f"{chunk(2, 4, upper)}{int(rng.integers(2000, 2030))}/{chunk(3, 7, digits)}"
    elif r < 0.65:
        s = chunk(6, 16, digits)
    elif r < 0.8:
        s = chunk(4, 12)
    else:
        s = f"{chunk(1, 4, digits)}{_pick(rng, ['-', '/', '.'])}{chunk(2, 8)}"
    if rng.random() < 0.45:
        label = _pick(
            rng,
            [
                "INV",
                "Invoice No:",
                "INVOICE NO.",
                "Receipt #",
                "REF:",
                "Ref.",
                "No.",
                "NO:",
                "ID:",
                "Order #",
                "SO#",
                "PO No:",
                "Doc No :",
                "Bill No:",
                "GST REG NO:",
                "GST ID:",
                "ROC NO:",
                "CO. REG:",
                "TRX:",
                "Serial:",
                "Acc No.",
                "Tel:",
                "Fax:",
                "Cust ID",
                "Member:",
            ],
        )
        s = f"{label} {s}" if rng.random() < 0.9 else f"{label}{s}"
    return s


def item_name(rng: np.random.Generator) -> str:
    common, english, _ = _word_lists()
    n = int(rng.integers(1, 5))
    ws = [_pick(rng, english if rng.random() < 0.7 else common) for _ in range(n)]
    if rng.random() < 0.3:
        ws.insert(int(rng.integers(0, n + 1)), code(rng).split()[-1][: int(rng.integers(2, 7))])
    if rng.random() < 0.3:
        ws.append(f"{int(rng.integers(1, 1000))}{_pick(rng, _UNITS)}")
    return " ".join(ws)


def receipt_line(rng: np.random.Generator) -> str:
    r = rng.random()
    upper = rng.random() < 0.8

    def up(s: str) -> str:
        return s.upper() if upper else s

    if r < 0.3:  # item line
        qty = int(rng.integers(1, 13))
        form = int(rng.integers(0, 6))
        name = up(item_name(rng))
        if form == 0:
            return f"{qty} X {name} {amount(rng)}"
        if form == 1:
            return f"{name} {qty} {amount(rng)} {amount(rng)}"
        if form == 2:
            return f"{qty} x {amount(rng)} {amount(rng)}"
        if form == 3:
            return f"{name} {amount(rng)}{_pick(rng, ['', ' SR', ' ZR', ' S', ' T', ' *', ' Z'])}"
        if form == 4:
            return f"{qty}{_pick(rng, _UNITS)} @ {amount(rng)}"
        return name
    if r < 0.55:  # label : amount
        label = _pick(rng, _RECEIPT_WORDS)
        if "GST" in label or "SST" in label or "TAX" in label or rng.random() < 0.1:
            label = f"{label} {_pick(rng, ['6%', '10%', '@6%', '(6%)', '0%', '7%', '8%', '19%', '20%', '5%'])}"
        label = up(label) if rng.random() < 0.9 else label.title()
        sep = _pick(rng, [" ", ": ", " : ", ":", " = ", "  "])
        return f"{label}{sep}{price(rng)}"
    if r < 0.65:
        return up(_pick(rng, _RECEIPT_FOOTERS))
    if r < 0.75:  # company header
        common, english, _ = _word_lists()
        name = " ".join(_pick(rng, english) for _ in range(int(rng.integers(1, 4))))
        return f"{name} {_pick(rng, _COMPANY_SUFFIX)}".upper()
    if r < 0.85:
        who = _pick(rng, ["CASHIER", "Cashier", "SERVER", "STAFF", "Counter", "TABLE", "POS"])
        return f"{who}: {code(rng).split()[-1][:6]} {datetime_(rng)}"
    label = up(_pick(rng, _RECEIPT_WORDS))
    return f"{label}: {code(rng).split()[-1]}" if rng.random() < 0.5 else f"{label} {int(rng.integers(1, 200))}"


def numbers(rng: np.random.Generator) -> str:
    parts = []
    for _ in range(int(rng.integers(1, 7))):
        r = rng.random()
        if r < 0.4:
            parts.append(amount(rng))
        elif r < 0.7:
            parts.append(str(int(rng.integers(0, 10 ** int(rng.integers(1, 8))))))
        elif r < 0.85:
            parts.append(f"{rng.uniform(0, 100):.{int(rng.integers(1, 4))}f}{_pick(rng, ['', '%', '°', ' %', 'x'])}")
        else:
            parts.append(_pick(rng, ["+", "-", "=", "x", "/", "%", "#", "(", ")", "*", "±", "×"]))
    return " ".join(parts)


def faker_text(rng: np.random.Generator) -> str:
    fake = _faker(rng)
    if fake is None:
        return words(rng)
    kind = int(rng.integers(0, 12))
    if kind == 0:
        s = fake.name()
    elif kind in (1, 2):
        s = fake.address().replace("\n", ", " if rng.random() < 0.6 else " ")
    elif kind == 3:
        s = fake.company()
    elif kind == 4:
        s = fake.phone_number()
        if rng.random() < 0.4:
            s = f"{_pick(rng, ['Tel:', 'TEL:', 'Tel', 'Phone:', 'Fax:', 'H/P:', 'Tel No:'])} {s}"
    elif kind == 5:
        s = fake.email()
    elif kind == 6:
        s = fake.url() if rng.random() < 0.5 else fake.domain_name()
    elif kind == 7:
        s = fake.street_address()
    elif kind == 8:
        s = f"{fake.city()} {fake.postcode()}"
    elif kind == 9:
        s = fake.job()
    elif kind == 10:
        s = fake.catch_phrase() if fake.locales[0].startswith("en") else fake.sentence()
    else:
        s = fake.sentence()
    return _case(rng, s, upper_p=0.25)


def punctuation(rng: np.random.Generator) -> str:
    common, english, _ = _word_lists()
    parts = []
    for _ in range(int(rng.integers(2, 9))):
        r = rng.random()
        if r < 0.5:
            parts.append(_pick(rng, common))
        elif r < 0.75:
            parts.append(_pick(rng, string.punctuation) * int(rng.integers(1, 3)))
        else:
            parts.append(_pick(rng, _PUNCT_RUNS))
    joiner = _pick(rng, [" ", "", " ", "-", "."])
    return joiner.join(parts)


def random_chars(rng: np.random.Generator, charset: str = DEFAULT_CHARS) -> str:
    n = int(rng.integers(1, 25))
    chars = [_pick(rng, charset) for _ in range(n)]
    return "".join(chars)


def separator(rng: np.random.Generator) -> str:
    c = _pick(rng, ["-", "=", "*", ".", "_", "~", "#"])
    return c * int(rng.integers(8, 40))


_MY_PLACES = (
    "KUALA LUMPUR",
    "SHAH ALAM",
    "PETALING JAYA",
    "SUBANG JAYA",
    "KLANG",
    "JOHOR BAHRU",
    "PUCHONG",
    "CHERAS",
    "KAJANG",
    "AMPANG",
    "SERI KEMBANGAN",
    "SETIA ALAM",
    "RAWANG",
    "SEREMBAN",
    "MELAKA",
    "IPOH",
    "SKUDAI",
    "BANGI",
    "SELAYANG",
    "BATU CAVES",
    "SUNGAI BULOH",
    "SEMENYIH",
    "NILAI",
    "KOTA DAMANSARA",
    "MASAI",
)
_MY_STATES = (
    "SELANGOR",
    "JOHOR",
    "KUALA LUMPUR",
    "W.P. KUALA LUMPUR",
    "SELANGOR DARUL EHSAN",
    "JOHOR DARUL TAKZIM",
    "PERAK",
    "PULAU PINANG",
    "NEGERI SEMBILAN",
    "MELAKA",
    "MALAYSIA",
    "SINGAPORE",
)
_STREETS = (
    "JALAN",
    "JLN",
    "JLN.",
    "LORONG",
    "PERSIARAN",
    "TAMAN",
    "TMN",
    "LEBUH",
    "KAMPUNG",
    "BANDAR",
    "STREET",
    "ROAD",
    "AVENUE",
    "LOT",
    "BLOCK",
    "NO.",
    "UNIT",
)
_SHORT_TOKENS = (
    "RM",
    "SR",
    "ZR",
    "X",
    "x",
    "1X",
    "2X",
    ":",
    "%",
    "*S",
    "S",
    "Z",
    "T",
    "#",
    "@",
    "=",
    "-",
    "(RM)",
    "TAX(RM)",
    "AMT(RM)",
    "(GST)",
    "QTY",
    "TAX",
    "CASH",
    "TOTAL",
    "TOTAL :",
    "NO.",
    "PCS",
    "UOM",
    "DISC",
    "NETT",
    "GST",
    "CHANGE",
    "ITEM",
    "PRICE",
    "AMOUNT",
    "S/N",
    "Rp",
    "$",
    "€",
)


def address(rng: np.random.Generator) -> str:
    """Address lines, with Malaysian forms (receipts in our target sets come from there)."""
    common, english, _ = _word_lists()
    n = int(rng.integers(1, 300))
    r = rng.random()
    if r < 0.3:
        s = f"{_pick(rng, ['NO.', 'NO ', 'LOT ', 'NO. '])}{n}{_pick(rng, ['', '-A', 'A', '-1', ' & ' + str(n + 1)])}, "
        s += f"{_pick(rng, _STREETS)} {_pick(rng, english).upper()} {int(rng.integers(1, 30))}"
        s += _pick(rng, ["", f"/{int(rng.integers(1, 12))}", ",", f"/{int(rng.integers(1, 12))},"])
    elif r < 0.55:
        s = f"{int(rng.integers(10000, 99999))} {_pick(rng, _MY_PLACES)}{_pick(rng, [', ', ' ', ','])}"
        s += _pick(rng, _MY_STATES) + _pick(rng, ["", ".", ","])
    elif r < 0.7:
        s = f"{_pick(rng, _STREETS)} {_pick(rng, english).upper()} {_pick(rng, _STREETS)} {_pick(rng, _MY_PLACES)}"
    elif r < 0.85:
        s = f"{_pick(rng, ['TEL', 'TEL:', 'Tel :', 'TEL NO:', 'FAX:', 'H/P', 'PHONE:'])} "
        s += f"{_pick(rng, ['03', '07', '012', '016', '019', '04'])}-{int(rng.integers(1000000, 99999999))}"
    else:
        f = _faker(rng)
        s = f.street_address() if f is not None else f"{n} {_pick(rng, english).title()} Street"
    return s if rng.random() < 0.8 else s.title()


def short(rng: np.random.Generator) -> str:
    """One short token: most real line crops of receipts are a single word or number."""
    r = rng.random()
    if r < 0.3:
        return amount(rng)
    if r < 0.45:
        return str(int(rng.integers(0, 10 ** int(rng.integers(1, 6)))))
    if r < 0.65:
        return _pick(rng, _SHORT_TOKENS)
    if r < 0.85:
        common, english, others = _word_lists()
        return _case(rng, _pick(rng, common if rng.random() < 0.5 else english), upper_p=0.5)
    if r < 0.93:
        return code(rng).split()[-1]
    return f"{_pick(rng, _SHORT_TOKENS)} {amount(rng)}"


SOURCES: dict[str, tuple[float, Callable[[np.random.Generator], str]]] = {
    "words": (0.15, words),
    "sentence": (0.11, sentence),
    "foreign": (0.10, foreign),
    "typeset": (0.10, typeset),
    "dialogue": (0.0, dialogue),  # 0: off unless asked for (--synth-weights dialogue=W); stage 9 on
    "accented": (0.0, accented),  # 0: off unless asked for; stage 15 on
    # Other scripts: off for Latin models (their letters are outside DEFAULT_CHARS); --script turns them on.
    "greek": (0.0, greek),
    "commentary": (0.0, commentary),
    "arabic": (0.0, arabic),
    "cyrillic": (0.0, cyrillic),
    "faker": (0.11, faker_text),
    "receipt": (0.20, receipt_line),
    "short": (0.12, short),
    "address": (0.04, address),
    "price": (0.04, price),
    "date": (0.05, datetime_),
    "code": (0.06, code),
    "numbers": (0.05, numbers),
    "punctuation": (0.03, punctuation),
    "random": (0.02, random_chars),
    "separator": (0.01, separator),
    "upper": (0.02, lambda rng: words(rng).upper()),
}


# How often line synthesis draws each source for a script group (the others keep their weights):
# Greek lines and commentaries that quote Greek in Latin-script prose; Cyrillic lines; Arabic only
# (its charset has no Latin letters, so every other source is switched off).
SCRIPT_WEIGHTS = {
    "greek": {"greek": 0.45, "commentary": 0.7, "typeset": 0.2, "receipt": 0.05},
    "cyrillic": {"cyrillic": 1.2, "receipt": 0.05},
    "arabic": {"arabic": 1.0},
}
ONLY_SCRIPT_SOURCES = frozenset({"arabic"})
SCRIPT_SOURCES = {"greek": ("greek", "commentary"), "cyrillic": ("cyrillic",), "arabic": ("arabic",)}


def script_weights(script: str, overrides: dict[str, float] | None = None, pure: bool = False) -> dict[str, float]:
    """Source weight overrides for a script group's synthetic lines (``overrides`` replace its defaults);
    ``pure``: only the group's own sources (test lines that are all in the script)."""
    weights = dict(overrides or SCRIPT_WEIGHTS.get(script, {}))
    if script in ONLY_SCRIPT_SOURCES or pure:
        own = SCRIPT_SOURCES.get(script, ()) if pure else tuple(SOURCES)
        weights = {name: weights.get(name, 0.0) if name in own else 0.0 for name in SOURCES}
    return weights


def sample_source(
    rng: np.random.Generator,
    max_chars: int = 48,
    charset: str = DEFAULT_CHARS,
    weights: dict[str, float] | None = None,
) -> tuple[str, str]:
    """(source name, line): only characters of ``charset``, single spaces, 1..max_chars long."""
    names, p = _weights(weights)
    allowed = set(charset)
    for _ in range(20):
        name = names[int(rng.choice(len(names), p=p))]
        fn = SOURCES[name][1]
        text = fn(rng, charset) if name == "random" else fn(rng)
        text = normalize_text("".join(c for c in text if c in allowed or c.isspace()))
        if len(text) > max_chars:
            text = _trim(text, max_chars, rng)
        if text:
            return name, text
    return "random", _pick(rng, [c for c in charset if not c.isspace()] or ["x"])


def sample_text(
    rng: np.random.Generator,
    max_chars: int = 48,
    charset: str = DEFAULT_CHARS,
    weights: dict[str, float] | None = None,
) -> str:
    """One line of text: only characters of ``charset``, single spaces, 1..max_chars long."""
    return sample_source(rng, max_chars, charset, weights)[1]


@lru_cache(maxsize=32)
def _weights_cached(items: tuple[tuple[str, float], ...]) -> tuple[list[str], np.ndarray]:
    overrides = dict(items)
    names = [n for n in SOURCES if overrides.get(n, SOURCES[n][0]) > 0]
    w = np.array([overrides.get(n, SOURCES[n][0]) for n in names], dtype=np.float64)
    return names, w / w.sum()


def _weights(weights: dict[str, float] | None) -> tuple[list[str], np.ndarray]:
    return _weights_cached(tuple(sorted((weights or {}).items())))


def _trim(text: str, max_chars: int, rng: np.random.Generator) -> str:
    """Cut to ``max_chars`` at a word boundary when possible, from a random start word."""
    ws = text.split(" ")
    start = int(rng.integers(0, max(1, len(ws) // 2)))
    out = ""
    for wd in ws[start:]:
        cand = f"{out} {wd}" if out else wd
        if len(cand) > max_chars:
            break
        out = cand
    return (out or text[:max_chars]).strip()
