"""Draw what textlens read over the page: block, line and word polygons plus the text.

``render_overlay(page, image)`` returns a PIL image; ``save_overlay(document, page_images,
path)`` writes one file (one page, or every page for .pdf/.tif) or one file per page
(``scan.png`` -> ``scan-1.png``, ``scan-2.png``, ...); ``show`` opens it in a viewer.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.document import Document, Line, Page
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic

__all__ = ["overlay_paths", "render_overlay", "save_overlay", "show"]

BLOCK_COLOUR = (255, 140, 0)
LINE_COLOUR = (0, 170, 0)
WORD_COLOUR = (40, 90, 255)
TEXT_COLOUR = (200, 0, 0)
_MULTI_PAGE = {".pdf", ".tif", ".tiff"}
_SAVE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".pdf": "PDF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def render_overlay(page: Page, image: np.ndarray | Image.Image, *, text: bool = True) -> Image.Image:
    """The page image, faded, with block/line/word outlines and (``text``) each line's text."""
    base = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    base = base.convert("RGB")
    if base.size != (page.width, page.height):
        base = base.resize((page.width, page.height))
    canvas = Image.blend(base, Image.new("RGB", base.size, (255, 255, 255)), 0.35)
    draw = ImageDraw.Draw(canvas)
    width = max(1, round(max(page.width, page.height) / 800))
    for block in page.blocks:
        _outline(draw, block.polygon, BLOCK_COLOUR, width + 1)
        for line in block.lines:
            for word in line.words:
                _outline(draw, word.polygon, WORD_COLOUR, width)
            _outline(draw, line.polygon, LINE_COLOUR, width)
    if text:
        for line in page.lines:
            _label(canvas, line, page.orientation)
    return canvas


def _outline(draw: ImageDraw.ImageDraw, polygon: Sequence[tuple[float, float]], colour: tuple, width: int) -> None:
    if len(polygon) >= 2:
        points = [(float(x), float(y)) for x, y in polygon]
        draw.line([*points, points[0]], fill=colour, width=width)


def _label(canvas: Image.Image, line: Line, orientation: int) -> None:
    """The line's text on a white tag just above the line, turned like the page's text."""
    if len(line.polygon) < 4 or not line.text:
        return
    p0, p1, _, p3 = (np.asarray(p, dtype=float) for p in line.polygon[:4])
    along = (p1 - p0) / (np.linalg.norm(p1 - p0) or 1.0)
    up = (p0 - p3) / (np.linalg.norm(p0 - p3) or 1.0)
    font = _font(int(min(max(np.linalg.norm(p0 - p3) * 0.6, 10), 48)))
    _, _, right, bottom = font.getbbox(line.text)
    width, height = int(right) + 4, int(bottom) + 2  # in the text's own direction
    tag = Image.new("RGB", (width, height), (255, 255, 255))
    ImageDraw.Draw(tag).text((2, 0), line.text, fill=TEXT_COLOUR, font=font)
    tag = tag.rotate(-(round(orientation / 90) * 90 % 360), expand=True)  # PIL turns counter-clockwise
    top_left = p0 + up * (height + 2)  # the tag sits just above the line's top-left corner
    corners = [top_left, top_left + along * width, top_left - up * height, top_left + along * width - up * height]
    left, top = np.min(corners, axis=0)
    canvas.paste(tag, (int(round(left)), int(round(top))))


def overlay_paths(path: str | Path, pages: int) -> list[Path]:
    """Where ``save_overlay`` writes ``pages`` pages for the requested ``path``."""
    path = Path(path)
    if pages <= 1 or path.suffix.lower() in _MULTI_PAGE:
        return [path]
    return [path.with_name(f"{path.stem}-{i}{path.suffix}") for i in range(1, pages + 1)]


def save_overlay(document: Document, page_images: Sequence[np.ndarray | Image.Image], path: str | Path) -> list[Path]:
    """Write overlays of every page (atomically); returns the files written."""
    path = Path(path)
    fmt = _SAVE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise TextlensError(f"{path}: unknown overlay image type; use one of {', '.join(sorted(_SAVE_FORMATS))}")
    if len(page_images) != len(document.pages):
        raise ValueError(f"{len(document.pages)} pages but {len(page_images)} page images")
    if not document.pages:
        raise TextlensError(f"{path}: the document has no pages to draw")
    rendered = [render_overlay(p, img) for p, img in zip(document.pages, page_images)]
    targets = overlay_paths(path, len(rendered))
    if len(targets) == 1:
        write_atomic(targets[0], _encode(rendered, fmt))
    else:
        for target, image in zip(targets, rendered):
            write_atomic(target, _encode([image], fmt))
    return targets


def _encode(images: list[Image.Image], fmt: str) -> bytes:
    buffer = io.BytesIO()
    first, rest = images[0], images[1:]
    if rest:
        first.save(buffer, format=fmt, save_all=True, append_images=rest)
    else:
        first.save(buffer, format=fmt)
    return buffer.getvalue()


def show(document: Document, page_images: Sequence[np.ndarray | Image.Image], page: int = 0) -> Image.Image:
    """Open the overlay of one page in the system image viewer; returns it (notebooks display it)."""
    if not 0 <= page < len(document.pages):
        raise TextlensError(f"page {page} does not exist; the document has {len(document.pages)} page(s)")
    image = render_overlay(document.pages[page], page_images[page])
    if "ipykernel" not in sys.modules:  # a notebook displays the returned image itself
        image.show()
    return image
