"""CTC decoding (greedy, and prefix beam search with an optional character language model)
with per-character confidences and word spans from the alignment. NumPy only: inference never
imports torch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from textlens.recognition.charset import Charset
from textlens.recognition.lm import UNKNOWN_LOG_PROB, CharNgramLM

# A class this unlikely in a frame is not worth a beam (1e-4 read 405 unsure sroie/docpages lines
# exactly alike, 7% slower).
CANDIDATE_FLOOR = math.log(1e-3)


@dataclass
class CharHit:
    """A decoded character, its confidence and the CTC frames it covers."""

    char: str
    confidence: float
    first_frame: int
    last_frame: int


@dataclass
class WordSpan:
    """A word of a recognised line: text, confidence, and its column range in the crop."""

    text: str
    confidence: float
    x0: float
    x1: float


@dataclass
class LineResult:
    """What a recognizer returns for one line crop."""

    text: str
    confidence: float
    chars: list[CharHit] = field(default_factory=list)
    words: list[WordSpan] = field(default_factory=list)


def greedy_decode(log_probs: np.ndarray, charset: Charset) -> list[CharHit]:
    """Best path: argmax per frame, merge repeats, drop blanks. ``log_probs``: (T, C)."""
    best = log_probs.argmax(-1)
    if not len(best):
        return []
    probs = np.exp(log_probs.max(-1))
    # each run of one class is a character (a blank run: none), as sure as its surest frame
    new_run = np.empty(len(best), dtype=bool)
    new_run[0] = True
    np.not_equal(best[1:], best[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    surest = np.maximum.reduceat(probs, starts).tolist()
    ends = (np.append(starts[1:], len(best)) - 1).tolist()
    chars = charset.chars
    runs = zip(best[starts].tolist(), surest, starts.tolist(), ends)
    return [CharHit(chars[c - 1] if c <= len(chars) else "", p, a, b) for c, p, a, b in runs if c]


# Contexts whose LM scores are kept: a beam revisits the same few contexts frame after frame
# within a line, so a small cache keeps nearly every hit (100 000 held ~170 MB).
LM_CACHE_ENTRIES = 8192


class LmFusion:
    """Shallow fusion of a character language model into the beam search: each emitted character
    adds ``weight * log P_lm(char | line so far) + bonus`` to its prefix's score (the bonus offsets
    the LM's bias towards short readings), and a finished line adds ``weight * log P_lm(end)``."""

    def __init__(self, lm: CharNgramLM, charset: Charset, weight: float = 0.45, bonus: float = 2.0) -> None:
        self.lm = lm
        self.charset = charset
        self.weight = weight
        self.bonus = bonus
        self._symbols = lm.symbol_map(charset.chars)
        self._known = self._symbols >= 0
        self._stand_in_penalty = lm.stand_in_log_probs(charset.chars)
        self._cache: dict[tuple[int, ...], np.ndarray] = {}

    def scores(self, prefix: tuple[int, ...]) -> np.ndarray:
        """Score added for each CTC class emitted after ``prefix``; index 0 = ending the line."""
        key = prefix[max(len(prefix) - self.lm.order + 1, 0) :] if self.lm.order > 1 else ()
        cached = self._cache.get(key)
        if cached is None:
            log_probs = self.lm.log_probs(self.charset.decode(list(key)))
            lm_scores = np.where(self._known, log_probs[np.maximum(self._symbols, 0)], UNKNOWN_LOG_PROB)
            lm_scores += self._stand_in_penalty
            cached = self.weight * lm_scores + self.bonus
            cached[0] = self.weight * log_probs[0]
            if len(self._cache) >= LM_CACHE_ENTRIES:
                self._cache.clear()  # bounded: a long run must not grow (each entry ~1.7 KB)
            self._cache[key] = cached
        return cached

    def total(self, labels: Sequence[int]) -> float:
        """The fused score of a whole line: every character's, then ending it."""
        score = sum(float(self.scores(tuple(labels[:k]))[c]) for k, c in enumerate(labels))
        return score + float(self.scores(tuple(labels))[0])


