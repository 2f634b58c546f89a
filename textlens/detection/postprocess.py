"""Probability map -> text polygons (DBNet post-processing), NumPy + OpenCV + pyclipper only.

Steps: binarise the map at ``bin_thresh``; take each connected contour; score it by the mean
probability inside it and drop it below ``box_thresh``; grow the (shrunk) kernel back by
``D = area * unclip_ratio / perimeter`` with pyclipper; return its minimum-area rectangle
(or the grown polygon when ``polygons`` is set, for curved text). Points are ordered
clockwise from the top-left (geometry convention of ``textlens.document``) and scaled
from map pixels to the caller's coordinates.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
import pyclipper

from textlens.errors import TextlensError

Polygon = list[tuple[float, float]]


@dataclass
class PostprocessConfig:
    bin_thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.5
    min_size: float = 1.5  # kernels thinner than min_size - 1 and boxes thinner than min_size + 1 (map px) are dropped
    max_candidates: int = 3000
    polygons: bool = False  # True: return the unclipped contour (curved text) instead of a rectangle
    # Also return regions scored in [weak_box_thresh, box_thresh) (None: never): faint or tiny text
    # for a later stage to confirm or drop.
    weak_box_thresh: float | None = None

    def validate(self) -> None:
        if not 0.0 < self.bin_thresh < 1.0 or not 0.0 <= self.box_thresh < 1.0:
            raise TextlensError(f"detector thresholds must lie in (0, 1): {self.bin_thresh}, {self.box_thresh}")
        if self.weak_box_thresh is not None and not 0.0 <= self.weak_box_thresh <= self.box_thresh:
            raise TextlensError(
                f"weak_box_thresh must lie in [0, box_thresh={self.box_thresh}], got {self.weak_box_thresh}"
            )
        if self.unclip_ratio <= 0:
            raise TextlensError(f"unclip_ratio must be > 0, got {self.unclip_ratio}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostprocessConfig:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def order_clockwise(points: np.ndarray) -> np.ndarray:
    """Points sorted clockwise on screen (y down) around their centroid."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    return pts[np.argsort(angles, kind="stable")]


def order_rect(points: np.ndarray) -> np.ndarray:
    """A rectangle's 4 corners clockwise, starting at the top-left.

    The start is the corner whose outgoing (clockwise) edge points rightwards, i.e. its
    direction lies within 45 degrees of +x: the top edge of text up to 45 degrees of tilt.
    """
    pts = order_clockwise(points)
    best, best_cos = 0, -2.0
    for i in range(4):
        d = pts[(i + 1) % 4] - pts[i]
        cos = d[0] / (math.hypot(d[0], d[1]) + 1e-12)
        if cos > best_cos + 1e-9:
            best, best_cos = i, cos
    return np.roll(pts, -best, axis=0)


