"""Lexicon-constrained reading: every word comes out as one of a given list of words.

The classic scene-text protocols (IIIT5K, SVT, ICDAR) give each word image a lexicon, 50 or 1000
words with the right one among them, and a reader returns the lexicon word its network finds
most probable. As in CRNN (Shi et al. 2015), the candidates are the lexicon words nearest the
free reading (edit distance, with rapidfuzz), and the winner is the one with the highest CTC
probability given the network's frames (the forward algorithm, summing over every alignment):
a misread letter costs a little probability instead of the whole word. The recognizer's
language model, when it has one, adds its fused score as in the beam search (held-out scene
words with 50-word lexicons: icdar2015 acc36 75.8 -> 78.5%; benchmarks/lexicon.py). Small
lexicons are scored in full. Letter case follows the image: each candidate is also scored in
lower case, upper case and capitalised, and the most probable spelling wins.

A lexicon can also be a word list for open reading (``Lexicon.snap``): a reading that is not one
of its words becomes the nearest word (at most ``SNAP_MAX_EDITS`` edits) when the frames find that
word about as probable as the reading itself, within a margin, and stays as read otherwise. On
photos this reads "SALON" for "SALAN" and keeps "TOPMAN" (held-out icdar2015 words, acc36 58.8 ->
62.0 with the 50,000 commonest English words and a margin of 2 nats chosen on icdar2003-train-rec).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset
from textlens.recognition.decoding import LmFusion

# Lexicons up to this size are scored in full; larger ones only their nearest words to the reading.
FULL_SCORING_LIMIT = 100
NEAREST_CANDIDATES = 40
# Open reading: a reading may snap to one of its nearest words at most this many edits away.
SNAP_CANDIDATES = 10
SNAP_MAX_EDITS = 2
# A reading its frames give this probability or more is kept as read (chosen on docpages-dev pages
# and their scans: 0.99 snaps as many words as no limit, 0.9 a third fewer).
SNAP_SURE = math.log(0.99)
# Spellings whose frames score this many nats below the best one are out of the race before the LM
# scores them (the LM moves a word's score by far less).
LM_RACE = 15.0
ENDS_INDEX_SIZE = 5000  # a word list this long is searched by first and last letter (``_sharing_an_end``)
MAX_LEXICON_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class LexiconChoice:
    """The lexicon word chosen for a reading, with its CTC log-likelihood."""

    word: str
    log_likelihood: float


class Lexicon:
    """A list of words that readings are constrained to (duplicates and blank lines dropped)."""

    def __init__(self, words: Iterable[str]) -> None:
        seen: dict[str, None] = {}
        for word in words:
            if len(split := word.split()) == 1:  # one word, no spaces inside
                seen.setdefault(split[0], None)
        if not seen:
            raise TextlensError("the lexicon holds no words")
        self.words = list(seen)
        # a word already in lower case is its own folded form: one string object, not two
        self._folded = [w if (f := w.casefold()) == w else f for w in self.words]
        self._folded_set = frozenset(self._folded)
        self._ends: dict[tuple[str, str, int], tuple[list[str], np.ndarray]] | None = None

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def load(cls, path: str | Path) -> Lexicon:
        """One word per line of a UTF-8 text file (a line with spaces is split into its words)."""
        path = Path(path)
        try:
            if path.stat().st_size > MAX_LEXICON_BYTES:
                raise TextlensError(f"{path}: lexicon larger than {MAX_LEXICON_BYTES // 2**20} MB")
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TextlensError(f"{path}: no such lexicon file") from None
        except IsADirectoryError:
            raise TextlensError(f"{path}: is a folder, not a lexicon file") from None
        except UnicodeDecodeError:
            raise TextlensError(f"{path}: the lexicon is not UTF-8 text") from None
        except OSError as exc:
            raise TextlensError(f"{path}: cannot read the lexicon ({exc.strerror or exc})") from None
        if "\x00" in text:
            raise TextlensError(f"{path}: the lexicon is not a text file")
        try:
            return cls(text.split())
        except TextlensError:
            raise TextlensError(f"{path}: the lexicon holds no words") from None

    def __contains__(self, word: object) -> bool:
        """Whether ``word`` is one of the words, letter case aside."""
        return isinstance(word, str) and word.casefold() in self._folded_set

    def candidates(self, reading: str, limit: int = NEAREST_CANDIDATES, max_edits: int | None = None) -> list[str]:
        """The words worth scoring for ``reading``: all of a small lexicon, else the ``limit``
        nearest ones (at most ``max_edits`` edits away, when given)."""
        if len(self.words) <= FULL_SCORING_LIMIT and max_edits is None:
            return self.words
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        query = reading.casefold()
        distance = Levenshtein.distance
        if max_edits is None or len(self.words) < ENDS_INDEX_SIZE or not query:
            nearest = process.extract(query, self._folded, scorer=distance, limit=limit, score_cutoff=max_edits)
            return [self.words[index] for _, _, index in nearest]
        found: dict[int, float] = {}
        for words, indices in self._sharing_an_end(query, max_edits):
            near = process.extract(query, words, scorer=distance, limit=limit, score_cutoff=max_edits)
            found.update((int(indices[k]), edits) for _, edits, k in near)
        return [self.words[index] for index in sorted(found, key=lambda i: (found[i], i))[:limit]]

    def _sharing_an_end(self, query: str, max_edits: int) -> list[tuple[list[str], np.ndarray]]:
        """The words (folded, with their indices) that start or end with the letter ``query`` does
        and are at most ``max_edits`` letters longer or shorter: where a large list's near words
        are looked for (a misreading seldom changes both ends of a word)."""
        if self._ends is None:
            ends: dict[tuple[str, str, int], tuple[list[str], list[int]]] = {}
            for index, word in enumerate(self._folded):
                for key in (("first", word[0], len(word)), ("last", word[-1], len(word))):
                    words, indices = ends.setdefault(key, ([], []))
                    words.append(word)
                    indices.append(index)
            # the indices as int32 arrays: a quarter of the memory of lists of Python ints
            self._ends = {key: (words, np.asarray(indices, dtype=np.int32)) for key, (words, indices) in ends.items()}
        keys = [
            (side, letter, length)
            for side, letter in (("first", query[0]), ("last", query[-1]))
            for length in range(len(query) - max_edits, len(query) + max_edits + 1)
        ]
        return [self._ends[key] for key in keys if key in self._ends]

    def choose(
        self,
        log_probs: np.ndarray,
        charset: Charset,
        reading: str,
        lm: LmFusion | None = None,
        candidates: Sequence[str] | None = None,
    ) -> LexiconChoice | None:
        """The lexicon word (in the spelling of case the frames favour) most probable given
        ``log_probs`` (T, C), or None when no candidate can be written in ``charset``. With
        ``lm``, its fused score is added as in the beam search (``LmFusion``). ``candidates``:
        the words to score (default: ``self.candidates(reading)``)."""
        words = self.candidates(reading) if candidates is None else candidates
        # the spellings the model can write (a word it cannot is never chosen)
        spellings = [s for word in words for s in _case_spellings(word) if not charset.missing(s)]
        if not spellings:
            return None
        labels = [charset.encode(spelling) for spelling in spellings]
        scores = ctc_log_likelihoods(log_probs, labels)
        if lm is not None:  # the LM scores only the spellings the frames leave in the race
            near = scores >= scores.max() - LM_RACE
            scores = np.where(near, scores, -np.inf)
            for k in np.flatnonzero(near):
                scores[k] += lm.total(labels[k])
        best = int(np.argmax(scores))  # the first of equals, as the words come
        return LexiconChoice(spellings[best], float(scores[best]))

    def snap(
        self,
        log_probs: np.ndarray,
        charset: Charset,
        reading: str,
        lm: LmFusion | None = None,
        margin: float = 2.0,
    ) -> LexiconChoice | None:
        """Open reading: the word to read instead of ``reading`` (a word of letters decoded from
        ``log_probs``), or None to keep it: when it is one of the words already, when none is
        within ``SNAP_MAX_EDITS`` edits, or when the best of those is less probable than the
        reading by more than ``margin`` (natural log, LM score included)."""
        if reading in self or charset.missing(reading):
            return None
        labels = charset.encode(reading)
        own = ctc_log_likelihood(log_probs, labels)
        if own >= SNAP_SURE:  # a sure reading of a name or a word the list lacks: no search
            return None
        nearby = self.candidates(reading, SNAP_CANDIDATES, SNAP_MAX_EDITS)
        choice = self.choose(log_probs, charset, reading, lm, nearby) if nearby else None
        if choice is None:
            return None
        own += lm.total(labels) if lm is not None else 0.0
        return choice if choice.log_likelihood >= own - margin else None


def load_lexicons(path: str | Path) -> dict[str, Lexicon]:
    """Per-image lexicons from JSON lines ``{"image": NAME, "lexicon": [WORD, ...]}``, keyed by
    the image as written and by its file name."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise TextlensError(f"{path}: cannot read the lexicons ({type(exc).__name__})") from None
    lexicons: dict[str, Lexicon] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            image, words = entry["image"], entry["lexicon"]
            if not isinstance(image, str) or not isinstance(words, list):
                raise TypeError
            lexicon = Lexicon(str(w) for w in words)
        except (ValueError, KeyError, TypeError):
            raise TextlensError(
                f'{path}:{number}: expected {{"image": NAME, "lexicon": [WORD, ...]}} with at least one word'
            ) from None
        except TextlensError:
            raise TextlensError(f"{path}:{number}: the lexicon holds no words") from None
        lexicons[image] = lexicon
        lexicons.setdefault(Path(image).name, lexicon)
    return lexicons


