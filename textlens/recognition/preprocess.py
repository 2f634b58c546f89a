"""Line-image preprocessing shared by training and inference (NumPy/OpenCV only)."""

from __future__ import annotations

import cv2
import numpy as np

MIN_WIDTH = 16
MAX_WIDTH = 2400


def to_gray(image: np.ndarray) -> np.ndarray:
    """Grey uint8 from grey, RGB or RGBA (alpha composited on white)."""
    if image.ndim == 2:
        gray = image
    elif image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        rgb = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        gray = cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_RGB2GRAY)
    else:
        gray = cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY)
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    return gray


def resize_to_height(gray: np.ndarray, height: int, max_width: int = MAX_WIDTH) -> np.ndarray:
    """Scale to ``height`` rows keeping the aspect ratio (width clamped to a sane range)."""
    h, w = gray.shape[:2]
    width = int(round(w * height / max(h, 1)))
    width = min(max(width, MIN_WIDTH), max_width)
    interp = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    return cv2.resize(gray, (width, height), interpolation=interp)


def vertical_variants(gray: np.ndarray, width: int, height: int, frac: float = 0.08) -> list[np.ndarray]:
    """The line with a little more and a little less margin above and below, each resized to
    exactly ``width`` x ``height`` so its CTC frames line up with the original's."""
    h = gray.shape[0]
    d = max(1, round(h * frac))
    border = int(np.median(np.concatenate([gray[0], gray[-1]])))
    looser = cv2.copyMakeBorder(gray, d, d, 0, 0, cv2.BORDER_CONSTANT, value=border)
    tighter = gray[d : h - d] if h - 2 * d >= 4 else gray
    return [cv2.resize(v, (width, height), interpolation=cv2.INTER_AREA) for v in (looser, tighter)]


def normalize(gray: np.ndarray, mean: float, std: float) -> np.ndarray:
    return (gray.astype(np.float32) / 255.0 - mean) / std


def pad_batch(lines: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """Stack equal-height lines into (B, 1, H, W), padding on the right by edge replication
    (keeps the background colour, so padding never looks like ink)."""
    width = width or max(line.shape[1] for line in lines)
    out = np.empty((len(lines), 1, lines[0].shape[0], width), dtype=lines[0].dtype)
    for i, line in enumerate(lines):
        w = line.shape[1]
        out[i, 0, :, :w] = line
        out[i, 0, :, w:] = line[:, -1:]  # each row's last pixel, repeated (np.pad's "edge")
    return out


# --------------------------------------------------------------------------- specialised readers

INK_MODES = ("luma", "contrast")


def contrast_gray(image: np.ndarray) -> np.ndarray:
    """Grey whose darkness is the colour distance from the background (the border's median colour).

    Luma turns pale-yellow or light-green glyphs on white into near-white; the largest per-channel
    distance keeps them as dark as black ones. Channel order does not matter (RGB or BGR).
    """
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        image = (image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    if image.ndim == 2 or image.shape[2] == 1:
        colour = image.reshape(image.shape[0], image.shape[1], 1)
    else:
        colour = image[:, :, :3]
    border = np.concatenate([colour[0], colour[-1], colour[:, 0], colour[:, -1]]).astype(np.float32)
    background = np.median(border, axis=0)
    distance = np.abs(colour.astype(np.float32) - background).max(axis=2)
    return (255.0 - np.clip(distance, 0, 255)).astype(np.uint8)


def to_model_gray(image: np.ndarray, ink: str = "luma") -> np.ndarray:
    """The grey image a recognizer sees, by the model's ``ink`` mode."""
    if ink == "contrast":
        return contrast_gray(image)
    if ink != "luma":
        raise ValueError(f"unknown ink mode {ink!r}")
    return to_gray(image)


def fit_to_ink(gray: np.ndarray) -> np.ndarray:
    """``gray`` cropped to :func:`ink_box`."""
    y0, y1, x0, x1 = ink_box(gray)
    return gray[y0:y1, x0:x1]


def ink_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of the text band, so small glyphs in a large canvas can fill the model height.

    Near-horizontal noise lines (CAPTCHAs) vanish under a vertical opening before measuring; the
    band is the rows holding at least a tenth of the busiest row's ink, so steep lines and stray
    dots do not stretch it. Images with too little ink give the whole image.
    """
    h, w = gray.shape[:2]
    whole = (0, h, 0, w)
    if h < 8 or w < 8:
        return whole
    ink = 255 - gray
    level, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
    # Pale glyphs next to black noise lines sit far below Otsu's level: anything clearly above
    # the background's own variation counts as ink.
    level = min(level, max(24.0, float(np.percentile(border, 95)) + 16.0))
    mask = (ink > level).astype(np.uint8)
    solid = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 1), np.uint8))
    rows = np.convolve(solid.sum(axis=1).astype(np.float32), np.ones(3, np.float32) / 3, mode="same")
    if rows.max() < 3:
        return whole
    # Glyph rows hold several strokes; a steep noise line adds only a pixel or two per row.
    inside = np.nonzero(rows >= 0.1 * rows.max())[0]
    top, bottom = float(inside[0]), float(inside[-1])
    band = max(bottom - top, 4.0)
    pad_y, pad_x = 0.12 * band + 1, 0.6 * band + 1
    y0, y1 = int(max(top - pad_y, 0)), int(min(bottom + pad_y + 1, h))
    # The sides are found at a lower level, inside the band only: a faded first or last glyph
    # must not be cut off (a wider crop costs a few blank frames, a narrower one a character).
    faint = (ink[y0:y1] > min(level, max(10.0, float(np.percentile(border, 95)) + 8.0))).astype(np.uint8)
    xs = np.nonzero(cv2.morphologyEx(faint, cv2.MORPH_OPEN, np.ones((3, 1), np.uint8)))[1]
    if len(xs) < 10:
        return whole
    left, right = np.percentile(xs, [0.5, 99.5])
    x0, x1 = int(max(left - pad_x, 0)), int(min(right + pad_x + 1, w))
    return y0, y1, x0, x1