def beam_decode(
    log_probs: np.ndarray, charset: Charset, beam_width: int = 8, top_k: int = 6, lm: LmFusion | None = None
) -> list[CharHit]:
    """CTC prefix beam search, optionally fused with a language model; confidences and frames
    come from aligning the best prefix.

    Only the ``top_k`` classes of each frame are expanded, and none below ``CANDIDATE_FLOOR``,
    which keeps this fast enough for long lines; frames where blank has >= 0.999 probability are
    skipped outright.
    """
    # prefix -> [log p ending in blank, log p ending in its last character, LM score of the prefix]
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, -math.inf, 0.0]}
    blanks = log_probs[:, 0].tolist()
    for t, frame_candidates in enumerate(_all_candidates(log_probs, top_k)):
        blank = blanks[t]
        if blank > -1e-3:  # near-certain blank: every prefix just absorbs it
            beams = {p: [_logaddexp(b, nb) + blank, -math.inf, s] for p, (b, nb, s) in beams.items()}
            continue
        candidates = [(c, lp) for c, lp in frame_candidates if c != 0]
        beams = _next_beams(beams, blank, candidates, lm, beam_width)

    def final(item: tuple[tuple[int, ...], list[float]]) -> float:
        prefix, (p_b, p_nb, score) = item
        end = float(lm.scores(prefix)[0]) if lm is not None else 0.0
        return _logaddexp(p_b, p_nb) + score + end

    best_prefix = max(beams.items(), key=final)[0]
    return align_prefix(log_probs, best_prefix, charset)


def _next_beams(
    beams: dict[tuple[int, ...], list[float]],
    blank: float,
    candidates: list[tuple[int, float]],
    lm: LmFusion | None,
    beam_width: int,
) -> dict[tuple[int, ...], list[float]]:
    """One frame of the prefix beam search: every prefix absorbs the blank or grows by a
    candidate (a repeat of its last character either merges or, after a blank, grows); the
    ``beam_width`` best survive. The inner loop of every unsure line, so written flat: a
    probability that stays -inf is left alone rather than added (log-adding -inf changes nothing)."""
    grown_beams: dict[tuple[int, ...], list[float]] = {}
    find = grown_beams.get
    for prefix, (p_b, p_nb, score) in beams.items():
        p_total = _logaddexp(p_b, p_nb)
        entry = find(prefix)
        if entry is None:
            grown_beams[prefix] = [p_total + blank, -math.inf, score]
        else:
            entry[0] = _logaddexp(entry[0], p_total + blank)
        extra = lm.scores(prefix) if lm is not None else None
        last = prefix[-1] if prefix else -1
        for c, lp in candidates:
            longer = prefix + (c,)
            grown = score + extra.item(c) if extra is not None else score
            path = (p_b if c == last else p_total) + lp  # a repeat grows only after a blank
            entry = find(longer)
            if entry is None:
                grown_beams[longer] = [-math.inf, path, grown]
            else:
                entry[1] = _logaddexp(entry[1], path)
            if c == last:  # ... or merges into the prefix (added just above, so it is there)
                entry = grown_beams[prefix]
                entry[1] = _logaddexp(entry[1], p_nb + lp)
    ranked = sorted(grown_beams.items(), key=_beam_score, reverse=True)[:beam_width]
    return dict(ranked)


def _beam_score(item: tuple[tuple[int, ...], list[float]]) -> float:
    blank, nonblank, lm_score = item[1]
    return _logaddexp(blank, nonblank) + lm_score


def _all_candidates(log_probs: np.ndarray, top_k: int) -> list[list[tuple[int, float]]]:
    """Per frame, the (class, log p) worth expanding: the ``top_k`` most likely, minus the hopeless
    (all frames in one NumPy call, handed over as Python numbers for the search loop)."""
    k = min(top_k, log_probs.shape[1] - 1)
    top = np.argpartition(-log_probs, k, axis=1)[:, :top_k]
    values = np.take_along_axis(log_probs, top, axis=1)
    keep = values > CANDIDATE_FLOOR
    return [
        [(c, v) for c, v, ok in zip(cs, vs, ks) if ok]
        for cs, vs, ks in zip(top.tolist(), values.tolist(), keep.tolist())
    ]


