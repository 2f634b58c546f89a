"""The pixels of a burnt-in subtitle: which are its letters, the letters alone as an ink image,
the image cut into lines, and the detector's boxes joined into rows (``textlens.apps.subtitles``).

A subtitle's letters are set apart from the picture by an outline or a box: split at Otsu's level,
the letters are the blobs of one class that do not touch the row's edge; the ring of pixels around
them (outline, box, or picture) is what their contrast is measured against.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1
LEVEL_TOLERANCE = 30  # grey levels: a letter's fill is one colour; the picture in a counter is not
STILL = 40  # grey levels: a pixel that changed more between two views of a subtitle is picture


def glyph_mask(luma: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> tuple[np.ndarray, np.ndarray, float]:
    """Text pixels and the ring around them inside ``boxes``, as flat indices into ``luma``, and
    the text's polarity (+1 light, -1 dark).

    Each box is split into light and dark at its Otsu level; in each class, the blobs that touch
    the box's edge are picture or subtitle box, not letters (an outline or a box keeps the letters
    apart from the picture). Subtitles are light text unless the dark class holds far more letter
    ink. (Trying lower levels too, for yellow letters over a white sky, read worse: 12.5 against
    5.2% CER on the short tuning videos.)"""
    text = np.zeros(luma.shape, bool)
    inside = np.zeros(luma.shape, bool)
    light_votes = 0
    for x0, y0, x1, y1 in boxes:
        patch = luma[y0:y1, x0:x1]
        if patch.shape[0] < 3 or patch.shape[1] < 3:
            continue
        _, binary = cv2.threshold(patch, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        light, dark = _inner_blobs(binary == 1, patch, 1), _inner_blobs(binary == 0, patch, -1)
        use_light = dark.sum() <= 3 * light.sum()
        light_votes += 1 if use_light else -1
        text[y0:y1, x0:x1] |= light if use_light else dark
        inside[y0:y1, x0:x1] = True
    polarity = 1.0 if light_votes >= 0 else -1.0
    around = cv2.dilate(text.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~text & inside
    return np.flatnonzero(text), np.flatnonzero(around), polarity


def _inner_blobs(mask: np.ndarray, patch: np.ndarray, polarity: int) -> np.ndarray:
    """``mask`` without its 8-connected blobs that touch the patch's edge, nor those far from the
    letters' level (picture seen through a letter's counter, inside its outline)."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    keep = np.ones(count, bool)
    keep[np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))] = False
    keep[0] = False
    # a blob's level is its strongest pixel (small marks, a full stop or an apostrophe, are mostly
    # edge); the letters' level is that of most of the ink, and the picture seen through a counter
    # of a letter is lighter or darker than that
    levels = np.full(count, -np.inf)
    np.maximum.at(levels, labels.reshape(-1), polarity * patch.reshape(-1).astype(np.float64))
    if keep.any():
        sizes = np.bincount(labels.reshape(-1), minlength=count)
        kept = np.flatnonzero(keep)
        order = kept[np.argsort(levels[kept])]
        weights = np.cumsum(sizes[order])
        letters = levels[order[np.searchsorted(weights, weights[-1] / 2)]]
        keep &= np.abs(levels - letters) <= LEVEL_TOLERANCE
    return keep[labels]


def ink_image(
    luma: np.ndarray, glyphs: np.ndarray, ring: np.ndarray, others: list[np.ndarray] | np.ndarray | None = None
) -> np.ndarray:
    """The subtitle alone, dark on white: each pixel near the glyphs placed between the ring's
    level (white) and the glyphs' level (black); the moving picture around it is gone, and so is
    any pixel that changed between ``luma`` and one of ``others`` (other views of the same subtitle)."""
    if glyphs.size == 0 or ring.size == 0:
        return luma
    flat = luma.reshape(-1).astype(np.float32)
    glyph_level, ring_level = float(flat[glyphs].mean()), float(flat[ring].mean())
    span = glyph_level - ring_level
    if abs(span) < 1:
        return luma
    marked = np.zeros(luma.size, np.uint8)
    marked[glyphs] = 1
    near = cv2.dilate(marked.reshape(luma.shape), np.ones((3, 3), np.uint8)).astype(bool)
    for other in [others] if isinstance(others, np.ndarray) else others or []:
        near &= np.abs(luma.astype(np.int16) - other.astype(np.int16)) <= STILL
    ink = np.clip((luma.astype(np.float32) - ring_level) / span, 0.0, 1.0)
    out = np.full(luma.shape, 255, np.uint8)
    out[near] = np.round(255 * (1 - ink[near])).astype(np.uint8)
    return out


