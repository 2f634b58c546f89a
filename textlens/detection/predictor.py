"""Torch-free text detection on ONNX Runtime.

The page is resized so its long side is the model's ``long_side`` (both sides multiples of
32), the probability map comes from ONNX Runtime, and ``textlens.detection.postprocess``
turns it into polygons in the original image's pixel coordinates, clockwise from the top-left.

Text far taller than the model saw in training (signs, headings, large screenshots text) is
found at a coarser scale: a second, cheap pass at ``coarse_side`` adds the regions that the
fine pass missed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import cv2
import numpy as np

from textlens.detection.postprocess import PostprocessConfig, boxes_from_map
from textlens.detection.preprocess import input_size, prepare, to_rgb
from textlens.document import ModelInfo
from textlens.errors import TextlensError
from textlens.models.registry import file_sha256, resolve_model
from textlens.runtime.session import create_session, model_metadata

__all__ = ["DetectedRegion", "Detector"]

# An image narrower than this (px) in one direction is a strip of text: a line or word screenshot.
STRIP_SIDE = 256
# The coarse pass runs where the fine pass found at most this many lines, or lines whose median
# height in the fine pass's input is at least this many px (see Detector._may_hold_large_type).
COARSE_MAX_LINES = 12
COARSE_MIN_HEIGHT = 40.0
# A page of at least this many level lines may hold drop caps (see split_initials).
INITIAL_MIN_LINES = 8


@dataclass
class DetectedRegion:
    """One text region: polygon in original pixels (clockwise from the top-left) and its score;
    ``weak``: scored below the box threshold (only returned when a weak threshold is set);
    ``scene``: a word the scene detector found in a photo (read by the scene recognizer, if any)."""

    polygon: list[tuple[float, float]]
    score: float
    weak: bool = False
    scene: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"polygon": [[x, y] for x, y in self.polygon], "score": self.score}
        if self.weak:
            data["weak"] = True
        return data


class Detector:
    """A text detector model loaded in ONNX Runtime.

    ``long_side`` and ``postprocess`` (thresholds, unclip ratio, polygon output) start from
    the values stored in the model and may be changed on the instance.
    """

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        self.path = Path(path)
        self.session = create_session(self.path, threads)
        meta = model_metadata(self.session, path)
        if meta.get("textlens_kind") != "detector":
            raise TextlensError(f"{path}: not a textlens detector model (no detector metadata)")
        try:
            config = meta["config"]
            self.config = config
            self.long_side = int(config["long_side"])
            self.mean = tuple(float(v) for v in config["mean"])
            self.std = tuple(float(v) for v in config["std"])
            self.postprocess = PostprocessConfig(
                bin_thresh=float(config["bin_thresh"]),
                box_thresh=float(config["box_thresh"]),
                unclip_ratio=float(config["unclip_ratio"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TextlensError(
                f"{path}: damaged textlens metadata in the model ({type(exc).__name__}: {exc})"
            ) from None
        # Second pass for large text (None: off); ~(coarse/long)^2 extra compute.
        self.coarse_side: int | None = 480 if self.long_side > 640 else None
        # A strip of text narrower than STRIP_SIDE is framed by this fraction of its long side (0: off).
        self.strip_pad = 0.15
        # Pieces of one line (overlapping or this close, in line heights) become one region (None: off).
        # (large type: a 12-28 pt test page's CER 2.2 -> 1.7%, sroie-test 4.7 -> 4.6%)
        self.join_gap: float | None = 0.3
        # A drop cap that the detector joined with the lines it spans is cut out of them (pages only).
        self.split_initials = True
        self.info = ModelInfo(str(meta.get("name", self.path.stem)), "detector", file_sha256(self.path))
        self._input = self.session.get_inputs()[0].name

    @classmethod
    def load(cls, model: str | Path | None = None, threads: int | None = None) -> Detector:
        """Load a registered model name, an ``.onnx`` path, or the default (None)."""
        return cls(resolve_model(model, "detector"), threads=threads)

    def probability_map(self, image: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
        """The (H', W') text probability map of ``image`` and its (sx, sy) scale to image pixels."""
        tensor, scale = prepare(image, self.long_side, self.mean, self.std)
        prob = self.session.run(None, {self._input: tensor})[0]
        return prob[0, 0], scale

    def predict(self, image: np.ndarray) -> list[DetectedRegion]:
        """Text regions of one RGB (or grey/RGBA) uint8 page, top to bottom."""
        self.postprocess.validate()
        image = np.asarray(image)
        if self.strip_pad and min(image.shape[:2]) < STRIP_SIDE:
            # A strip of text (a line or word screenshot) gives the detector no page around its
            # text: framed in its own background colour it is found whole (single-line images of
            # 16-100 px type: 152 -> 168 of 180 read right).
            pad = round(self.strip_pad * max(image.shape[:2]))
            framed = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=_border_colour(image))
            height, width = image.shape[:2]
            shifted = [_shifted(region, -pad, width, height) for region in self._predict(framed)]
            return [region for region in shifted if _has_area(region.polygon)]  # not all in the frame
        return self._predict(image)

    def _predict(self, image: np.ndarray) -> list[DetectedRegion]:
        full = (image.shape[0], image.shape[1])
        if not (self.coarse_side and self.coarse_side < self.long_side):
            regions = self._regions(image, self.long_side, full)
        else:
            # a large page is shrunk once, to the fine pass's input, and the coarse pass shrinks that
            work = _shrunk(image, self.long_side)
            regions = self._regions(work, self.long_side, full)
            if self._may_hold_large_type(regions, full):
                regions = _add_missed(regions, self._regions(work, self.coarse_side, full), full)
        if self.split_initials:
            regions = split_initials(regions, image)
        return join_row_fragments(regions, self.join_gap) if self.join_gap is not None else regions

    def _may_hold_large_type(self, regions: list[DetectedRegion], full: tuple[int, int]) -> bool:
        """Whether the coarse pass may find what the fine pass could not: type too large for it
        shows as few lines (a slide, a sign, a title page; nothing at all) or as tall ones. A page
        of many lines of small type (a receipt, body text) skips it: there it only added logos and
        stamps (sroie-test CER 4.76 -> 4.44% without it, 9% less time)."""
        lines = [r for r in regions if not r.weak]
        if len(lines) <= COARSE_MAX_LINES:
            return True
        to_input = input_size(*full, self.long_side)[0] / full[0]
        heights = [_line_height(r.polygon) * to_input for r in lines]
        return median(heights) >= COARSE_MIN_HEIGHT

    def _regions(self, image: np.ndarray, long_side: int, full: tuple[int, int]) -> list[DetectedRegion]:
        """Regions of ``image`` in the coordinates of the (H, W) ``full`` image it was shrunk from."""
        tensor, (sx, sy) = prepare(image, long_side, self.mean, self.std)
        prob = self.session.run(None, {self._input: tensor})[0][0, 0]
        scale = (sx * full[1] / image.shape[1], sy * full[0] / image.shape[0])
        boxes = boxes_from_map(prob, self.postprocess, scale, (full[1], full[0]))
        strong = self.postprocess.box_thresh
        return [DetectedRegion(polygon, score, weak=score < strong) for polygon, score in boxes]


def _line_height(polygon: list[tuple[float, float]]) -> float:
    """The shorter side of a region's box (its line height, whatever its tilt)."""
    points = np.asarray(polygon, np.float64)
    sides = np.linalg.norm(np.roll(points, -1, axis=0) - points, axis=1)
    return float(min(sides[0], sides[1])) if len(points) == 4 else float(np.ptp(points[:, 1]))


