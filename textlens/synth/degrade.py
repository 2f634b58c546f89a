"""Scan, print and photo degradations for synthetic text lines (OpenCV/NumPy, shape-preserving).

Two kinds of function, both ``f(array, rng, ...) -> array`` of the same shape:

* ink effects work on an ink-coverage mask (float32, 0 = paper, 1 = full ink) at render
  scale, before the line is given colours: dot-matrix, thermal fading and streaks, ink
  bleed/erosion, under- and strike-through lines;
* image effects work on the grey uint8 line at (or near) its final size: blur, noise,
  JPEG, low resolution, binarisation, illumination, shadows, speckle, inversion.

``paper`` makes a background (colour, texture, gradient) to compose the ink onto.
"""

from __future__ import annotations

import cv2
import numpy as np

# --- helpers --------------------------------------------------------------------------------


def smooth_field(shape: tuple[int, int], rng: np.random.Generator, cells: tuple[int, int]) -> np.ndarray:
    """Low-frequency random field in [0, 1]: a few random values upsampled smoothly."""
    h, w = shape
    ch, cw = max(1, cells[0]), max(1, cells[1])
    small = rng.random((ch + 1, cw + 1)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _odd(k: float) -> int:
    k = max(1, int(round(k)))
    return k if k % 2 else k + 1


# --- ink effects (float32 mask in [0, 1]) ------------------------------------------------------


def dot_matrix(
    mask: np.ndarray, rng: np.random.Generator, pitch: float | None = None, dot: float | None = None
) -> np.ndarray:
    """Impact/thermal dot-matrix look: ink only on a grid of round dots, slightly blurred.

    ``pitch`` is the dot spacing in pixels; by default ~1/8 of the ink height, i.e. glyphs
    about 7-9 dots tall like a receipt printer. ``dot`` is the dot diameter / pitch.
    """
    h, w = mask.shape
    if pitch is None:
        rows = np.flatnonzero(mask.max(axis=1) > 0.5)
        ink_h = (rows[-1] - rows[0] + 1) if rows.size else h
        pitch = max(2.0, ink_h / rng.uniform(7, 10))
    pitch = max(2.0, float(pitch))
    # A dot fires where its cell holds ink (max over the cell, so thin strokes keep their dots).
    off_y, off_x = rng.uniform(0, pitch, 2)
    ys = np.arange(off_y, h, pitch).astype(int).clip(0, h - 1)
    xs = np.arange(off_x, w, pitch * rng.uniform(0.8, 1.1)).astype(int).clip(0, w - 1)
    cell = _odd(pitch * 0.6)
    pooled = cv2.dilate(mask, np.ones((cell, cell), np.uint8)) if cell > 1 else mask
    on = (pooled[np.ix_(ys, xs)] > 0.5).astype(np.float32)
    dots = np.zeros_like(mask)
    dots[np.ix_(ys, xs)] = on
    radius = pitch * (rng.uniform(0.7, 1.2) if dot is None else dot) / 2
    k = _odd(2 * radius + 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    out = cv2.dilate(dots, disc)
    return cv2.GaussianBlur(out, (0, 0), max(0.5, radius * 0.4))


def thermal_fade(mask: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Faded thermal print: uneven ink along the line plus thin white streaks along the feed."""
    h, w = mask.shape
    low = rng.uniform(0.15, 0.7) * strength
    field = 1.0 - low * smooth_field((h, w), rng, (2, max(2, w // max(h, 1))))
    out = mask * field
    if rng.random() < 0.6:
        # A dead heating element leaves a thin vertical gap wherever it crosses the text.
        n = int(rng.integers(1, max(2, w // 60)))
        xs = rng.integers(0, w, n)
        widths = rng.integers(1, max(2, h // 20) + 1, n)
        for x, ww in zip(xs, widths, strict=True):
            out[:, x : x + ww] *= rng.uniform(0.0, 0.5)
    if rng.random() < 0.3:
        # Horizontal banding from uneven paper feed.
        y = int(rng.integers(0, h))
        out[y : y + max(1, h // 16)] *= rng.uniform(0.2, 0.7)
    return out


def ink_morph(
    mask: np.ndarray, rng: np.random.Generator, radius: int | None = None, bleed: bool | None = None
) -> np.ndarray:
    """Ink bleed (dilation) or erosion by ``radius`` pixels.

    Erosion backs off when it would remove more than 40% of the ink, so thin and light
    fonts are thinned, not erased.
    """
    radius = int(rng.integers(1, 3)) if radius is None else int(radius)
    bleed = bool(rng.random() < 0.5) if bleed is None else bleed
    if radius < 1:
        return mask
    if bleed:
        k = 2 * radius + 1
        return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    total = float(mask.sum())
    for r in range(radius, 0, -1):
        k = 2 * r + 1
        out = cv2.erode(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        if float(out.sum()) >= 0.6 * total:
            return out
    # Even a 3x3 erosion is too much: soften the ink instead.
    return mask * np.float32(rng.uniform(0.6, 0.9))


def rule_line(mask: np.ndarray, rng: np.random.Generator, y: int | None = None, ink_box=None) -> np.ndarray:
    """Underline (default) or strike-through when ``y`` is given; spans the ink horizontally."""
    h, w = mask.shape
    x0, y0, x1, y1 = ink_box if ink_box is not None else (0, 0, w, h)
    if y is None:
        y = int(min(h - 1, y1 + rng.uniform(0.0, 0.12) * (y1 - y0)))
    thick = max(1, int(round((y1 - y0) * rng.uniform(0.04, 0.09))))
    out = mask.copy()
    out[max(0, y - thick // 2) : y + thick - thick // 2, max(0, x0) : x1] = 1.0
    return out


# --- background -----------------------------------------------------------------------------


def paper(shape: tuple[int, int], rng: np.random.Generator, level: float, texture: float) -> np.ndarray:
    """Background in float32 grey: ``level`` +- texture (blotches, grain, fibres)."""
    h, w = shape
    bg = np.full((h, w), level, np.float32)
    if texture > 0:
        blot = smooth_field((h, w), rng, (int(rng.integers(1, 4)), int(rng.integers(2, 12))))
        bg += (blot - 0.5) * texture * 2
        if rng.random() < 0.5:
            small = rng.normal(0, texture * 0.5, (max(1, h // 2), max(1, w // 2))).astype(np.float32)
            bg += cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return bg


# --- image effects (grey uint8) -------------------------------------------------------------


def gaussian_blur(img: np.ndarray, rng: np.random.Generator, sigma: float | None = None) -> np.ndarray:
    sigma = rng.uniform(0.3, 1.3) if sigma is None else sigma
    return cv2.GaussianBlur(img, (0, 0), sigma)


def motion_blur(img: np.ndarray, rng: np.random.Generator, length: int | None = None) -> np.ndarray:
    length = int(rng.integers(2, 5)) if length is None else max(1, length)
    k = np.zeros((length, length), np.float32)
    angle = rng.uniform(0, 180)
    c = (length - 1) / 2
    dx, dy = np.cos(np.radians(angle)) * c, np.sin(np.radians(angle)) * c
    cv2.line(k, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
    k /= max(k.sum(), 1e-6)
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REPLICATE)


def noise(img: np.ndarray, rng: np.random.Generator, sigma: float | None = None) -> np.ndarray:
    sigma = rng.uniform(2, 14) if sigma is None else sigma
    out = img.astype(np.float32) + rng.normal(0, sigma, img.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def speckle(img: np.ndarray, rng: np.random.Generator, amount: float | None = None) -> np.ndarray:
    """Salt-and-pepper dust of scanned pages."""
    amount = rng.uniform(0.002, 0.02) if amount is None else amount
    out = img.copy()
    r = rng.random(img.shape)
    lo, hi = int(img.min()), int(img.max())
    out[r < amount / 2] = lo
    out[r > 1 - amount / 2] = hi
    return out


def jpeg(img: np.ndarray, rng: np.random.Generator, quality: int | None = None) -> np.ndarray:
    quality = int(rng.integers(15, 75)) if quality is None else quality
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else img  # grey stays grey, colour colour


def low_resolution(img: np.ndarray, rng: np.random.Generator, factor: float | None = None) -> np.ndarray:
    """Down- then up-sample: the blocky/blurry look of low-dpi scans and small photo text."""
    factor = rng.uniform(0.35, 0.75) if factor is None else factor
    h, w = img.shape
    small = cv2.resize(img, (max(2, int(w * factor)), max(2, int(h * factor))), interpolation=cv2.INTER_AREA)
    interp = cv2.INTER_NEAREST if rng.random() < 0.25 else cv2.INTER_LINEAR
    return cv2.resize(small, (w, h), interpolation=interp)


def binarize(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Hard black/white as from bilevel fax/scanner output (Otsu, or a shifted threshold)."""
    t, _ = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # The shift stays inside the image's own range: a faint line must not come out all black.
    lo, hi = (float(v) for v in np.percentile(img, [2, 98]))
    t = float(np.clip(t + rng.uniform(-25, 25), lo, max(lo, hi - 1)))
    return np.where(img > t, 255, 0).astype(np.uint8)


def print_scan(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A bilevel office scan of a print-out: detail finer than the print lost (down and up again),
    the optics' blur, sensor noise, then one global threshold that thins hairlines to breaks or
    thickens strokes to blots, as scanners' bilevel modes do ("e" read as "c", "," as ".")."""
    h, w = img.shape
    factor = rng.uniform(0.45, 0.9)
    small = cv2.resize(img, (max(2, int(w * factor)), max(2, int(h * factor))), interpolation=cv2.INTER_AREA)
    scan = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    scan = cv2.GaussianBlur(scan, (0, 0), sigmaX=rng.uniform(0.3, 0.9))
    scan += rng.normal(0.0, rng.uniform(4, 14), scan.shape).astype(np.float32)
    lo, hi = (float(v) for v in np.percentile(scan, [2, 98]))
    threshold = lo + (hi - lo) * rng.uniform(0.35, 0.7)
    return np.where(scan > threshold, 255, 0).astype(np.uint8)


def illumination(img: np.ndarray, rng: np.random.Generator, strength: float | None = None) -> np.ndarray:
    """Uneven lighting: a linear gradient times a smooth field."""
    strength = rng.uniform(0.15, 0.5) if strength is None else strength
    h, w = img.shape
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = (np.cos(angle) * xx / max(w, 1) + np.sin(angle) * yy / max(h, 1)).astype(np.float32)
    grad = (grad - grad.min()) / max(float(np.ptp(grad)), 1e-6)
    light = 1.0 - strength * (0.6 * grad + 0.4 * smooth_field((h, w), rng, (2, 4)))
    return np.clip(img.astype(np.float32) * light, 0, 255).astype(np.uint8)


def shadow(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A soft dark band over one side, like a finger or a fold casting a shadow."""
    h, w = img.shape
    x = rng.uniform(0.1, 0.9) * w
    slope = rng.uniform(-2, 2) * w / max(h, 1) * 0.05
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    edge = xx - (x + slope * (yy - h / 2))
    soft = max(1.0, rng.uniform(0.5, 3) * h)
    side = 1 if rng.random() < 0.5 else -1
    alpha = 0.5 * (1.0 + np.tanh(side * edge / (2 * soft)))  # the logistic curve, without exp overflow
    dark = rng.uniform(0.35, 0.75)
    return np.clip(img.astype(np.float32) * (1 - (1 - dark) * alpha), 0, 255).astype(np.uint8)


def contrast(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random gain/offset (washed-out or punchy scans)."""
    out = img.astype(np.float32)
    mean = float(out.mean())
    out = (out - mean) * rng.uniform(0.5, 1.3) + mean + rng.uniform(-30, 30)
    return np.clip(out, 0, 255).astype(np.uint8)


def invert(img: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Light text on a dark background."""
    return 255 - img


def rotate(img: np.ndarray, rng: np.random.Generator, max_deg: float = 3.0) -> np.ndarray:
    h, w = img.shape
    angle = rng.uniform(-max_deg, max_deg)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def perspective(img: np.ndarray, rng: np.random.Generator, amount: float = 0.05) -> np.ndarray:
    h, w = img.shape
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jit = rng.uniform(-amount, amount, (4, 2)) * np.float32([min(w, 4 * h), h])
    m = cv2.getPerspectiveTransform(src, (src + jit).astype(np.float32))
    return cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


MASK_EFFECTS = {"dot_matrix": dot_matrix, "thermal_fade": thermal_fade, "ink_morph": ink_morph, "rule_line": rule_line}
IMAGE_EFFECTS = {
    "gaussian_blur": gaussian_blur,
    "motion_blur": motion_blur,
    "noise": noise,
    "speckle": speckle,
    "jpeg": jpeg,
    "low_resolution": low_resolution,
    "binarize": binarize,
    "print_scan": print_scan,
    "illumination": illumination,
    "shadow": shadow,
    "contrast": contrast,
    "invert": invert,
    "rotate": rotate,
    "perspective": perspective,
}
