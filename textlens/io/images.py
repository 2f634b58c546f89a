"""Decode raster images with Pillow and normalise them to RGB uint8 NumPy arrays.

Private helpers of :mod:`textlens.io.loading` (the public face). Everything here takes the
display name of the input so that every error names the file.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from textlens.errors import TextlensError

# Pillow format names we decode. Anything else (EPS runs Ghostscript, PSD, ICO, ...) is refused,
# which also keeps the attack surface small. MPO is how Pillow names multi-picture camera JPEGs.
PIL_FORMATS = ("PNG", "JPEG", "MPO", "TIFF", "BMP", "DIB", "WEBP", "GIF")
# Formats whose extra frames are pages; for the others (animated GIF/WebP/APNG, MPO) frame 0 is the image.
MULTIPAGE_FORMATS = frozenset({"TIFF"})

# Called with (width, height, name) before a frame is decoded; raises TextlensError to refuse the size.
SizeCheck = Callable[[int, int, str], None]


def one_line(exc: BaseException) -> str:
    """An exception's message squeezed onto one line (errors we print are always one line)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def iter_image_frames(
    stream: IO[bytes], name: str, check_size: SizeCheck, *, first_only: bool
) -> Iterator[tuple[np.ndarray, float | None, tuple[int, int] | None]]:
    """Yield (RGB uint8 array, dpi, full size) for each page of an image file, decoding one frame at a
    time. A JPEG of more than ``REDUCE_ABOVE`` pixels is decoded at half (or a quarter) of its size by
    the JPEG decoder itself; full size is then the (W, H) the file holds (upright), else None."""
    with open_image(stream, name) as img:
        multipage = img.format in MULTIPAGE_FORMATS and not first_only
        index = 0
        while True:
            full = _reduce_large_jpeg(img)
            image, dpi = decode_frame(img, name if index == 0 else f"{name} (page {index + 1})", check_size)
            if full is not None:
                turned = (
                    image.shape[1] < image.shape[0]
                    and full[0] > full[1]
                    or (image.shape[1] > image.shape[0] and full[0] < full[1])
                )
                full = (full[1], full[0]) if turned else full
                dpi = dpi * image.shape[1] / full[0] if dpi else dpi
            yield image, dpi, full
            if not multipage:
                return
            index += 1
            try:
                with _quiet_bomb_warning():
                    img.seek(index)
            except EOFError:
                return
            except Image.DecompressionBombError as exc:
                raise TextlensError(bomb_message(f"{name} (page {index + 1})", exc)) from None
            except Exception as exc:
                raise TextlensError(f"{name}: page {index + 1} is corrupt ({one_line(exc)})") from None


# Scans of 16 MP and more (A4 at 400+ dpi, phone photos) are decoded at a reduced size: the text
# in them is far larger than the recognizer needs, and a 35 MP page costs 0.25 s to decode and
# 105 MB to hold at full size.
REDUCE_ABOVE = 16_000_000
REDUCED_PIXELS = 6_000_000  # at least this many pixels are kept