def order_polygon(points: np.ndarray) -> np.ndarray:
    """A polygon clockwise, starting at the point nearest its bounding box's top-left corner."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if _signed_area(pts) < 0:  # counter-clockwise on screen
        pts = pts[::-1]
    corner = pts.min(axis=0)
    start = int(np.argmin(np.hypot(*(pts - corner).T)))
    return np.roll(pts, -start, axis=0)


def _signed_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def unclip(poly: np.ndarray, ratio: float) -> np.ndarray | None:
    """Grow a polygon outwards by ``area * ratio / perimeter`` pixels."""
    poly = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
    area = abs(_signed_area(poly))
    length = cv2.arcLength(poly.astype(np.float32), True)
    if length <= 0:
        return None
    distance = area * ratio / length
    pco = pyclipper.PyclipperOffset()
    # pyclipper works on integers: scale up so sub-pixel map geometry survives.
    scale = 16.0
    pco.AddPath(
        [tuple(p) for p in np.round(poly * scale).astype(np.int64).tolist()],
        pyclipper.JT_ROUND,
        pyclipper.ET_CLOSEDPOLYGON,
    )
    out = pco.Execute(distance * scale)
    if not out:
        return None
    biggest = max(out, key=lambda p: abs(pyclipper.Area(p)))
    return np.asarray(biggest, dtype=np.float64) / scale


def unclip_rect(rect: tuple, ratio: float) -> tuple | None:
    """``unclip`` for a rotated rectangle ((cx, cy), (w, h), angle), in closed form: grown by d on
    every side, its minimum-area rectangle is (w + 2d) x (h + 2d) about the same centre (the
    rounded corners lie inside it). None for a rectangle without area, as ``unclip`` gives."""
    centre, (w, h), angle = rect
    if w <= 0 or h <= 0:
        return None
    distance = w * h * ratio / (2.0 * (w + h))
    return centre, (w + 2 * distance, h + 2 * distance), angle


def _mean_score(prob: np.ndarray, contour: np.ndarray) -> float:
    """Mean probability inside ``contour`` (evaluated on its bounding box only)."""
    h, w = prob.shape
    x0, y0 = np.clip(np.floor(contour.min(axis=0)).astype(int), 0, [w - 1, h - 1])
    x1, y1 = np.clip(np.ceil(contour.max(axis=0)).astype(int), 0, [w - 1, h - 1])
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    shifted = np.round(contour - [x0, y0]).astype(np.int32)
    cv2.fillPoly(mask, [shifted], 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def boxes_from_map(
    prob: np.ndarray,
    config: PostprocessConfig | None = None,
    scale: tuple[float, float] = (1.0, 1.0),
    size: tuple[int, int] | None = None,
) -> list[tuple[Polygon, float]]:
    """Polygons and scores from a (H, W) probability map.

    ``scale`` = (sx, sy) multiplies map coordinates into output coordinates; ``size`` = (W, H)
    of the output image clips the points to it.
    """
    config = config or PostprocessConfig()
    prob = np.asarray(prob, dtype=np.float32)
    if prob.ndim != 2:
        raise ValueError(f"probability map must be 2-D, got shape {prob.shape}")
    bitmap = (prob > config.bin_thresh).astype(np.uint8)
    contours, _ = cv2.findContours(bitmap, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    results: list[tuple[Polygon, float]] = []
    sx, sy = scale
    min_score = config.box_thresh if config.weak_box_thresh is None else config.weak_box_thresh
    for contour in contours[: config.max_candidates]:
        contour = contour.reshape(-1, 2).astype(np.float64)
        if len(contour) < 3:
            continue
        kernel_rect = cv2.minAreaRect(contour.astype(np.float32))
        if min(kernel_rect[1]) < config.min_size - 1:
            continue
        score = _mean_score(prob, contour)
        if score < min_score:
            continue
        pts, rect = None, None
        if config.polygons:
            grown = unclip(contour, config.unclip_ratio)
            if grown is None or len(grown) < 3:
                continue
            eps = 0.005 * cv2.arcLength(grown.astype(np.float32), True)
            approx = cv2.approxPolyDP(grown.astype(np.float32), eps, True).reshape(-1, 2).astype(np.float64)
            pts = order_polygon(approx) if len(approx) >= 4 else None
            rect = cv2.minAreaRect(grown.astype(np.float32))
        else:
            rect = unclip_rect(kernel_rect, config.unclip_ratio)
            if rect is None:
                continue
        if pts is None:
            if min(rect[1]) < config.min_size + 1:
                continue
            pts = order_rect(cv2.boxPoints(rect))
        pts = pts * [sx, sy]
        if size is not None:
            pts[:, 0] = np.clip(pts[:, 0], 0, size[0])
            pts[:, 1] = np.clip(pts[:, 1], 0, size[1])
        results.append(([(float(x), float(y)) for x, y in pts], score))
    # Reading-friendly order: top to bottom, then left to right.
    results.sort(key=lambda r: (min(p[1] for p in r[0]), min(p[0] for p in r[0])))
    return results
