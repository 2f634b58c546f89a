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


def glyph_slices(gray: np.ndarray, text: str) -> list[tuple[np.ndarray, str]] | None:
    """The crop cut into one column slice per character, at the blank columns between glyphs.

    Only for well-spaced glyphs (many CAPTCHA schemes): near-horizontal noise lines vanish under a
    vertical opening first, and ``None`` means the gaps did not match the label (touching glyphs,
    stray marks), so nothing is guessed.
    """
    h, w = gray.shape
    if not text or h < 8:
        return None
    border = float(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))
    mask = (np.abs(gray.astype(np.float32) - border) > 40).astype(np.uint8)
    columns = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 1), np.uint8)).sum(axis=0)
    runs = _runs(columns >= max(2.0, 0.06 * h))
    # Slivers (a steep noise line, a speck) are neither wide nor tall.
    runs = [(a, b) for a, b in runs if b - a >= max(2, 0.08 * h) or columns[a:b].max() > 0.4 * h]
    if len(runs) != len(text):
        return None
    # Each slice reaches halfway into the gaps beside it, so glyphs keep their margins.
    cuts = [0] + [(runs[i][1] + runs[i + 1][0]) // 2 for i in range(len(runs) - 1)] + [w]
    return [(gray[:, cuts[i] : cuts[i + 1]], char) for i, char in enumerate(text)]


def _runs(on: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of every run of True, runs one column apart merged."""
    edges = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    merged: list[tuple[int, int]] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        if merged and a - merged[-1][1] <= 1:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def splice_glyphs(
    pieces: list[tuple[np.ndarray, str]], rng: np.random.Generator, length: int, height: int = 48
) -> tuple[np.ndarray, str]:
    """A new crop of ``length`` glyph slices drawn from ``pieces`` in random order.

    Small labelled sets teach whole strings by heart; recombining their glyphs gives sequences the
    set never had while every glyph still looks like the scheme's own."""
    chosen = rng.choice(len(pieces), size=length, replace=length > len(pieces))
    slices, text = [], []
    for i in chosen.tolist():
        piece, char = pieces[i]
        width = max(1, round(piece.shape[1] * height / piece.shape[0]))
        slices.append(cv2.resize(piece, (width, height), interpolation=cv2.INTER_AREA))
        text.append(char)
    return np.concatenate(slices, axis=1), "".join(text)
