"""Synthetic signatures: a writer is a smooth pen path; their signatures vary it a little, a forger's
copies vary it more and tremble (for tests, and to pad real writers in training).

A writer's path runs through 6-12 random points left to right with loops (a Catmull-Rom spline);
each genuine signature moves the points by ``GENUINE_JITTER`` of the size and keeps the pen; a
skilled forgery moves them by ``FORGED_JITTER``, adds a tremor along the stroke and a blunter pen.
"""

from __future__ import annotations

import cv2
import numpy as np

GENUINE_JITTER = 0.015
FORGED_JITTER = 0.045


def writer_points(seed: int, count: int | None = None) -> np.ndarray:
    """The control points (n, 2), in [0, 1] x [0, 1], of writer ``seed``."""
    rng = np.random.default_rng(seed)
    n = count or int(rng.integers(6, 13))
    xs = np.sort(rng.uniform(0.05, 0.95, n))
    ys = rng.uniform(0.15, 0.85, n)
    return np.stack([xs, ys], axis=1)


def _spline(points: np.ndarray, per_segment: int = 24) -> np.ndarray:
    padded = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        out.append(
            0.5
            * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    out.append(points[-1:])
    return np.vstack(out)


def render_signature(
    writer: int, *, forged: bool = False, sample: int = 0, size: tuple[int, int] = (160, 360)
) -> np.ndarray:
    """A greyscale (height, width) uint8 signature of ``writer``: genuine, or a skilled forgery."""
    rng = np.random.default_rng([writer, sample, int(forged)])
    points = writer_points(writer)
    jitter = FORGED_JITTER if forged else GENUINE_JITTER
    points = points + rng.normal(0, jitter, points.shape)
    path = _spline(points)
    if forged:  # a copied stroke trembles
        path = path + rng.normal(0, 0.004, path.shape)
    height, width = size
    canvas = np.full((height, width), 255, np.uint8)
    pixels = np.round(path * (width - 20, height - 20) + 10).astype(np.int32)
    pen = int(rng.integers(2, 4)) + (1 if forged else 0)
    cv2.polylines(canvas, [pixels], False, int(rng.integers(20, 80)), pen, cv2.LINE_AA)
    noise = rng.normal(0, 4, canvas.shape)
    return np.clip(canvas.astype(np.float32) + noise, 0, 255).astype(np.uint8)
