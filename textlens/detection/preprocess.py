"""Page -> detector input: resize the long side to the model's size, snap to multiples of 32.

Shared by the ONNX predictor and by validation during training, so both see pages exactly
alike. NumPy + OpenCV only.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from textlens.errors import TextlensError


def input_size(height: int, width: int, long_side: int) -> tuple[int, int]:
    """(H, W) of the network input: long side ~``long_side``, both multiples of 32."""
    scale = long_side / max(height, width)
    h = max(32, int(round(height * scale / 32)) * 32)
    w = max(32, int(round(width * scale / 32)) * 32)
    return h, w


def to_rgb(image: np.ndarray) -> np.ndarray:
    """Grey, RGB or RGBA uint8 -> RGB uint8 (alpha composited on white)."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TextlensError(f"detector input must be uint8, got {image.dtype}")
    if image.ndim == 2:
        return np.repeat(image[..., None], 3, axis=2)
    if image.ndim == 3 and image.shape[2] == 3:
        return image
    if image.ndim == 3 and image.shape[2] == 4:
        a = image[..., 3:].astype(np.float32) / 255.0
        return np.rint(image[..., :3] * a + 255.0 * (1.0 - a)).astype(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        return np.repeat(image, 3, axis=2)
    raise TextlensError(f"detector input must be an (H, W) or (H, W, 3/4) image, got shape {image.shape}")


def prepare(
    image: np.ndarray, long_side: int, mean: Sequence[float], std: Sequence[float]
) -> tuple[np.ndarray, tuple[float, float]]:
    """(1, 3, H, W) float32 network input and the (sx, sy) factors from map to image pixels."""
    rgb = to_rgb(image)
    height, width = rgb.shape[:2]
    if height < 1 or width < 1:
        raise TextlensError(f"image of {width}x{height} pixels is too small to detect text in")
    h, w = input_size(height, width, long_side)
    interp = cv2.INTER_AREA if h < height else cv2.INTER_LINEAR
    resized = cv2.resize(rgb, (w, h), interpolation=interp)
    # Channel planes are normalised straight into the NCHW tensor: two passes over contiguous
    # memory each, instead of a float copy, two in-place passes and a transposing copy.
    tensor = np.empty((1, 3, h, w), np.float32)
    for c, plane in enumerate(cv2.split(resized)):
        np.subtract(plane, np.float32(mean[c]), out=tensor[0, c], dtype=np.float32)
        tensor[0, c] *= np.float32(1.0 / std[c])
    return tensor, (width / w, height / h)