def line_crops(ink: np.ndarray, margin: float = 0.25) -> tuple[list[np.ndarray], list[tuple[int, int, int, int]]]:
    """The text lines of a clean ink image (dark on white), as RGB crops with ``margin`` x the
    line's height around the ink, and their ink boxes (x0, y0, x1, y1): rows of ink apart from
    the next by a blank gap, or by a row that holds only a speck of the picture (under ``SPECK_ROW``
    of the busiest row's ink) halfway down a run twice a line's height; an accent or an i's dot
    close above its letters stays with them; each line keeps only its run of letters, not a speck
    of the picture beside it."""
    dark = ink < 128
    per_row = dark.sum(axis=1)
    rows = np.flatnonzero(per_row)
    if rows.size == 0:
        return [], []
    runs, begin = [], rows[0]
    for previous, row in zip(rows[:-1], rows[1:]):
        if row - previous > 1:
            runs.extend(_split_at_speck(begin, previous + 1, per_row))
            begin = row
    runs.extend(_split_at_speck(begin, rows[-1] + 1, per_row))
    lines: list[list[int]] = []
    for run in runs:  # a run shorter than a third of its neighbour below is its accents or dots
        if (
            lines
            and (lines[-1][1] - lines[-1][0]) < 0.35 * (run[1] - run[0])
            and run[0] - lines[-1][1] < 0.3 * (run[1] - run[0])
        ):
            lines[-1][1] = run[1]
        else:
            lines.append(run)
    crops, spans = [], []
    for top, bottom in lines:
        line_height = bottom - top
        span = _letters_run(dark[top:bottom], line_height)
        if line_height < 4 or span is None:
            continue
        left, right = span
        pad = max(2, round(margin * line_height))
        crop = np.full((line_height + 2 * pad, right - left + 2 * pad), 255, np.uint8)
        crop[pad : pad + line_height, pad : pad + right - left] = ink[top:bottom, left:right]
        crops.append(np.repeat(crop[..., None], 3, axis=2))
        spans.append((int(left), int(top), int(right), int(bottom)))
    return crops, spans


SPECK_ROW = 0.03  # share of the busiest row's ink below which a row counts as blank between lines


def _split_at_speck(top: int, bottom: int, per_row: np.ndarray) -> list[list[int]]:
    """The run of rows [top, bottom) as one line, or as two where a row in its middle third holds
    only a speck of ink: two lines that a speck of the picture joins (never a line's descenders,
    which lie in its last quarter)."""
    height = bottom - top
    middle = np.arange(top + int(0.35 * height), bottom - int(0.35 * height))
    if middle.size == 0:
        return [[top, bottom]]
    row = int(middle[np.argmin(per_row[middle])])
    if per_row[row] > SPECK_ROW * per_row[top:bottom].max():
        return [[top, bottom]]
    return [*_split_at_speck(top, row, per_row), *_split_at_speck(row + 1, bottom, per_row)]


WORD_GAP = 1.5  # line heights: letters of one subtitle line are never further apart than this


def _letters_run(dark: np.ndarray, line_height: int) -> tuple[int, int] | None:
    """(left, right) of the line's letters: the columns of ink split where they lie more than
    ``WORD_GAP`` line heights apart, and the group with the most ink kept."""
    counts = dark.sum(axis=0)
    cols = np.flatnonzero(counts)
    if cols.size == 0:
        return None
    breaks = np.flatnonzero(np.diff(cols) > WORD_GAP * line_height)
    starts, ends = np.r_[cols[0], cols[breaks + 1]], np.r_[cols[breaks], cols[-1]] + 1
    inks = [counts[a:b].sum() for a, b in zip(starts, ends)]
    best = int(np.argmax(inks))
    return int(starts[best]), int(ends[best])


def area(box: Box) -> float:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def overlap(a: Box, b: Box) -> float:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def iou(a: Box, b: Box) -> float:
    shared = overlap(a, b)
    return shared / max(1e-9, area(a) + area(b) - shared)


def union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def join_rows(boxes: list[Box], gap: float = 1.5) -> list[Box]:
    """Boxes on one row (overlapping by half the smaller height, at most 1.6 times as tall as each
    other, at most ``gap`` heights apart) joined into one box, chains of them too, and again with
    the joined boxes until nothing more joins. Pairwise in NumPy: a textured picture (foliage)
    can give the detector hundreds of boxes per look."""
    rows = sorted(boxes, key=lambda r: (r[1], r[0]))
    while len(rows) > 1:
        b = np.asarray(rows, np.float64)
        heights = b[:, 3] - b[:, 1]
        shared = np.minimum(b[:, None, 3], b[None, :, 3]) - np.maximum(b[:, None, 1], b[None, :, 1])
        apart = np.maximum(b[:, None, 0], b[None, :, 0]) - np.minimum(b[:, None, 2], b[None, :, 2])
        low, high = np.minimum(heights[:, None], heights[None, :]), np.maximum(heights[:, None], heights[None, :])
        near = (shared >= 0.5 * low) & (high <= 1.6 * low) & (apart <= gap * high)
        count, labels = connected_components(near)
        if count == len(rows):
            break
        rows = sorted(
            (
                (int(m[:, 0].min()), int(m[:, 1].min()), int(m[:, 2].max()), int(m[:, 3].max()))
                for m in (b[labels == label] for label in range(count))
            ),
            key=lambda r: (r[1], r[0]),
        )
    return [tuple(int(v) for v in r) for r in rows]


def connected_components(adjacent: np.ndarray) -> tuple[int, np.ndarray]:
    """Components of a symmetric boolean adjacency matrix: (count, label per node)."""
    labels = np.full(len(adjacent), -1)
    count = 0
    for start in range(len(adjacent)):
        if labels[start] >= 0:
            continue
        stack = [start]
        labels[start] = count
        while stack:
            node = stack.pop()
            for other in np.flatnonzero(adjacent[node] & (labels < 0)):
                labels[other] = count
                stack.append(other)
        count += 1
    return count, labels
