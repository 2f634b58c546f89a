"""Letter case from letter heights: a capital read as lower case between capitals is raised.

A line recognizer tells ``e`` from ``E`` partly by where the glyph stands: the lowered E of the
TeX logos (TEX, LATEX, BibTEX, REVTEX: a capital E set half an x-height down) reads as "e", and a
capital O or S among capitals may read as "o", "s" ("TRIGoN") where the language model prefers
it. Between two capitals, a letter read in lower case whose glyph is as tall as the line's
capitals (measured on the line image, not guessed) is a capital.

Small capitals were tried the same way (a word of a full capital and smaller ones to lower
case) and dropped: on receipts, glyphs that touch their neighbours measure taller and turned
"YEE" into "Yee" (sroie-test-lines exact CER 4.7 -> 6.9%); and a PDF's text layer writes small
capitals in lower case or in capitals depending on the font.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from textlens.recognition.decoding import CharHit, LineResult, build_line

__all__ = ["letter_heights", "settle_case"]

X_HEIGHT_LOWER = set("acemnorsuvwxz")  # lower-case letters no taller than the x-height
FULL_HEIGHT_LOWER = set("bdfhklt")  # lower-case letters as tall as capitals (about)
# A character's CTC frames peak about a frame before its glyph's columns (measured on typeset
# lines: x-height letters measured as tall as capitals 578 -> 230 of 6,800 at one frame on).
FRAME_SHIFT = 1.0
MIN_CAPITALS = 2  # full-height letters a line needs before heights are trusted
CAPITAL_SHARE = 0.88  # a letter at least this share of the capital height is a capital


def letter_heights(line: np.ndarray, hits: list[CharHit], stride: float) -> list[float | None]:
    """Ink height (rows) of each decoded character in ``line`` (the grey crop the frames were
    read from): from the top to the bottom of the ink in the columns of its CTC frames; None
    where those columns hold no ink."""
    ink = _ink(line)
    width = ink.shape[1]
    heights: list[float | None] = []
    for hit in hits:
        x0 = int(max(0, np.floor((hit.first_frame + FRAME_SHIFT) * stride)))
        x1 = int(min(width, np.ceil((hit.last_frame + 1 + FRAME_SHIFT) * stride)))
        rows = np.flatnonzero(ink[:, x0:x1].any(axis=1)) if x1 > x0 else np.empty(0, int)
        heights.append(float(rows[-1] - rows[0] + 1) if len(rows) else None)
    return heights


def _ink(line: np.ndarray) -> np.ndarray:
    """Boolean ink mask, dark text on light or light on dark (the border's side is background)."""
    gray = line if line.ndim == 2 else cv2.cvtColor(line, cv2.COLOR_RGB2GRAY)
    border = np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]]))
    distance = np.abs(gray.astype(np.int16) - int(border)).astype(np.uint8)
    if int(distance.max()) < 40:
        return np.zeros(gray.shape, bool)
    level, _ = cv2.threshold(distance, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return distance > max(level, 40)


def settle_case(
    result: LineResult, line: np.ndarray, stride: float, columns_per_frame: float, x_offset: float
) -> LineResult:
    """``result`` with the case of its letters set by their heights in ``line`` (see the module);
    the same object when nothing changes."""
    hits = result.chars
    chars = [hit.char for hit in hits]
    candidates = [
        k
        for k in range(1, len(chars) - 1)
        if chars[k] in X_HEIGHT_LOWER and chars[k - 1].isupper() and chars[k + 1].isupper()
    ]
    if not candidates:
        return result  # most lines: nothing to measure
    heights = letter_heights(line, hits, stride)
    capital = _capital_height(hits, heights)
    if capital is None:
        return result
    for k in candidates:
        height = heights[k]
        if height is not None and height >= CAPITAL_SHARE * capital:
            chars[k] = chars[k].upper()
    if chars == [hit.char for hit in hits]:
        return result
    settled = [dataclasses.replace(hit, char=char) for hit, char in zip(hits, chars)]
    return build_line(settled, columns_per_frame, x_offset)


def _capital_height(hits: list[CharHit], heights: list[float | None]) -> float | None:
    """The line's capital height: the median height of its capitals (not J or Q, which descend)
    and tall lower-case letters, when there are ``MIN_CAPITALS`` of them."""
    tall = [
        h
        for hit, h in zip(hits, heights)
        if h is not None and ((hit.char.isupper() and hit.char not in "JQ") or hit.char in FULL_HEIGHT_LOWER)
    ]
    return float(np.median(tall)) if len(tall) >= MIN_CAPITALS else None
