"""CTC decoding (greedy and prefix beam search) with per-character confidences and
word spans from the alignment. NumPy only: inference never imports torch."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from textlens.recognition.charset import Charset


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
    probs = np.exp(log_probs.max(-1))
    hits: list[CharHit] = []
    prev = 0
    for t, idx in enumerate(best):
        idx = int(idx)
        if idx != 0 and idx == prev and hits:
            hits[-1].last_frame = t
            hits[-1].confidence = max(hits[-1].confidence, float(probs[t]))
        elif idx != 0:
            hits.append(CharHit(charset.decode([idx]), float(probs[t]), t, t))
        prev = idx
    return hits


def beam_decode(log_probs: np.ndarray, charset: Charset, beam_width: int = 8, top_k: int = 6) -> list[CharHit]:
    """CTC prefix beam search; confidences and frames come from aligning the best prefix.

    Only the ``top_k`` classes of each frame are expanded, which keeps this fast enough
    for long lines; frames where blank has >= 0.999 probability are skipped outright.
    """
    T = log_probs.shape[0]
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, -np.inf)}  # prefix -> (log p blank, log p non-blank)
    for t in range(T):
        frame = log_probs[t]
        if frame[0] > -1e-3:  # near-certain blank: every prefix just absorbs it
            beams = {p: (np.logaddexp(b, nb) + frame[0], -np.inf) for p, (b, nb) in beams.items()}
            continue
        candidates = np.argpartition(-frame, min(top_k, len(frame) - 1))[:top_k]
        next_beams: dict[tuple[int, ...], list[float]] = {}

        def add(prefix: tuple[int, ...], blank: float, nonblank: float, _nb=next_beams) -> None:
            entry = _nb.setdefault(prefix, [-np.inf, -np.inf])
            entry[0] = np.logaddexp(entry[0], blank)
            entry[1] = np.logaddexp(entry[1], nonblank)

        for prefix, (p_b, p_nb) in beams.items():
            p_total = np.logaddexp(p_b, p_nb)
            add(prefix, p_total + frame[0], -np.inf)
            for c in candidates:
                c = int(c)
                if c == 0:
                    continue
                lp = frame[c]
                if prefix and prefix[-1] == c:
                    add(prefix + (c,), -np.inf, p_b + lp)  # repeat separated by blank
                    add(prefix, -np.inf, p_nb + lp)  # repeat merged
                else:
                    add(prefix + (c,), -np.inf, p_total + lp)
        ranked = sorted(next_beams.items(), key=lambda kv: -np.logaddexp(*kv[1]))[:beam_width]
        beams = {p: (v[0], v[1]) for p, v in ranked}
    best_prefix = max(beams.items(), key=lambda kv: np.logaddexp(*kv[1]))[0]
    return align_prefix(log_probs, best_prefix, charset)


def align_prefix(log_probs: np.ndarray, labels: tuple[int, ...], charset: Charset) -> list[CharHit]:
    """Viterbi-align a label sequence to the frames (forced CTC alignment)."""
    if not labels:
        return []
    ext = [0]
    for lab in labels:
        ext += [lab, 0]
    S, T = len(ext), log_probs.shape[0]
    score = np.full((T, S), -np.inf)
    back = np.zeros((T, S), dtype=np.int64)
    score[0, 0] = log_probs[0, 0]
    if S > 1:
        score[0, 1] = log_probs[0, ext[1]]
    for t in range(1, T):
        for s in range(S):
            options = [(score[t - 1, s], s)]
            if s >= 1:
                options.append((score[t - 1, s - 1], s - 1))
            if s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2]:
                options.append((score[t - 1, s - 2], s - 2))
            best, arg = max(options)
            score[t, s] = best + log_probs[t, ext[s]]
            back[t, s] = arg
    s = S - 1 if S < 2 or score[T - 1, S - 1] >= score[T - 1, S - 2] else S - 2
    path = [0] * T
    for t in range(T - 1, -1, -1):
        path[t] = s
        s = back[t, s]
    hits: dict[int, CharHit] = {}
    for t, s in enumerate(path):
        if ext[s] == 0:
            continue
        prob = float(np.exp(log_probs[t, ext[s]]))
        if s not in hits:
            hits[s] = CharHit(charset.decode([ext[s]]), prob, t, t)
        else:
            hits[s].last_frame = t
            hits[s].confidence = max(hits[s].confidence, prob)
    return [hits[s] for s in sorted(hits)]


def build_line(hits: list[CharHit], columns_per_frame: float, x_offset: float = 0.0) -> LineResult:
    """Text, confidences and word spans (in input columns, shifted by ``x_offset``) from decoded characters.

    Leading/trailing/double spaces are dropped; a word's confidence is the geometric mean
    of its characters' and the line's that of all its characters.
    """
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