def _logaddexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


def hold_to_lengths(
    hits: list[CharHit], log_probs: np.ndarray, charset: Charset, lengths: Sequence[int]
) -> list[CharHit]:
    """``hits`` when their count is one of ``lengths`` (or ``lengths`` is empty); else the best
    reading of an allowed length, aligned to the frames."""
    if not lengths or len(hits) in lengths:
        return hits
    labels = best_path_of_length(log_probs, lengths)
    return align_prefix(log_probs, labels, charset) if labels else hits


def best_path_of_length(log_probs: np.ndarray, lengths: Sequence[int]) -> tuple[int, ...]:
    """The most probable CTC path whose labelling has one of ``lengths`` characters (Viterbi).

    A reader of fixed-length codes (most CAPTCHA schemes) that drops or doubles a character still
    ranks the right number of characters highly; this finds the best such reading. State per frame:
    how many labels were emitted, and the label being emitted (or blank). Empty ``lengths`` or a
    labelling no path can reach gives ``()``.
    """
    allowed = sorted({n for n in lengths if 0 < n <= log_probs.shape[0]})
    if not allowed:
        return ()
    T, C = log_probs.shape
    N = allowed[-1]
    # on_blank[n]: best score with n labels emitted, now on blank; on_char[n, c]: now inside label c.
    on_blank = np.full(N + 1, -np.inf)
    on_char = np.full((N + 1, C), -np.inf)
    on_blank[0] = log_probs[0, 0]
    on_char[1, 1:] = log_probs[0, 1:]
    # back-pointers: for on_char, where a label came from (0 stay, 1 blank, 2 other char) and which char
    came_from = np.zeros((T, N + 1, C), dtype=np.int8)
    prev_char = np.zeros((T, N + 1, C), dtype=np.int64)
    blank_from = np.zeros((T, N + 1), dtype=np.int64)  # -1: stayed on blank, else the char left
    blank_from[0] = -1
    labels = np.arange(C)
    for t in range(1, T):
        frame = log_probs[t]
        best_char = on_char.argmax(axis=1)
        best_char_score = on_char[np.arange(N + 1), best_char]
        # second best, for "a new label directly after a different one"
        masked = on_char.copy()
        masked[np.arange(N + 1), best_char] = -np.inf
        second_char = masked.argmax(axis=1)
        second_score = masked[np.arange(N + 1), second_char]
        new_blank = np.where(on_blank >= best_char_score, on_blank, best_char_score) + frame[0]
        blank_from[t] = np.where(on_blank >= best_char_score, -1, best_char)
        new_char = np.full((N + 1, C), -np.inf)
        for n in range(1, N + 1):
            other = np.where(labels == best_char[n - 1], second_score[n - 1], best_char_score[n - 1])
            other_c = np.where(labels == best_char[n - 1], second_char[n - 1], best_char[n - 1])
            options = np.stack([on_char[n], np.full(C, on_blank[n - 1]), other])
            choice = options.argmax(axis=0)
            new_char[n] = options[choice, labels] + frame
            came_from[t, n] = choice
            prev_char[t, n] = other_c
        new_char[:, 0] = -np.inf
        on_blank, on_char = new_blank, new_char
    finals = [(max(on_blank[n], on_char[n].max()), n) for n in allowed]
    score, n = max(finals)
    if score == -np.inf:
        return ()
    c = -1 if on_blank[n] >= on_char[n].max() else int(on_char[n].argmax())
    out: list[int] = []
    for t in range(T - 1, 0, -1):
        if c < 0:  # on blank at t
            c = int(blank_from[t, n])
            continue
        how = int(came_from[t, n, c])
        if how == 0:
            continue
        out.append(c)
        n -= 1
        c = -1 if how == 1 else int(prev_char[t, n + 1, c])
    if c > 0:
        out.append(c)
    return tuple(reversed(out))