def _border_colour(image: np.ndarray) -> tuple[int, ...]:
    """The median colour of the image's outermost pixels (its background, as a rule)."""
    pixels = image.reshape(image.shape[0], image.shape[1], -1)
    edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return tuple(int(v) for v in np.median(edge, axis=0))


def _shifted(region: DetectedRegion, offset: float, width: int, height: int) -> DetectedRegion:
    """``region`` moved by (offset, offset) and clipped to a ``width`` x ``height`` image."""
    polygon = [
        (float(min(max(x + offset, 0.0), width)), float(min(max(y + offset, 0.0), height))) for x, y in region.polygon
    ]
    return dataclasses.replace(region, polygon=polygon)


def _has_area(polygon: list[tuple[float, float]], min_side: float = 1.0) -> bool:
    xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
    return max(xs) - min(xs) >= min_side and max(ys) - min(ys) >= min_side


def _shrunk(image: np.ndarray, long_side: int) -> np.ndarray:
    """The image at the size ``prepare`` gives it for ``long_side`` when that is smaller (same pixels)."""
    height, width = image.shape[:2]
    h, w = input_size(height, width, long_side)
    if h >= height or w >= width:
        return image
    return cv2.resize(to_rgb(image), (w, h), interpolation=cv2.INTER_AREA)


