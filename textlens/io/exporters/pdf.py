"""Searchable PDF, like Tesseract's PDF renderer: the page image with an invisible text layer.

Each word is an invisible text object (render mode 3) placed on its polygon: the em box spans
the word's height, the text is scaled horizontally to the word's width and rotated with the
word's reading direction, so selecting, searching and copying text in a viewer finds it where
it is printed.

The text uses a "glyphless" font as Tesseract does: a 624-byte TrueType font whose only glyph
is empty, shown through a CID font where every character code is its UTF-16 code unit and a
ToUnicode map that is the identity. Any script therefore round-trips (no font coverage needed)
and the PDF carries no large font file.
"""

from __future__ import annotations

import base64
import ctypes
import io
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from textlens.document import Document, Page, Word
from textlens.errors import TextlensError

from ._common import text_angle

DEFAULT_DPI = 300.0  # assumed when a page does not know its resolution (Tesseract does the same)
JPEG_QUALITY = 85
INVISIBLE = 3  # PDF text render mode 3: neither fill nor stroke

PageImages = Sequence[np.ndarray] | Callable[[int], np.ndarray]

# Built with fontTools' FontBuilder: unitsPerEm 1000, ascent 800, descent -200, glyphs
# ".notdef" and "glyph", both empty with advance 500.
_GLYPHLESS_TTF = base64.b64decode(
    "AAEAAAAKAIAAAwAgT1MvMkUAQ7AAAAEoAAAAYGNtYXAADABzAAABkAAAADRnbHlmAAAAAAAAAcwAAAABaGVhZC1sSE4AAACsAAAANmhoZWEDIgEuAAAA5AAAACRobXR4AfQAAAAAAYgAAAAGbG9jYQAAAAAAAAHEAAAABm1heHAAAwACAAABCAAAACBuYW1lGZ8ZNAAAAdAAAABycG9zdG1/dc8AAAJEAAAALAABAAAAAQAAqDhjrl8PPPUAAwPoAAAAAOcrA7cAAAAA5ysDtwAAAAAAAAAAAAAAAwACAAAAAAAAAAEAAAMg/zgAAAH0AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAEAAAACAAAAAAAAAAAAAgAAAAAAAAAAAAAAAAAAAAAAAwH0AZAABQAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAPz8/PwAAACAAIAMg/zgAAAMgAMgAAAAAAAAAAAAAAAAAAAAgAAAB9AAAAAAAAAAAAAIAAAADAAAAFAADAAEAAAAUAAQAIAAAAAQABAABAAAAIP//AAAAIP///+EAAQAAAAAAAAAAAAAAAAAAAAAAAAAEADYAAQAAAAAAAQANAAAAAQAAAAAAAgAHAA0AAwABBAkAAQAaABQAAwABBAkAAgAOAC5HbHlwaExlc3NGb250UmVndWxhcgBHAGwAeQBwAGgATABlAHMAcwBGAG8AbgB0AFIAZQBnAHUAbABhAHIAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAECBWdseXBo"
)
_ADVANCE = 0.5  # glyph advance in em
_DESCENT = 0.2  # descent in em: the baseline sits this far above the bottom of the em box


def _to_unicode_cmap() -> bytes:
    """Identity ToUnicode CMap for 2-byte codes, in bfrange blocks of at most 100 entries."""
    ranges = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(256)]
    blocks = [
        f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange"
        for chunk in (ranges[i : i + 100] for i in range(0, len(ranges), 100))
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _load_font(pdf: Any, raw: Any) -> Any:
    if not hasattr(raw, "FPDFText_LoadCidType2Font"):  # added to pdfium in late 2023
        raise TextlensError("PDF export needs a newer pypdfium2: pip install -U 'pypdfium2>=4.25'")
    font_data = (ctypes.c_ubyte * len(_GLYPHLESS_TTF)).from_buffer_copy(_GLYPHLESS_TTF)
    cid_to_gid = bytes([0, 1]) * 65536  # every code shows glyph 1 (big-endian uint16)
    gid_data = (ctypes.c_ubyte * len(cid_to_gid)).from_buffer_copy(cid_to_gid)
    font = raw.FPDFText_LoadCidType2Font(pdf, font_data, len(font_data), _to_unicode_cmap(), gid_data, len(gid_data))
    if not font:
        raise TextlensError("cannot create the PDF text layer font (pdfium refused it): update pypdfium2")
    return font


def _page_image(page_images: PageImages | None, i: int, page: Page) -> np.ndarray | None:
    if page_images is None:
        return None
    if callable(page_images):
        image = page_images(i)
    else:
        if i >= len(page_images):
            raise TextlensError(f"PDF export: got {len(page_images)} page images for {i + 1}+ pages; pass one per page")
        image = page_images[i]
    image = np.asarray(image)
    if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (1, 3))):
        raise TextlensError(
            f"PDF export: page {i + 1} image must be an RGB (H, W, 3) or grey (H, W) uint8 array, "
            f"got {image.dtype} {image.shape}"
        )
    return image


