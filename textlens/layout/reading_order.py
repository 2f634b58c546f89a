"""Reading order: columns found by recursive XY-cut, rows top to bottom inside each.

The page (line boxes in the level frame) is cut recursively: first at horizontal blank bands
that separate blocks (where the columns on both sides of a band continue, the band is no cut:
two columns with a paragraph break at the same height stay two columns, while a running head or
foot of one row is read on its own), then at a vertical gutter that separates *columns*, else at
a gutter that a few lines cross. A vertical gap is not a column gutter when one side is a narrow column of
values sitting on the rows of the other (receipts' ``label ... 12.00``, tables): those are read
row by row, left to right, each segment staying its own line.

Real column gutters are not always clean: the detector may run a line across a narrow gutter
into the next column, and margin line numbers or a long word may end inside it. So where no
clean cut exists, a corridor that at most a tenth of the lines cross, with columns of text side
by side on both sides, is a gutter too (``gutters`` names it, so the pipeline can split the lines
that run across it at the word gap; lines still crossing it go with the side of their middle).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from textlens.layout.blocks import LaidBlock, classify_blocks, table_runs
from textlens.layout.grouping import group_rows, heights, split_blocks

__all__ = ["Gutter", "LayoutAnalyzer", "order_blocks"]


MIN_COLUMN_LINES = 3  # a column beside a crossed gutter has at least this many lines
WORD_GAP = 2.0  # line heights: pieces of one row closer than this are one phrase (words the detector cut apart)


@dataclass
class Gutter:
    """A column gutter at ``x`` (level frame) that the lines ``crossing`` run across."""

    x: float
    crossing: list[int]


@dataclass
class LayoutAnalyzer:
    """Lines -> blocks in reading order. Distances are in median line heights.

    ``column_gap``: narrowest gutter between columns; ``block_gap``: blank band that starts
    a new block; ``narrow``: a column whose median line is shorter than this is a value column
    (kept on its rows) when at least ``paired`` of its lines share a row across the gap, unless
    its phrases (the pieces of a row a word gap apart, joined) are at least ``prose`` long;
    ``height_ratio``: text-size change that starts a new block; ``crossing``: largest share of
    a region's lines that may run across a gutter that has no clean cut, ``aligned_crossing`` the
    same where the lines on both sides start flush at their column's left edge (two columns of
    large type, whose narrow gutter the detector bridges more often).
    """

    column_gap: float = 1.0
    block_gap: float = 1.0
    narrow: float = 5.0
    prose: float = 15.0
    paired: float = 0.5
    height_ratio: float = 1.6
    crossing: float = 0.1
    aligned_crossing: float = 0.2

    def __post_init__(self) -> None:
        for name in ("column_gap", "block_gap", "narrow", "prose", "height_ratio"):
            if getattr(self, name) <= 0:
                raise ValueError(f"LayoutAnalyzer.{name} must be > 0")

    def arrange(self, boxes: np.ndarray | list) -> list[list[int]]:
        """Blocks as lists of line indices, both in reading order. ``boxes``: (N, 4) x0, y0, x1, y1."""
        return [block.members for block in self.layout(boxes)]

    def layout(self, boxes: np.ndarray | list, texts: list[str] | None = None) -> list[LaidBlock]:
        """Blocks in reading order with their kinds: tables (and their cells) always; headings,
        captions, lists, running heads and feet and page numbers when the lines' ``texts`` are given."""
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if len(boxes) == 0:
            return []
        blocks: list[LaidBlock] = []
        for region in self.regions(boxes):
            rows = group_rows(boxes, region)
            done = 0
            for start, end, cells in table_runs(boxes, rows):
                blocks.extend(self._prose(boxes, rows[done:start]))
                members = [i for cell in cells for i in cell.members]  # a cell's lines together
                blocks.append(LaidBlock(members, "table", cells))
                done = end
            blocks.extend(self._prose(boxes, rows[done:]))
        return classify_blocks(blocks, boxes, texts) if texts is not None else blocks

    def _prose(self, boxes: np.ndarray, rows: list[list[int]]) -> list[LaidBlock]:
        return [LaidBlock(members) for members in split_blocks(boxes, rows, self.block_gap, self.height_ratio)]

    def regions(
        self, boxes: np.ndarray, indices: list[int] | None = None, gutters: list[Gutter] | None = None
    ) -> list[list[int]]:
        """XY-cut leaves (lists of line indices) in reading order; the crossed gutters it cut at
        are appended to ``gutters``."""
        idx = list(range(len(boxes))) if indices is None else indices
        if len(idx) <= 1:
            return [idx]
        h = float(median(heights(boxes[idx])))
        bands = self._bands(boxes, idx, h)
        if len(bands) > 1:
            return [leaf for band in bands for leaf in self.regions(boxes, band, gutters)]
        columns = self._column_cut(boxes, idx, h) or self._crossed_cut(boxes, idx, h, gutters)
        if columns is not None:
            return [leaf for part in columns for leaf in self.regions(boxes, part, gutters)]
        return [idx]

    def _bands(self, boxes: np.ndarray, idx: list[int], h: float) -> list[list[int]]:
        """Parts of the region between blank horizontal bands, top to bottom; neighbours whose
        columns continue across the blank (the same gutter, two rows or more each) stay one part,
        so a paragraph break level in both columns does not cut the columns, while a running head
        or foot (one row) above or below them is read on its own."""
        bands = _split_on_gaps(boxes, idx, axis=1, min_gap=self.block_gap * h)
        if len(bands) < 2:
            return bands
        merged, above = [bands[0]], self._gutter_spans(boxes, bands[0], h)
        for band in bands[1:]:
            spans = self._gutter_spans(boxes, band, h)
            if _aligned(above, spans):
                merged[-1] = merged[-1] + band
            else:
                merged.append(band)
            above = spans
        return merged

    def _gutter_spans(self, boxes: np.ndarray, idx: list[int], h: float) -> list[tuple[float, float]]:
        """The x-spans of a part's column gutters (clean gaps, else one that a few lines cross);
        none for a part of one row (a heading, a running head, a table row)."""
        if len(group_rows(boxes, idx)) < 2:
            return []
        parts = _split_on_gaps(boxes, idx, axis=0, min_gap=self.column_gap * h)
        spans = []
        for k in range(1, len(parts)):
            left = [i for part in parts[:k] for i in part]
            right = [i for part in parts[k:] for i in part]
            if self._is_gutter(boxes, left, right):
                spans.append((float(boxes[left, 2].max()), float(boxes[right, 0].min())))
        if not spans:
            cut = self._crossed_cut(boxes, idx, h, None)
            if cut is not None:
                left, right = cut
                spans.append((float(np.percentile(boxes[left, 2], 90)), float(np.percentile(boxes[right, 0], 10))))
        return spans

    def gutters(self, boxes: np.ndarray | list) -> list[Gutter]:
        """The column gutters that some lines run across (each with the lines that do)."""
        found: list[Gutter] = []
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if len(boxes):
            self.regions(boxes, gutters=found)
        return found

    def _crossed_cut(
        self, boxes: np.ndarray, idx: list[int], h: float, gutters: list[Gutter] | None
    ) -> list[list[int]] | None:
        """Left/right parts at a gutter that at most ``crossing`` of the lines run across."""
        if len(idx) < 2 * MIN_COLUMN_LINES:
            return None
        sub = boxes[idx]
        best: tuple[bool, float, float] | None = None  # (within the strict share, clear width, x)
        xs = np.arange(sub[:, 0].min() + 2 * h, sub[:, 2].max() - 2 * h, h / 4)
        # All candidate cuts at once: the lines left of x are a prefix of the lines sorted by right
        # edge, those right of it a suffix of the lines sorted by left edge.
        ends, starts = np.sort(sub[:, 2]), np.sort(sub[:, 0])
        n_left = np.searchsorted(ends, xs, side="right")
        n_right = len(idx) - np.searchsorted(starts, xs, side="left")
        crossing = len(idx) - n_left - n_right
        loose = max(self.crossing, self.aligned_crossing)
        usable = (np.minimum(n_left, n_right) >= MIN_COLUMN_LINES) & (crossing <= loose * len(idx))
        for k in np.flatnonzero(usable):
            x = xs[k]
            # a cut within the strict share beats any that needs flush columns to pass
            strict = bool(crossing[k] <= self.crossing * len(idx))
            if best is not None and best[0] > strict:
                continue
            # the corridor most lines keep clear of: robust to a few long lines and margin numbers
            clear = _sorted_percentile(starts[len(idx) - n_right[k] :], 10) - _sorted_percentile(ends[: n_left[k]], 90)
            if clear < self.column_gap * h or (best is not None and (strict, clear) <= best[:2]):
                continue
            if not strict and not _flush_columns(sub, x, h):
                continue
            left, right = sub[:, 2] <= x, sub[:, 0] >= x
            if _overlap_1d(sub[left][:, [1, 3]], sub[right][:, [1, 3]]) >= 0.5:  # side by side
                best = (strict, clear, float(x))
        if best is None:
            return None
        x = best[2]
        middle = (boxes[:, 0] + boxes[:, 2]) / 2
        left = [i for i in idx if boxes[i, 2] <= x or (boxes[i, 0] < x and middle[i] < x)]
        right = [i for i in idx if i not in set(left)]
        if not self._is_gutter(boxes, left, right):
            return None
        if gutters is not None:
            crossing = [i for i in idx if boxes[i, 0] < x < boxes[i, 2]]
            if crossing:
                gutters.append(Gutter(x, crossing))
        return [left, right]

    def _column_cut(self, boxes: np.ndarray, idx: list[int], h: float) -> list[list[int]] | None:
        """Left/right parts at the widest vertical gap that is a real column gutter, else None."""
        parts = _split_on_gaps(boxes, idx, axis=0, min_gap=self.column_gap * h)
        best, best_gap = None, -1.0
        for k in range(1, len(parts)):
            left = [i for part in parts[:k] for i in part]
            right = [i for part in parts[k:] for i in part]
            gap = float(boxes[right, 0].min() - boxes[left, 2].max())
            if gap > best_gap and self._is_gutter(boxes, left, right):
                best, best_gap = [left, right], gap
        return best

    def _prose_in_pieces(self, boxes: np.ndarray, side: list[int], h: float) -> bool:
        """A column of prose that the detector cut into words (justified lines of large type, scans):
        its short lines join into phrases as long as prose lines, far longer than values and labels."""
        return float(median(_phrase_widths(boxes, side, WORD_GAP * h))) >= self.prose * h

    def _is_gutter(self, boxes: np.ndarray, left: list[int], right: list[int]) -> bool:
        for side, other in ((left, right), (right, left)):
            h = float(median(heights(boxes[side])))
            short = float(median(boxes[side, 2] - boxes[side, 0])) < self.narrow * h
            if short and not self._prose_in_pieces(boxes, side, h):
                on_rows = int(_shares_a_row(boxes[side], boxes[other]).sum())
                if on_rows >= self.paired * len(side):
                    return False
        return True


