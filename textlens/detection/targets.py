"""DBNet training targets: shrunk text kernels, threshold (border) maps and masks.

For each text polygon of area A and perimeter L, DBNet shrinks it inwards by
``D = A (1 - r^2) / L`` (``r`` = shrink ratio, 0.4): the shrunk kernel is the positive
region of the probability map, so touching lines stay apart. The threshold map rises
from ``thresh_min`` away from text to ``thresh_max`` on the polygon outline, over a band
of width ``D`` on both sides. Don't-care (``###``) and degenerate polygons are cut out of
the loss with a zero mask. Everything is NumPy + OpenCV + pyclipper (no torch).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pyclipper


@dataclass(frozen=True)
class TargetConfig:
    shrink_ratio: float = 0.4
    thresh_min: float = 0.3
    thresh_max: float = 0.7
    min_text_size: float = 3.0  # polygons thinner than this (pixels) are ignored, not learned


@dataclass
class Targets:
    """Float32 (H, W) maps: ``gt`` kernel, ``mask`` (1 = count in loss), threshold map and its mask."""

    gt: np.ndarray
    mask: np.ndarray
    thresh: np.ndarray
    thresh_mask: np.ndarray


def polygon_area(poly: np.ndarray) -> float:
    return float(cv2.contourArea(poly.astype(np.float32)))


def _offset(poly: np.ndarray, distance: float) -> list[np.ndarray]:
    """Offset a polygon by ``distance`` pixels (negative = shrink); empty list if it vanishes."""
    pco = pyclipper.PyclipperOffset()
    pco.AddPath([tuple(map(int, map(round, p))) for p in poly], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return [np.asarray(p, dtype=np.float64) for p in pco.Execute(distance)]


def _short_side(poly: np.ndarray) -> float:
    (_, _), (w, h), _ = cv2.minAreaRect(poly.astype(np.float32))
    return min(w, h)


def make_targets(
    shape: tuple[int, int],
    polygons: list[np.ndarray],
    ignore: list[bool],
    config: TargetConfig | None = None,
) -> Targets:
    """Targets for an image of ``shape`` (H, W) holding ``polygons`` ((N, 2) pixel arrays).

    ``ignore[i]`` marks don't-care regions (their area gets mask 0).
    """
    config = config or TargetConfig()
    h, w = shape
    gt = np.zeros((h, w), np.float32)
    mask = np.ones((h, w), np.float32)
    thresh = np.zeros((h, w), np.float32)
    thresh_mask = np.zeros((h, w), np.float32)
    r2 = 1.0 - config.shrink_ratio**2
    for poly, dont_care in zip(polygons, ignore):
        poly = np.asarray(poly, dtype=np.float64).reshape(-1, 2)
        area = abs(polygon_area(poly))
        if dont_care or area < 1 or _short_side(poly) < config.min_text_size:
            cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 0.0)
            continue
        length = cv2.arcLength(poly.astype(np.float32), True)
        distance = area * r2 / max(length, 1e-6)
        shrunk = _offset(poly, -distance)
        if not shrunk or len(shrunk[0]) < 3:
            cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 0.0)
            continue
        cv2.fillPoly(gt, [np.round(s).astype(np.int32) for s in shrunk], 1.0)
        _draw_border(poly, distance, thresh, thresh_mask)
    thresh = thresh * (config.thresh_max - config.thresh_min) + config.thresh_min
    return Targets(gt, mask, thresh, thresh_mask)


def _draw_border(poly: np.ndarray, distance: float, canvas: np.ndarray, mask: np.ndarray) -> None:
    """Raise ``canvas`` towards 1 near the polygon outline, within ``distance`` (DBNet border map)."""
    expanded = _offset(poly, distance)
    if not expanded:
        return
    padded = expanded[0]
    cv2.fillPoly(mask, [np.round(padded).astype(np.int32)], 1.0)
    H, W = canvas.shape
    # Only pixels near the canvas matter (lines cut by a crop can extend far beyond it).
    reach = int(distance) + 2
    x0, y0 = np.maximum(np.floor(padded.min(axis=0)).astype(int) - 1, -reach)
    x1, y1 = np.minimum(np.ceil(padded.max(axis=0)).astype(int) + 1, [W + reach, H + reach])
    if x1 <= x0 or y1 <= y0:
        return
    # Distance of every pixel of the box to the polygon outline: one C call instead of
    # NumPy point-to-segment distances (accurate to a fraction of a pixel).
    outline = np.full((y1 - y0 + 1, x1 - x0 + 1), 255, np.uint8)
    cv2.polylines(outline, [np.round(poly - [x0, y0]).astype(np.int32)], True, 0, 1)
    dist = cv2.distanceTransform(outline, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    value = 1.0 - np.clip(dist / max(distance, 1e-6), 0.0, 1.0)
    # Paste the part of the box that lies inside the image.
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, W - 1), min(y1, H - 1)
    if cx1 < cx0 or cy1 < cy0:
        return
    sub = value[cy0 - y0 : cy1 - y0 + 1, cx0 - x0 : cx1 - x0 + 1]
    region = canvas[cy0 : cy1 + 1, cx0 : cx1 + 1]
    np.maximum(region, sub, out=region)
