"""Cheap photometric and geometric augmentation for real line crops (grey uint8)."""

from __future__ import annotations

import cv2
import numpy as np


def jitter_crop(gray: np.ndarray, rng: np.random.Generator, max_frac: float = 0.08) -> np.ndarray:
    """Shave or pad each side a little, so the model sees tight, loose and off-centre crops.

    Every side moves in proportion to the line height (not the width): text often starts
    close to the edge, and shaving a glyph off would teach the model to drop characters."""
    h, w = gray.shape
    pads = (rng.uniform(-max_frac, max_frac, 4) * h).astype(int)
    top, bottom, left, right = pads
    border = int(np.median(np.concatenate([gray[0], gray[-1]])))
    out = cv2.copyMakeBorder(
        gray, max(top, 0), max(bottom, 0), max(left, 0), max(right, 0), cv2.BORDER_CONSTANT, value=border
    )
    y0, y1 = max(-top, 0), out.shape[0] - max(-bottom, 0)
    x0, x1 = max(-left, 0), out.shape[1] - max(-right, 0)
    if y1 - y0 < 8 or x1 - x0 < 8:
        return gray
    return out[y0:y1, x0:x1]


def augment_line(gray: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Random blur, noise, contrast, JPEG, small rotation, width scaling and stroke changes."""
    if rng.random() < 0.5 * strength:
        gray = jitter_crop(gray, rng)
    h, w = gray.shape
    if rng.random() < 0.3 * strength:
        angle = rng.uniform(-2.0, 2.0)
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.4 * strength:
        scale = rng.uniform(0.8, 1.2)
        gray = cv2.resize(gray, (max(8, int(w * scale)), h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.15 * strength:
        kernel = np.ones((2, 2), np.uint8)
        gray = cv2.erode(gray, kernel) if rng.random() < 0.5 else cv2.dilate(gray, kernel)
    if rng.random() < 0.25 * strength:
        k = int(rng.choice([3, 5]))
        gray = cv2.GaussianBlur(gray, (k, k), rng.uniform(0.3, 1.2))
    out = gray.astype(np.float32)
    if rng.random() < 0.5 * strength:
        lo, hi = np.percentile(out, [2, 98])
        contrast = rng.uniform(0.5, 1.2)
        out = (out - lo) * contrast + lo + rng.uniform(-30, 30)
    if rng.random() < 0.25 * strength:
        out += rng.normal(0, rng.uniform(3, 15), out.shape)
    gray = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.15 * strength:
        quality = int(rng.integers(20, 70))
        ok, buf = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            gray = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return gray


def warp_line(gray: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Shear, rotation and a smooth local distortion of the whole crop.

    Small sets of distorted glyphs (CAPTCHAs) need glyph-shape variety that the photometric
    jitter of :func:`augment_line` does not give; document lines do not (their glyphs are upright).
    """
    h, w = gray.shape
    border = int(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))
    pad = max(1, int(0.1 * h))  # room for the corners that rotation and shear move outwards
    padded = cv2.copyMakeBorder(gray, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=border)
    rows, cols = padded.shape
    ys, xs = np.mgrid[0:rows, 0:cols].astype(np.float32)
    dx, dy = xs - cols / 2, ys - rows / 2
    angle = np.deg2rad(rng.uniform(-6.0, 6.0) * strength)
    shear = rng.uniform(-0.35, 0.35) * strength
    cos, sin = np.cos(angle), np.sin(angle)
    # Source coordinates of every output pixel (inverse map): rotate, then shear along x.
    map_x = (cos * dx - sin * dy + shear * dy + cols / 2).astype(np.float32)
    map_y = (sin * dx + cos * dy + rows / 2).astype(np.float32)
    # A coarse random displacement field, smoothly upsampled: bends strokes, not pixels.
    knots = (3, max(3, cols // max(h, 1) + 2))
    amplitude = 0.05 * h * strength
    for coords in (map_x, map_y):
        field = rng.normal(0.0, 1.0, knots).astype(np.float32)
        coords += amplitude * cv2.resize(field, (cols, rows), interpolation=cv2.INTER_CUBIC)
    return cv2.remap(padded, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)