def align_prefix(log_probs: np.ndarray, labels: tuple[int, ...], charset: Charset) -> list[CharHit]:
    """Viterbi-align a label sequence to the frames (forced CTC alignment)."""
    if not labels:
        return []
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    S, T = len(ext), log_probs.shape[0]
    # a state may be entered from itself, the previous state, or skip a blank between different labels
    can_skip = np.zeros(S, dtype=bool)
    can_skip[2:] = (ext[2:] != 0) & (ext[2:] != ext[:-2])
    emissions = log_probs[:, ext]  # (T, S)
    score = np.full(S, -np.inf)
    score[0] = emissions[0, 0]
    if S > 1:
        score[1] = emissions[0, 1]
    back = np.zeros((T, S), dtype=np.int64)
    states = np.arange(S)
    step, skip = np.full(S, -np.inf), np.full(S, -np.inf)  # the previous state's score, the one before's
    cannot_skip = ~can_skip
    for t in range(1, T):
        # the best of staying, stepping and skipping (ties: in that order), without temporaries
        step[1:] = score[:-1]
        skip[2:] = score[:-2]
        skip[cannot_skip] = -np.inf
        choice = (step > score).astype(np.int64)
        best = np.maximum(score, step)
        took_skip = skip > best
        choice[took_skip] = 2
        score = np.maximum(best, skip) + emissions[t]
        back[t] = states - choice
    s = S - 1 if S < 2 or score[S - 1] >= score[S - 2] else S - 2
    path = np.zeros(T, dtype=np.int64)
    for t in range(T - 1, -1, -1):
        path[t] = s
        s = back[t, s]
    hits: dict[int, CharHit] = {}
    for t, s in enumerate(path.tolist()):
        if ext[s] == 0:
            continue
        prob = float(np.exp(log_probs[t, ext[s]]))
        if s not in hits:
            hits[s] = CharHit(charset.decode([int(ext[s])]), prob, t, t)
        else:
            hits[s].last_frame = t
            hits[s].confidence = max(hits[s].confidence, prob)
    return [hits[s] for s in sorted(hits)]


APOSTROPHES = frozenset("'’")


def _one_apostrophe(hits: list[CharHit]) -> list[CharHit]:
    """A straight and a curly apostrophe side by side (the model unsure which one it sees, as
    in "author’'s") are one mark: the surer of the two, over both their frames."""
    out: list[CharHit] = []
    for hit in hits:
        last = out[-1] if out else None
        if last is not None and {last.char, hit.char} == APOSTROPHES and hit.first_frame - last.last_frame <= 2:
            surer = last if last.confidence >= hit.confidence else hit
            out[-1] = CharHit(surer.char, surer.confidence, last.first_frame, hit.last_frame)
        else:
            out.append(hit)
    return out


def build_line(hits: list[CharHit], columns_per_frame: float, x_offset: float = 0.0) -> LineResult:
    """Text, confidences and word spans (in input columns, shifted by ``x_offset``) from decoded characters.

    Leading/trailing/double spaces are dropped; a word's confidence is the geometric mean
    of its characters' and the line's that of all its characters.
    """
    hits = _one_apostrophe(hits)
    words: list[WordSpan] = []
    current: list[CharHit] = []

    def flush() -> None:
        if current:
            conf = float(np.exp(np.mean(np.log([max(h.confidence, 1e-6) for h in current]))))
            x0 = x_offset + current[0].first_frame * columns_per_frame
            x1 = x_offset + (current[-1].last_frame + 1) * columns_per_frame
            words.append(WordSpan("".join(h.char for h in current), conf, x0, x1))
            current.clear()

    for hit in hits:
        if hit.char == " ":
            flush()
        else:
            current.append(hit)
    flush()
    non_space = [h for h in hits if h.char != " "]
    line_conf = float(np.exp(np.mean(np.log([max(h.confidence, 1e-6) for h in non_space])))) if non_space else 0.0
    return LineResult(" ".join(w.text for w in words), line_conf, hits, words)
