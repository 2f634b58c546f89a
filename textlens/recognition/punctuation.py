"""A full stop before a lower-case word is a comma whose tail the scan lost.

On bilevel scans and faint prints the tail of a comma breaks off and what is left is a dot on
the baseline: the recognizer reads "amet. placerat". In running text a full stop is followed by
a capital; before a lower-case word it ends only an abbreviation ("e. g.", "etc.", "Fig. 3",
"z.B."). So a full stop between a word of lower-case letters that is no abbreviation and a word
starting in lower case becomes a comma, where the frames give the comma some probability.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from textlens.recognition.charset import Charset
from textlens.recognition.decoding import CharHit

__all__ = ["ABBREVIATIONS", "commas_before_lower_case"]

# Lower-case abbreviations that a full stop may end before a lower-case word (en, fr, de, es, it, pt, nl).
ABBREVIATIONS = frozenset(
    """al approx bd bzw ca cf ch cm dgl eds ed eq etc evtl ex ff fig ggf hg hrsg ibid inkl incl jh jr
    kg km lat max min mm mio mrd nr op pp ref refs resp sec sen sog sq st str tel usw vgl vol vs""".split()
)
MIN_COMMA_PROB = 1e-3  # the frames must not rule the comma out


def commas_before_lower_case(hits: list[CharHit], log_probs: np.ndarray, charset: Charset) -> list[CharHit]:
    """``hits`` with each full stop that ends a plain lower-case word and stands before a word
    starting in lower case turned into a comma (see the module); the same list when none is."""
    if "," not in charset.chars or "." not in charset.chars:
        return hits
    comma = charset.chars.index(",") + 1
    out = hits
    for k in range(1, len(hits) - 2):
        hit = hits[k]
        if hit.char != "." or hits[k + 1].char != " " or not hits[k + 2].char.islower():
            continue
        word = _word_before(hits, k)
        if len(word) < 2 or not word.isalpha() or not word.islower() or word in ABBREVIATIONS:
            continue
        frames = log_probs[hit.first_frame : hit.last_frame + 1, comma]
        if len(frames) and float(np.exp(frames.max())) >= MIN_COMMA_PROB:
            if out is hits:
                out = list(hits)
            out[k] = dataclasses.replace(hit, char=",")
    return out


def _word_before(hits: list[CharHit], end: int) -> str:
    start = end
    while start > 0 and hits[start - 1].char != " ":
        start -= 1
    return "".join(hit.char for hit in hits[start:end])
