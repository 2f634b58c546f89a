"""Load images and PDFs safely: the one way pages enter textlens.

``iter_pages`` streams pages (TIFF frames decoded and PDF pages rendered one at a time), so memory
stays bounded for long documents. Every page comes out as an H x W x 3 RGB uint8 array, upright
(EXIF orientation applied), with alpha composited on white. The format is detected from the
content, never from the file extension.

Every bad input raises ``TextlensError`` with one line naming the file, what is wrong and the fix.
The limits below are module-level so that callers can change them (read at call time)::

    MAX_PIXELS   largest page in pixels (decoded image or rendered PDF page). Image headers beyond it
                 fail before any pixel is allocated; a PDF page that would exceed it at the requested
                 dpi is rendered at a lower dpi instead, reported in ``PageImage.dpi``. Pillow refuses
                 images beyond 2 x ``PIL.Image.MAX_IMAGE_PIXELS`` on its own; raise that too to go higher.
    MIN_SIDE     smallest width or height (1 px): a single letter cut from a photo may be 5 x 9 px,
                 and small crops are upscaled, never refused; only empty (0 px) images are.
    MAX_SIDE     longest width or height (32768 px, JPEG's own limit is 65535): a page 100,000 px wide is
                 refused from its header, before a slow read of a degenerate strip.
    MAX_ASPECT   largest long-side / short-side ratio (100:1): generous enough for long text-line
                 crops (32 x 3000 px) and till receipts, small enough to refuse degenerate strips
                 that would resize to nothing.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image

from textlens.errors import TextlensError
from textlens.io.images import array_to_rgb, decode_frame, image_frame_count, iter_image_frames, one_line
from textlens.io.pdf import iter_pdf_pages, pdf_page_count

__all__ = [
    "MAX_ASPECT",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MIN_SIDE",
    "SUPPORTED_SUFFIXES",
    "PageImage",
    "count_pages",
    "load_page",
    "expand_inputs",
    "iter_pages",
    "load_image",
]

MAX_PIXELS = 178_956_970  # 2 x Pillow's default MAX_IMAGE_PIXELS: about 13400 x 13400
MIN_SIDE = 1
MAX_SIDE = 32_768
MAX_ASPECT = 100.0
MAX_STREAM_BYTES = 1 << 30  # stdin and pipes are read into memory; refuse more than 1 GiB

SUPPORTED_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".tif", ".tiff", ".bmp", ".webp", ".gif", ".pdf"}
)

_PDF_MAGIC = b"%PDF-"
_SNIFF_BYTES = 1024  # the PDF header may follow up to 1 KiB of junk


@dataclass
class PageImage:
    """One page of an input, ready for the detector."""

    image: np.ndarray  # H x W x 3, uint8, RGB
    index: int  # 0-based page number within the source
    dpi: float | None  # from the file's metadata, or the PDF rendering dpi; None when unknown
    source: str  # the path as given, or '<array>', '<image>', '<bytes>', '<stdin>', '<stream>'
    # (W, H) of the page in the file when ``image`` was decoded smaller (a huge JPEG); results are
    # given in the file's pixels
    full_size: tuple[int, int] | None = None


def iter_pages(
    source: Any,
    *,
    dpi: float = 200,
    first_page_only: bool = False,
    password: str | None = None,
) -> Iterator[PageImage]:
    """Stream the pages of ``source`` one at a time.

    ``source`` is a path (str/Path; '-' reads stdin), bytes, a binary file object, a NumPy array
    (gray/RGB/RGBA; uint8, uint16, bool or float in [0, 1]; RGB order, not OpenCV's BGR) or a PIL
    image. ``dpi`` is the rendering resolution for PDF pages; ``password`` opens encrypted PDFs.
    Missing, empty, unreadable and unrecognised inputs fail on the call; damaged pixel data fails
    when its page is reached.
    """
    if not (isinstance(dpi, (int, float)) and 0 < dpi < float("inf")):
        raise TextlensError(f"dpi must be a positive number, got {dpi!r}")
    if isinstance(source, np.ndarray):
        return _array_pages(source)
    if isinstance(source, Image.Image):
        return _pil_pages(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _data_pages(bytes(source), "<bytes>", dpi, first_page_only, password)
    if isinstance(source, (str, os.PathLike)):
        if str(source) == "-":
            return _data_pages(_read_stdin(), "<stdin>", dpi, first_page_only, password)
        return _path_pages(Path(source), str(source), dpi, first_page_only, password)
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = name if isinstance(name, str) else "<stream>"
        return _data_pages(_read_stream(source, name), name, dpi, first_page_only, password)
    raise TextlensError(f"cannot load a {type(source).__name__}; pass a path, bytes, a NumPy array or a PIL image")


def load_image(source: Any, *, dpi: float = 200, password: str | None = None) -> np.ndarray:
    """The first page of ``source`` as an H x W x 3 RGB uint8 array."""
    pages = iter_pages(source, dpi=dpi, first_page_only=True, password=password)
    try:
        return next(pages).image
    finally:
        pages.close()  # type: ignore[attr-defined]  # generators close their file/PDF here


def load_page(path: str | os.PathLike[str], index: int, *, dpi: float = 200, password: str | None = None) -> PageImage:
    """Page ``index`` (0-based) of a file: a PDF renders only that page, a TIFF decodes frames up to it.

    For work spread page by page (``textlens batch``); bad input raises TextlensError.
    """
    name = os.fspath(path)
    with _open(Path(path), name) as handle:
        head = handle.read(_SNIFF_BYTES)
    if _PDF_MAGIC in head:
        pages = iter_pdf_pages(
            name,
            name,
            dpi=dpi,
            first_only=False,
            password=password,
            max_pixels=MAX_PIXELS,
            check_size=_check_size,
            only=index,
        )
        image, used_dpi = next(pages)
        pages.close()
        return PageImage(image, index, used_dpi, name)
    for page in iter_pages(path, dpi=dpi):
        if page.index == index:
            return page
    raise TextlensError(f"{name}: has no page {index + 1}")


def count_pages(data: bytes, name: str = "<bytes>", *, password: str | None = None) -> int:
    """How many pages ``data`` holds (PDF pages, TIFF/GIF/WebP frames), without decoding any pixels.

    Lets a caller refuse a 10,000-page PDF before reading a page; bad input raises TextlensError.
    """
    if not data:
        raise TextlensError(f"{name}: input is empty (0 bytes)")
    if _PDF_MAGIC in data[:_SNIFF_BYTES]:
        return pdf_page_count(data, name, password)
    return image_frame_count(io.BytesIO(data), name)


def count_file_pages(path: str | os.PathLike[str], *, password: str | None = None) -> int:
    """Pages of a file from its headers (PDF page tree, image frames); nothing is decoded.

    For work spread page by page (``read --jobs``, ``textlens batch``); bad input raises TextlensError."""
    name = os.fspath(path)
    if _stat(Path(path), name).st_size == 0:
        raise TextlensError(f"{name}: file is empty (0 bytes)")
    with _open(Path(path), name) as handle:
        if _PDF_MAGIC in handle.read(_SNIFF_BYTES):
            return pdf_page_count(name, name, password)
        handle.seek(0)
        return image_frame_count(handle, name)


def expand_inputs(inputs: list[str], on_error: Callable[[str, TextlensError], object] | None = None) -> list[str]:
    """Turn CLI inputs into a list of files, in order, without duplicates.

    A file is kept whatever its extension (the content decides); a folder gives its files with a
    supported suffix, not recursing, hidden files skipped, in natural order (page2 before page10);
    a glob pattern gives its matching files with a supported suffix ('**' recurses); '-' is stdin.
    An item that gives nothing (missing path, empty folder) raises, or with ``on_error`` is
    handed to it and skipped.
    """
    files: list[str] = []
    for item in inputs:
        try:
            files.extend(_expand_one(item))
        except TextlensError as exc:
            if on_error is None:
                raise
            on_error(item, exc)
    return list(dict.fromkeys(files))


# --- sources -------------------------------------------------------------------------------


def _array_pages(arr: np.ndarray) -> Iterator[PageImage]:
    name = "<array>"
    if arr.ndim in (2, 3):
        _check_size(arr.shape[1], arr.shape[0], name)
    yield PageImage(array_to_rgb(arr, name), 0, None, name)


def _pil_pages(img: Image.Image) -> Iterator[PageImage]:
    image, dpi = decode_frame(img, "<image>", _check_size)
    yield PageImage(image, 0, dpi, "<image>")


def _path_pages(path: Path, name: str, dpi: float, first_only: bool, password: str | None) -> Iterator[PageImage]:
    mode = _stat(path, name).st_mode
    if stat.S_ISDIR(mode):
        raise TextlensError(f"{name}: is a folder, not a file; pass the files inside it (the CLI expands folders)")
    if not stat.S_ISREG(mode):  # a pipe such as <(cat scan.png) or /dev/stdin: read it whole
        with _open(path, name) as handle:
            return _data_pages(_read_stream(handle, name), name, dpi, first_only, password)
    with _open(path, name) as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head:
        raise TextlensError(f"{name}: file is empty (0 bytes)")
    if _PDF_MAGIC in head:
        return _pdf_pages(str(path), name, dpi, first_only, password)
    return _image_file_pages(path, name, first_only)


def _data_pages(data: bytes, name: str, dpi: float, first_only: bool, password: str | None) -> Iterator[PageImage]:
    if not data:
        raise TextlensError(f"{name}: input is empty (0 bytes)")
    if _PDF_MAGIC in data[:_SNIFF_BYTES]:
        return _pdf_pages(data, name, dpi, first_only, password)
    return _image_pages(io.BytesIO(data), name, first_only)


def _pdf_pages(
    source: str | bytes, name: str, dpi: float, first_only: bool, password: str | None
) -> Iterator[PageImage]:
    pages = iter_pdf_pages(
        source,
        name,
        dpi=dpi,
        first_only=first_only,
        password=password,
        max_pixels=MAX_PIXELS,
        check_size=_check_size,
    )
    for index, (image, used_dpi) in enumerate(pages):
        yield PageImage(image, index, used_dpi, name)


def _image_file_pages(path: Path, name: str, first_only: bool) -> Iterator[PageImage]:
    # Opened lazily, so a generator that is never started holds no file handle.
    with _open(path, name) as handle:
        yield from _image_pages(handle, name, first_only)


def _image_pages(stream: IO[bytes], name: str, first_only: bool) -> Iterator[PageImage]:
    frames = iter_image_frames(stream, name, _check_size, first_only=first_only)
    for index, (image, dpi, full_size) in enumerate(frames):
        yield PageImage(image, index, dpi, name, full_size)


# --- checks and file access ------------------------------------------------------------------


def _check_size(width: int, height: int, name: str) -> None:
    """Refuse degenerate or huge pages before a single pixel is decoded."""
    if width < MIN_SIDE or height < MIN_SIDE:
        raise TextlensError(f"{name}: image is {width} x {height} px; both sides must be at least {MIN_SIDE} px")
    if max(width, height) > MAX_SIDE:
        raise TextlensError(
            f"{name}: image is {width} x {height} px; no side may exceed {MAX_SIDE} px; "
            "shrink it or split it into pages"
        )
    if max(width, height) / min(width, height) > MAX_ASPECT:
        raise TextlensError(
            f"{name}: image is {width} x {height} px, longer than {MAX_ASPECT:g}:1; crop or split it into pages first"
        )
    if width * height > MAX_PIXELS:
        raise TextlensError(
            f"{name}: image is {width} x {height} px ({width * height / 1e6:.0f} megapixels), "
            f"over the {MAX_PIXELS / 1e6:.0f}-megapixel limit (decompression bomb guard); "
            "shrink it or raise textlens.io.loading.MAX_PIXELS"
        )


def _stat(path: Path, name: str) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise TextlensError(f"{name}: no such file; check the path") from None
    except PermissionError:
        raise TextlensError(f"{name}: permission denied; check the folder's permissions") from None
    except OSError as exc:
        raise TextlensError(f"{name}: cannot access file ({exc.strerror or one_line(exc)})") from None


def _open(path: Path, name: str) -> IO[bytes]:
    try:
        return open(path, "rb")  # callers close it (with-block or generator)
    except PermissionError:
        raise TextlensError(f"{name}: permission denied; make the file readable (chmod +r)") from None
    except OSError as exc:
        raise TextlensError(f"{name}: cannot open file ({exc.strerror or one_line(exc)})") from None


def _read_stdin() -> bytes:
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise TextlensError("<stdin>: nothing piped in; use e.g. `textlens read - < scan.png`")
    return _read_stream(getattr(stdin, "buffer", stdin), "<stdin>")


def _read_stream(stream: IO[bytes], name: str) -> bytes:
    try:
        data = stream.read(MAX_STREAM_BYTES + 1)
    except OSError as exc:
        raise TextlensError(f"{name}: cannot read input ({exc.strerror or one_line(exc)})") from None
    if not isinstance(data, bytes):
        raise TextlensError(f"{name}: stream is in text mode; open it in binary mode ('rb')")
    if len(data) > MAX_STREAM_BYTES:
        raise TextlensError(f"{name}: input is larger than {MAX_STREAM_BYTES >> 20} MiB; save it to a file first")
    return data


# --- expand_inputs ---------------------------------------------------------------------------


def _expand_one(item: str) -> list[str]:
    if item == "-":
        return ["-"]
    path = Path(item)
    if path.is_dir():
        files = [str(p) for p in path.iterdir() if _wanted(p)]
        if not files:
            raise TextlensError(
                f"{item}: folder has no images or PDFs (looked for {', '.join(sorted(SUPPORTED_SUFFIXES))})"
            )
        return sorted(files, key=_natural_key)
    if path.exists() or os.path.lexists(path):  # a file (also one named like a glob, e.g. 'scan[1].png')
        return [item]
    if re.search(r"[*?[]", item):
        import glob

        matches = [p for p in glob.glob(item, recursive=True) if _wanted(Path(p))]
        if not matches:
            raise TextlensError(f"{item}: pattern matches no images or PDFs; check the pattern and folder")
        return sorted(matches, key=_natural_key)
    raise TextlensError(f"{item}: no such file or folder; check the path")


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".") and path.is_file()


def _natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]