def _flush_columns(boxes: np.ndarray, x: float, h: float, share: float = 0.8) -> bool:
    """Do the lines on each side of ``x`` start flush at one left edge (within a third of a line
    height), as columns of prose do? A form's labels and answers start where each happens to."""
    middle = (boxes[:, 0] + boxes[:, 2]) / 2
    for side in (middle < x, middle >= x):
        starts = boxes[side, 0]
        if len(starts) < MIN_COLUMN_LINES or np.mean(np.abs(starts - np.median(starts)) <= h / 3) < share:
            return False
    return True


def _phrase_widths(boxes: np.ndarray, idx: list[int], gap: float) -> list[float]:
    """Widths of the phrases of ``idx``: the lines of each row, joined where at most ``gap`` apart.
    A column of prose that the detector cut into words (justified lines of large type, scans)
    is as wide as prose again; a column of values keeps its short values."""
    widths = []
    for row in group_rows(boxes, idx):
        start, end = boxes[row[0], 0], boxes[row[0], 2]
        for i in row[1:]:
            if boxes[i, 0] - end > gap:
                widths.append(float(end - start))
                start = boxes[i, 0]
            end = max(end, boxes[i, 2])
        widths.append(float(end - start))
    return widths


def _sorted_percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (linear interpolation) of values already sorted ascending."""
    position = q / 100.0 * (len(values) - 1)
    below = int(position)
    above = min(below + 1, len(values) - 1)
    return float(values[below] + (values[above] - values[below]) * (position - below))


def _aligned(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    """Do two parts share a column gutter (x-spans that overlap)?"""
    return any(max(a0, b0) <= min(a1, b1) for a0, a1 in a for b0, b1 in b)


def _overlap_1d(a: np.ndarray, b: np.ndarray) -> float:
    """Shared extent of the spans (start, end) of ``a`` and of ``b``, over the smaller extent."""
    lo, hi = max(a[:, 0].min(), b[:, 0].min()), min(a[:, 1].max(), b[:, 1].max())
    smaller = min(a[:, 1].max() - a[:, 0].min(), b[:, 1].max() - b[:, 0].min())
    return max(0.0, hi - lo) / max(smaller, 1e-6)


def _shares_a_row(a: np.ndarray, b: np.ndarray, overlap: float = 0.5) -> np.ndarray:
    """For each box of ``a``: does a box of ``b`` cover ``overlap`` of the smaller height?"""
    shared = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    smaller = np.minimum(heights(a)[:, None], heights(b)[None, :])
    return (shared >= overlap * smaller).any(axis=1)


def _split_on_gaps(boxes: np.ndarray, idx: list[int], axis: int, min_gap: float) -> list[list[int]]:
    """Groups of ``idx`` separated by empty bands at least ``min_gap`` wide along ``axis``
    (0: vertical bands between x-ranges, 1: horizontal bands between y-ranges), in order."""
    lo, hi = boxes[:, axis], boxes[:, axis + 2]
    groups: list[list[int]] = []
    end = -np.inf
    for i in sorted(idx, key=lambda k: lo[k]):
        if not groups or lo[i] - end >= min_gap:
            groups.append([])
        groups[-1].append(i)
        end = max(end, hi[i])
    return groups


def order_blocks(boxes: np.ndarray | list, analyzer: LayoutAnalyzer | None = None) -> list[list[int]]:
    """Blocks of line indices in reading order (see ``LayoutAnalyzer``)."""
    return (analyzer or LayoutAnalyzer()).arrange(boxes)