def _reduce_large_jpeg(img: Image.Image) -> tuple[int, int] | None:
    """Ask the JPEG decoder for a 1/2 or 1/4 scale decode of a huge JPEG; the full (W, H) when it will."""
    width, height = img.size
    if img.format != "JPEG" or width * height < REDUCE_ABOVE:
        return None
    factor = 4 if width * height >= 16 * REDUCED_PIXELS else 2
    try:
        img.draft(img.mode, (width // factor, height // factor))
    except Exception:  # noqa: BLE001  (a decoder that cannot scale decodes at full size)
        return None
    return (width, height) if img.size != (width, height) else None


def open_image(stream: IO[bytes], name: str) -> Image.Image:
    """Open an image from its headers (no pixels decoded); bad or hostile headers raise TextlensError."""
    with _quiet_bomb_warning():
        try:
            return Image.open(stream, formats=_available_formats())
        except Image.DecompressionBombError as exc:
            # Pillow refuses headers beyond 2x its own limit before allocating anything.
            raise TextlensError(bomb_message(name, exc)) from None
        except UnidentifiedImageError:
            raise TextlensError(
                f"{name}: not an image or PDF (content is not PNG, JPEG, TIFF, BMP, WebP, "
                "GIF or PDF, whatever the file extension says)"
            ) from None
        except Exception as exc:  # Pillow plugins raise assorted errors on malformed headers
            raise TextlensError(f"{name}: corrupt image header ({one_line(exc)})") from None


def image_frame_count(stream: IO[bytes], name: str) -> int:
    """Pages of an image file (frames of a multi-page TIFF; 1 otherwise), from its headers."""
    with open_image(stream, name) as img, _quiet_bomb_warning():
        if img.format not in MULTIPAGE_FORMATS:
            return 1
        try:
            return int(getattr(img, "n_frames", 1))
        except Exception as exc:  # a broken frame chain
            raise TextlensError(f"{name}: corrupt image ({one_line(exc)})") from None


def bomb_message(name: str, exc: BaseException) -> str:
    found = re.search(r"\((\d+) pixels\)", str(exc))
    size = f"{int(found.group(1)) / 1e6:.0f} megapixels, " if found else ""
    return (
        f"{name}: image is too large ({size}decompression bomb guard); shrink it, or raise "
        "textlens.io.loading.MAX_PIXELS and PIL.Image.MAX_IMAGE_PIXELS"
    )


def _available_formats() -> list[str]:
    Image.init()  # registers every plugin (MPO, WEBP, ...) so the names below resolve
    return [fmt for fmt in PIL_FORMATS if fmt in Image.OPEN]


def decode_frame(img: Image.Image, name: str, check_size: SizeCheck) -> tuple[np.ndarray, float | None]:
    """Decode the current frame fully, apply EXIF orientation and convert it to RGB uint8."""
    # Check the header size first: a bomb or a 1 x 100000 strip fails before any pixel is allocated.
    check_size(*img.size, name)
    try:
        with _quiet_bomb_warning():
            img.load()  # full decode now, so truncation is an error here and not garbage later
    except Image.DecompressionBombError as exc:
        raise TextlensError(bomb_message(name, exc)) from None
    except MemoryError:
        raise TextlensError(f"{name}: not enough memory to decode this image; shrink it") from None
    except Exception as exc:
        raise TextlensError(
            f"{name}: image data is truncated or corrupt ({one_line(exc)}); re-export or re-download the file"
        ) from None
    dpi = _dpi(img.info.get("dpi"))
    try:
        with _quiet_bomb_warning():  # Pillow warns about corrupt EXIF blocks: we just skip them
            ImageOps.exif_transpose(img, in_place=True)  # a copy of the whole image only when it turns
    except Exception:  # a broken EXIF block should not cost the user the image
        pass
    return pil_to_rgb(img, name), dpi


def _dpi(value: object) -> float | None:
    if isinstance(value, tuple) and value:
        value = value[0]
    try:
        dpi = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    # Writers store 0 or 1 when they know nothing; treat those as unknown.
    return dpi if math.isfinite(dpi) and dpi > 1 else None


class _quiet_bomb_warning(warnings.catch_warnings):
    """Silence Pillow's DecompressionBombWarning (we enforce our own MAX_PIXELS instead) and its
    warnings about corrupt metadata (we read the pixels or say clearly that we cannot)."""

    def __enter__(self) -> None:
        super().__enter__()
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")


def pil_to_rgb(img: Image.Image, name: str) -> np.ndarray:
    """Convert any Pillow mode to an H x W x 3 uint8 RGB array (alpha composited on white)."""
    mode = img.mode
    if mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        return gray_to_rgb(_high_depth_to_uint8(np.asarray(img), mode))
    if mode in ("P", "PA", "LA", "La", "RGBa", "RGBA") or "transparency" in img.info:
        return composite_on_white(np.asarray(img.convert("RGBA")))
    if mode == "RGB":
        return np.asarray(img).copy()  # a third faster than np.array(img) on Pillow 13, and writable
    if mode == "L":
        return gray_to_rgb(np.asarray(img, dtype=np.uint8))
    try:
        return np.array(img.convert("RGB"), dtype=np.uint8)  # 1, CMYK, YCbCr, RGBX, ...
    except (ValueError, OSError) as exc:
        raise TextlensError(
            f"{name}: unsupported colour mode {mode!r} ({one_line(exc)}); convert the image to RGB first"
        ) from None


def _high_depth_to_uint8(arr: np.ndarray, mode: str) -> np.ndarray:
    if mode == "F":
        arr = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=255.0, neginf=0.0)
        # Float images are usually [0, 1]; anything brighter is taken as [0, 255].
        scale = 255.0 if arr.size and arr.max() <= 1.0 else 1.0
        return np.clip(arr * scale + 0.5, 0, 255).astype(np.uint8)
    # "I;16*" and "I" (Pillow's 16-bit PNG/TIFF modes) hold 0..65535; Pillow's own convert() clips at 255.
    arr = np.clip(arr.astype(np.int64), 0, 65535)
    return ((arr * 255 + 32767) // 65535).astype(np.uint8)


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Blend an H x W x 4 uint8 array onto a white background (text on transparent stays readable)."""
    alpha = rgba[:, :, 3:4].astype(np.uint16)
    rgb = rgba[:, :, :3].astype(np.uint16)
    out = (rgb * alpha + 255 * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)


def array_to_rgb(arr: np.ndarray, name: str) -> np.ndarray:
    """Normalise a caller's array (gray/RGB/RGBA; uint8, uint16, bool or float in [0, 1]) to RGB uint8."""
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        raise TextlensError(
            f"{name}: array of shape {arr.shape} is not an image; expected H x W (gray), "
            "H x W x 3 (RGB) or H x W x 4 (RGBA)"
        )
    arr = _array_to_uint8(arr, name)
    if arr.ndim == 2:
        return gray_to_rgb(arr)
    if arr.shape[2] == 4:
        return composite_on_white(arr)
    return np.array(arr, dtype=np.uint8, order="C")  # a copy: callers may keep editing theirs


def _array_to_uint8(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint16:
        return ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise TextlensError(f"{name}: float image contains NaN or infinity")
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise TextlensError(
                f"{name}: float image values must lie in [0, 1] (found "
                f"{float(arr.min()):g}..{float(arr.max()):g}); divide by 255 or pass uint8"
            )
        return (arr.astype(np.float32) * 255.0 + 0.5).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.integer):
        # Plain ints (e.g. int64 from np.array(list)) are accepted when they already fit 0..255.
        if arr.size == 0 or (arr.min() >= 0 and arr.max() <= 255):
            return arr.astype(np.uint8)
        raise TextlensError(
            f"{name}: {arr.dtype} image values must lie in 0..255; pass uint8, uint16 or float in [0, 1]"
        )
    raise TextlensError(f"{name}: unsupported array dtype {arr.dtype}; pass uint8, uint16 or float in [0, 1]")
