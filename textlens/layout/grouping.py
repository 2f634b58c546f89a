"""Lines -> rows -> blocks, and words from the recognizer's spans.

Boxes are ``(x0, y0, x1, y1)`` rows of an ``(N, 4)`` array in the *level* frame (upright,
skew removed; see ``textlens.layout.orientation``), so "same row" is simply "same y".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import median

import numpy as np

from textlens.document import Polygon, Word
from textlens.layout.crops import LineCrop

__all__ = ["group_rows", "split_blocks", "vertical_overlap", "words_from_result"]


def heights(boxes: np.ndarray) -> np.ndarray:
    return np.maximum(boxes[:, 3] - boxes[:, 1], 1e-6)


def vertical_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Shared height of two boxes as a fraction of the smaller one's height."""
    shared = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, shared) / max(min(a[3] - a[1], b[3] - b[1]), 1e-6)


def _horizontal_overlap(a: np.ndarray, b: np.ndarray) -> float:
    shared = min(a[2], b[2]) - max(a[0], b[0])
    return max(0.0, shared) / max(min(a[2] - a[0], b[2] - b[0]), 1e-6)


def group_rows(boxes: np.ndarray, indices: Sequence[int] | None = None, overlap: float = 0.5) -> list[list[int]]:
    """Lines that share a text row, each row left to right, rows top to bottom.

    A line joins the row above-and-closest in y when it overlaps the row's mean vertical
    extent by ``overlap`` of the smaller height and does not sit under one of its lines.
    """
    idx = list(range(len(boxes))) if indices is None else list(indices)
    centres = (boxes[:, 1] + boxes[:, 3]) / 2
    rows: list[list[int]] = []
    for i in sorted(idx, key=lambda k: (centres[k], boxes[k, 0])):
        row = rows[-1] if rows else None
        if row is not None:
            extent = boxes[row].mean(axis=0)  # the row's typical top and bottom
            fits = vertical_overlap(boxes[i], extent) >= overlap
            if fits and all(_horizontal_overlap(boxes[i], boxes[j]) < 0.3 for j in row):
                row.append(i)
                continue
        rows.append([i])
    return [sorted(row, key=lambda k: boxes[k, 0]) for row in rows]


def split_blocks(
    boxes: np.ndarray, rows: list[list[int]], gap: float = 1.0, height_ratio: float = 1.6
) -> list[list[int]]:
    """Consecutive rows -> blocks (lists of line indices in reading order).

    A new block starts after a blank band taller than ``gap`` line heights, or where the
    text size changes by more than ``height_ratio`` (a heading above body text).
    """
    blocks: list[list[int]] = []
    prev: list[int] | None = None
    for row in rows:
        if prev is not None and not _continues(boxes, prev, row, gap, height_ratio):
            blocks.append([])
        if not blocks:
            blocks.append([])
        blocks[-1].extend(row)
        prev = row
    return blocks


def _continues(boxes: np.ndarray, above: list[int], row: list[int], gap: float, height_ratio: float) -> bool:
    h_above = float(median(heights(boxes[above])))
    h_row = float(median(heights(boxes[row])))
    blank = float(boxes[row, 1].min() - boxes[above, 3].max())
    if blank > gap * min(h_above, h_row):
        return False
    return max(h_above, h_row) <= height_ratio * min(h_above, h_row)


def words_from_result(
    result: object, crop: LineCrop, to_page: Callable[[Polygon], Polygon] | None = None
) -> list[Word]:
    """Words of a recognized line with polygons mapped from crop columns to the page.

    Uses the recognizer's word spans (from the CTC alignment); a recognizer without spans
    gets the crop width shared out by character count. ``to_page`` maps polygons from the
    image the crop was cut from to the final page coordinates.
    """
    spans = list(getattr(result, "words", None) or [])
    if not spans:
        spans = _proportional_spans(getattr(result, "text", ""), getattr(result, "confidence", 0.0), crop.width)
    words = []
    for span in spans:
        if not span.text:
            continue
        polygon = crop.span_polygon(span.x0, max(span.x1, span.x0 + 1))
        words.append(Word(span.text, float(span.confidence), to_page(polygon) if to_page else polygon))
    return words


class _Span:
    def __init__(self, text: str, confidence: float, x0: float, x1: float) -> None:
        self.text, self.confidence, self.x0, self.x1 = text, confidence, x0, x1


def _proportional_spans(text: str, confidence: float, width: int) -> list[_Span]:
    tokens = text.split()
    total = len(" ".join(tokens))
    if not total:
        return []
    spans, pos = [], 0
    for token in tokens:
        x0 = pos * width / total
        x1 = (pos + len(token)) * width / total
        spans.append(_Span(token, confidence, x0, x1))
        pos += len(token) + 1
    return spans