def _jpeg(image: np.ndarray) -> io.BytesIO:
    from PIL import Image

    array = image[:, :, 0] if image.ndim == 3 and image.shape[2] == 1 else image
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "JPEG", quality=JPEG_QUALITY)
    buffer.seek(0)
    return buffer


def _word_geometry(word: Word, page: Page, scale: float) -> tuple[float, float, float, float, float] | None:
    """(origin_x, origin_y, width, height, angle) in PDF points; origin = bottom-left as the text reads."""

    def to_pdf(x: float, y: float) -> tuple[float, float]:
        return x * scale, (page.height - y) * scale

    poly = word.polygon
    if len(poly) == 4:
        (x0, y0), (x1, y1), _, (x3, y3) = poly
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(x3 - x0, y3 - y0)
        angle = text_angle(poly)
        ox, oy = to_pdf(x3, y3)
    elif poly:
        bx0, by0, bx1, by1 = word.bbox
        width, height, angle = bx1 - bx0, by1 - by0, 0.0
        ox, oy = to_pdf(bx0, by1)
    else:
        return None
    if width <= 0 or height <= 0:
        return None
    return ox, oy, width * scale, height * scale, angle


def _add_word(pdf: Any, raw: Any, pdfium: Any, pdf_page: Any, font: Any, word: Word, page: Page,
              scale: float, trailing_space: bool) -> None:  # fmt: skip
    geometry = _word_geometry(word, page, scale)
    if geometry is None or not word.text:
        return
    ox, oy, width, height, angle = geometry
    units = word.text.encode("utf-16-be")
    codes = [int.from_bytes(units[i : i + 2], "big") for i in range(0, len(units), 2)]
    natural_width = len(codes) * _ADVANCE * height
    if trailing_space:  # an explicit space (in the gap after the box) so extractors split words
        codes.append(0x20)
    text_obj = raw.FPDFPageObj_CreateTextObj(pdf, font, ctypes.c_float(height))
    raw.FPDFText_SetCharcodes(text_obj, (ctypes.c_uint * len(codes))(*codes), len(codes))
    raw.FPDFTextObj_SetTextRenderMode(text_obj, INVISIBLE)
    matrix = (
        pdfium.PdfMatrix()
        .scale(width / natural_width, 1.0)
        .translate(0.0, _DESCENT * height)
        .rotate(angle, ccw=True)
        .translate(ox, oy)
    )
    raw.FPDFPageObj_SetMatrix(text_obj, matrix)
    raw.FPDFPage_InsertObject(pdf_page, text_obj)


def export(document: Document, page_images: PageImages | None = None) -> bytes:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    font = _load_font(pdf, raw)
    try:
        for i, page in enumerate(document.pages):
            scale = 72.0 / (page.dpi or DEFAULT_DPI)
            width_pt, height_pt = page.width * scale, page.height * scale
            pdf_page = pdf.new_page(width_pt, height_pt)
            image = _page_image(page_images, i, page)
            if image is not None:
                image_obj = pdfium.PdfImage.new(pdf)
                image_obj.load_jpeg(_jpeg(image), inline=True)
                image_obj.set_matrix(pdfium.PdfMatrix().scale(width_pt, height_pt))
                pdf_page.insert_obj(image_obj)
            for line in page.lines:
                for w, word in enumerate(line.words):
                    _add_word(pdf, raw, pdfium, pdf_page, font, word, page, scale, w < len(line.words) - 1)
            pdf_page.gen_content()
            pdf_page.close()
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()
    finally:
        raw.FPDFFont_Close(font)
        pdf.close()