def ctc_log_likelihood(log_probs: np.ndarray, labels: Sequence[int]) -> float:
    """log P(labels | frames) under CTC: the forward algorithm over every alignment (blank = 0).

    ``-inf`` when the frames are too few for the labels."""
    return float(ctc_log_likelihoods(log_probs, [labels])[0])


def ctc_log_likelihoods(log_probs: np.ndarray, label_seqs: Sequence[Sequence[int]]) -> np.ndarray:
    """``ctc_log_likelihood`` of each label sequence, all in one forward pass (sequences padded
    with blanks past their end, which the end read-out ignores)."""
    if not label_seqs:
        return np.zeros(0)
    T = log_probs.shape[0]
    if T == 0:  # no frames: no labelling at all
        return np.full(len(label_seqs), -np.inf)
    K, S = len(label_seqs), 2 * max(len(seq) for seq in label_seqs) + 1
    ext = np.zeros((K, S), dtype=np.int64)
    for k, seq in enumerate(label_seqs):
        ext[k, 1 : 2 * len(seq) : 2] = seq
    can_skip = np.zeros((K, S), dtype=bool)
    can_skip[:, 2:] = (ext[:, 2:] != 0) & (ext[:, 2:] != ext[:, :-2])
    emissions = log_probs[:, ext]  # (T, K, S)
    alpha = np.full((K, S), -np.inf)
    alpha[:, 0] = emissions[0, :, 0]
    if S > 1:
        alpha[:, 1] = emissions[0, :, 1]
    blocked = np.full((K, 2), -np.inf)
    for t in range(1, T):
        step = np.concatenate((blocked[:, :1], alpha[:, :-1]), axis=1)
        skip = np.where(can_skip, np.concatenate((blocked, alpha[:, :-2]), axis=1), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, step), skip) + emissions[t]
    last = np.asarray([2 * len(seq) for seq in label_seqs])  # the final blank of each sequence
    rows = np.arange(K)
    end = np.where(last > 0, np.logaddexp(alpha[rows, last], alpha[rows, np.maximum(last - 1, 0)]), alpha[rows, 0])
    return np.where(np.isfinite(end), end, -np.inf)


def _case_spellings(word: str) -> list[str]:
    """The word as given, lower case, upper case and capitalised (each once)."""
    spellings = [word, word.lower(), word.upper(), word[:1].upper() + word[1:].lower()]
    return list(dict.fromkeys(spellings))
