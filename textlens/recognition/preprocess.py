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


def normalize(gray: np.ndarray, mean: float, std: float) -> np.ndarray:
    return (gray.astype(np.float32) / 255.0 - mean) / std


def pad_batch(lines: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """Stack equal-height lines into (B, 1, H, W), padding on the right by edge replication
    (keeps the background colour, so padding never looks like ink)."""
    width = width or max(line.shape[1] for line in lines)
    out = np.empty((len(lines), 1, lines[0].shape[0], width), dtype=lines[0].dtype)
    for i, line in enumerate(lines):
        out[i, 0] = np.pad(line, ((0, 0), (0, width - line.shape[1])), mode="edge")
    return out