def join_row_fragments(regions: list[DetectedRegion], max_gap: float = 0.0) -> list[DetectedRegion]:
    """Regions that are pieces of one text line (level boxes on the same row, of about the same
    height, overlapping or at most ``max_gap`` line heights apart) joined into one.

    The detector sometimes cuts a line of large or italic type into overlapping pieces; read
    apart, each piece picks up a sliver of its neighbour's glyphs ("EVERGREEN P" + "PHARMACY")."""
    if len(regions) < 2:
        return regions
    boxes = np.array([_box(r) for r in regions], np.float64)
    level = np.array([_is_level(r.polygon) for r in regions])
    parent = list(range(len(regions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    heights = boxes[:, 3] - boxes[:, 1]
    order = np.argsort(boxes[:, 0])
    for a_pos, a in enumerate(order):
        if not level[a]:
            continue
        for b in order[a_pos + 1 :]:
            gap = boxes[b, 0] - boxes[a, 2]
            if gap > max_gap * heights[a]:
                break
            if not level[b] or max(heights[a], heights[b]) > 1.5 * min(heights[a], heights[b]):
                continue
            overlap = min(boxes[a, 3], boxes[b, 3]) - max(boxes[a, 1], boxes[b, 1])
            if overlap >= 0.6 * min(heights[a], heights[b]) and gap <= max_gap * max(heights[a], heights[b]):
                parent[find(b)] = find(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(regions)):
        groups.setdefault(find(i), []).append(i)
    if len(groups) == len(regions):
        return regions
    joined = []
    for members in groups.values():
        if len(members) == 1:
            joined.append(regions[members[0]])
            continue
        x0, y0 = boxes[members, 0].min(), boxes[members, 1].min()
        x1, y1 = boxes[members, 2].max(), boxes[members, 3].max()
        polygon = [(float(x0), float(y0)), (float(x1), float(y0)), (float(x1), float(y1)), (float(x0), float(y1))]
        score = max(regions[i].score for i in members)
        joined.append(DetectedRegion(polygon, score, weak=all(regions[i].weak for i in members)))
    joined.sort(key=lambda r: (min(y for _, y in r.polygon), min(x for x, _ in r.polygon)))
    return joined


def split_initials(regions: list[DetectedRegion], image: np.ndarray) -> list[DetectedRegion]:
    """Regions where the detector ran a drop cap (an initial two or more lines tall) into the
    lines beside it, cut into the initial and those lines; a line another region already holds
    is not added twice. Read whole, such a region is one line of garbage as tall as the initial."""
    boxes = np.array([_box(r) for r in regions], np.float64)
    level = [i for i, r in enumerate(regions) if not r.weak and _is_level(r.polygon)]
    if len(level) < INITIAL_MIN_LINES:
        return regions
    line = float(median(boxes[level, 3] - boxes[level, 1]))
    candidates = set(level)
    out: list[DetectedRegion] = []
    for i, region in enumerate(regions):
        x0, y0, x1, y1 = boxes[i]
        pieces = None
        if i in candidates and y1 - y0 >= 2 * line and x1 - x0 >= 4 * (y1 - y0):
            pieces = _initial_and_lines(image, boxes[i], line)
        if pieces is None:
            out.append(region)
            continue
        others = np.delete(boxes, i, axis=0)
        for box in pieces:
            if not _mostly_inside(box, others):
                a, b, c, d = (float(v) for v in box)
                out.append(DetectedRegion([(a, b), (c, b), (c, d), (a, d)], region.score, weak=region.weak))
    return out


def _initial_and_lines(image: np.ndarray, box: np.ndarray, line: float) -> list[np.ndarray] | None:
    """Boxes (page pixels) of the initial at the left of ``box`` and of the text lines right of
    it, or None when ``box`` holds no such initial (large type, a heading: all of it is tall)."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    crop = to_rgb(image)[max(y0, 0) : y1, max(x0, 0) : x1]
    if crop.size == 0:
        return None
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    dark_text = np.median(grey) > grey.mean() - 1e-6  # background is the majority
    mode = cv2.THRESH_BINARY_INV if dark_text else cv2.THRESH_BINARY
    _, ink = cv2.threshold(grey, 0, 1, mode + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    tall = [k for k in range(1, count) if stats[k, cv2.CC_STAT_HEIGHT] >= 1.5 * line]
    if not 1 <= len(tall) <= 2:
        return None
    cap_end = max(stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH] for k in tall)
    if cap_end > 0.15 * grey.shape[1]:
        return None
    rest = ink[:, cap_end:].copy()
    rest[np.isin(labels[:, cap_end:], tall)] = 0
    bands = _ink_bands(rest.sum(axis=1), max(2, 0.02 * rest.shape[1]), line)
    if len(bands) < 2:
        return None
    pieces = [np.array([x0, y0, x0 + cap_end, y1], np.float64)]
    for top, bottom in bands:
        columns = np.flatnonzero(rest[top:bottom].any(axis=0))
        pad = 0.15 * line
        pieces.append(np.array([x0 + cap_end + columns[0] - pad, y0 + top - pad, x0 + cap_end + columns[-1] + 1 + pad,
                                y0 + bottom + pad], np.float64))  # fmt: skip
    return pieces


def _ink_bands(profile: np.ndarray, min_ink: float, line: float) -> list[tuple[int, int]]:
    """(top, bottom) rows of the runs of ``profile`` above ``min_ink`` that are line-sized; [] when
    any run is too tall to be one line."""
    rows = np.flatnonzero(profile > min_ink)
    if not len(rows):
        return []
    breaks = np.flatnonzero(np.diff(rows) > 1)
    runs = [(int(rows[a]), int(rows[b]) + 1) for a, b in zip(np.r_[0, breaks + 1], np.r_[breaks, len(rows) - 1])]
    if any(bottom - top > 1.5 * line for top, bottom in runs):
        return []
    return [(top, bottom) for top, bottom in runs if bottom - top >= 0.4 * line]


def _mostly_inside(box: np.ndarray, others: np.ndarray, share: float = 0.5) -> bool:
    """Does one of ``others`` cover at least ``share`` of ``box``?"""
    if not len(others):
        return False
    w = np.clip(np.minimum(others[:, 2], box[2]) - np.maximum(others[:, 0], box[0]), 0, None)
    h = np.clip(np.minimum(others[:, 3], box[3]) - np.maximum(others[:, 1], box[1]), 0, None)
    area = max((box[2] - box[0]) * (box[3] - box[1]), 1e-6)
    return bool((w * h / area >= share).any())


def _is_level(polygon: list[tuple[float, float]], max_degrees: float = 3.0) -> bool:
    """A box whose long side runs within ``max_degrees`` of horizontal (and that is wider than tall)."""
    (_, _), (w, h), angle = cv2.minAreaRect(np.asarray(polygon, np.float32))
    if w < h:
        w, h, angle = h, w, angle - 90
    tilt = abs((angle + 90) % 180 - 90)
    return w >= h and tilt <= max_degrees


def _box(region: DetectedRegion) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of a region's polygon."""
    points = np.asarray(region.polygon, dtype=np.float64)
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def _completes_a_line(coarse: DetectedRegion, found: list[DetectedRegion], share: float = 0.6) -> bool:
    """Is ``coarse`` one line of large type of which the fine pass found only some words? The
    fine regions it holds all lie on its row, at least two thirds of its height, and span less
    than ``share`` of its width (a heading whose first words were too large for the fine pass)."""
    x0, y0, x1, y1 = _box(coarse)
    if not _is_level(coarse.polygon) or x1 - x0 <= 0:
        return False
    spans = []
    for region in found:
        a0, b0, a1, b1 = _box(region)
        if a1 <= x0 or a0 >= x1 or b1 <= y0 or b0 >= y1:
            continue
        if min(b1, y1) - max(b0, y0) < 0.5 * (b1 - b0):
            continue  # a line above or below that only touches it
        if b1 - b0 < (y1 - y0) / 1.5 or a0 < x0 - 0.5 * (b1 - b0) or a1 > x1 + 0.5 * (b1 - b0):
            return False  # smaller type (stacked lines) or a line running out of it: not one line
        spans.append((max(a0, x0), min(a1, x1)))
    if not spans:
        return False
    spans.sort()
    width, (start, end) = 0.0, spans[0]
    for a, b in spans[1:]:
        if a > end:
            width, start = width + end - start, a
        end = max(end, b)
    return width + end - start < share * (x1 - x0)


def _add_missed(
    found: list[DetectedRegion], coarse: list[DetectedRegion], size: tuple[int, int], overlap: float = 0.2
) -> list[DetectedRegion]:
    """``found`` plus the ``coarse`` regions lying mostly where nothing confident was found, in
    reading order; fine regions inside an added one (fragments of the same text, such as a word
    of a large-type line the fine pass saw alone) go.

    Coverage is measured on a small raster of the page (``size`` = (H, W)): cheap and exact enough."""
    if not coarse:
        return found
    scale = 512.0 / max(size)
    shape = (int(size[0] * scale) + 2, int(size[1] * scale) + 2)

    def raster(regions: list[DetectedRegion]) -> np.ndarray:
        mask = np.zeros(shape, np.uint8)
        polygons = [np.round(np.asarray(r.polygon) * scale).astype(np.int32) for r in regions]
        return cv2.fillPoly(mask, polygons, 1) if polygons else mask

    def share_inside(region: DetectedRegion, mask: np.ndarray) -> float:
        # the region drawn in a window of the raster around it only (same pixels, far cheaper)
        points = np.round(np.asarray(region.polygon) * scale).astype(np.int32)
        x0, y0 = np.maximum(points.min(axis=0), 0)
        x1, y1 = np.minimum(points.max(axis=0) + 1, [shape[1], shape[0]])
        if x1 <= x0 or y1 <= y0:
            return 1.0
        own = cv2.fillPoly(np.zeros((y1 - y0, x1 - x0), np.uint8), [points - [x0, y0]], 1)
        area = int(np.count_nonzero(own))
        return int(np.count_nonzero(own & mask[y0:y1, x0:x1])) / area if area else 1.0

    confident = [r for r in found if not r.weak]
    covered = raster(confident)
    added = [r for r in coarse if share_inside(r, covered) < overlap or _completes_a_line(r, confident)]
    if not added:
        return found
    new = raster(added)
    kept = [r for r in found if share_inside(r, new) <= 0.5]
    regions = kept + added
    regions.sort(key=lambda r: (min(y for _, y in r.polygon), min(x for x, _ in r.polygon)))
    return regions
