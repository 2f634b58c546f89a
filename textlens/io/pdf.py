"""Render PDF pages lazily with pypdfium2, one page in memory at a time.

Private helper of :mod:`textlens.io.loading` (the public face).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from textlens.errors import TextlensError
from textlens.io.images import one_line

POINTS_PER_INCH = 72.0


def iter_pdf_pages(
    source: str | bytes,
    name: str,
    *,
    dpi: float,
    first_only: bool,
    password: str | None,
    max_pixels: int,
    check_size: Callable[[int, int, str], None],
) -> Iterator[tuple[np.ndarray, float]]:
    """Yield (RGB uint8 array, dpi actually used) per page; the document closes when iteration ends."""
    doc = _open(source, name, password)
    try:
        if len(doc) == 0:
            raise TextlensError(f"{name}: PDF has no pages")
        try:
            doc.init_forms()  # so filled-in form fields are drawn (their text is what users want read)
        except pdfium.PdfiumError:
            pass
        for index in range(1 if first_only else len(doc)):
            yield _render(doc, index, name, dpi, max_pixels, check_size)
    finally:
        doc.close()


def _open(source: str | bytes, name: str, password: str | None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(source, password=password)
    except pdfium.PdfiumError as exc:
        raise TextlensError(f"{name}: {_open_error(getattr(exc, 'err_code', None), password)}") from None
    except OSError as exc:
        raise TextlensError(f"{name}: cannot read PDF ({exc.strerror or one_line(exc)})") from None


def _open_error(code: int | None, password: str | None) -> str:
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        if password is None:
            return ("PDF is encrypted and needs a password; pass the password (password=...) "
                    "or decrypt it first, e.g. `qpdf --decrypt`")
        return "wrong password for this encrypted PDF"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "PDF uses an unsupported security handler; decrypt it first, e.g. `qpdf --decrypt`"
    if code == pdfium_c.FPDF_ERR_FILE:
        return "cannot open the PDF file"
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return "PDF is damaged or truncated; re-export it or repair it, e.g. `qpdf in.pdf out.pdf`"
    # PDFium reports "success" when the page tree is empty or unusable.
    return "PDF could not be opened: it has no pages or its page tree is broken"


def fit_dpi(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """The requested dpi, lowered just enough that the rendered page stays within ``max_pixels``."""
    pixels = (width_pt * dpi / POINTS_PER_INCH) * (height_pt * dpi / POINTS_PER_INCH)
    if pixels <= max_pixels:
        return dpi
    # Pixel count grows with dpi squared; the 0.999 margin absorbs PDFium's rounding up.
    return dpi * math.sqrt(max_pixels / pixels) * 0.999


def _render(
    doc: pdfium.PdfDocument,
    index: int,
    name: str,
    dpi: float,
    max_pixels: int,
    check_size: Callable[[int, int, str], None],
) -> tuple[np.ndarray, float]:
    where = f"{name} (page {index + 1})"
    page = bitmap = None
    try:
        page = doc[index]
        width_pt, height_pt = page.get_size()
        if not (width_pt > 0 and height_pt > 0 and math.isfinite(width_pt * height_pt)):
            raise TextlensError(f"{where}: PDF page has an invalid size ({width_pt} x {height_pt} pt)")
        used_dpi = fit_dpi(width_pt, height_pt, dpi, max_pixels)
        scale = used_dpi / POINTS_PER_INCH
        check_size(max(1, round(width_pt * scale)), max(1, round(height_pt * scale)), where)
        # rev_byteorder gives RGB instead of PDFium's native BGR.
        bitmap = page.render(scale=scale, rev_byteorder=True)
        image = np.array(bitmap.to_numpy()[:, :, :3], dtype=np.uint8)  # copy: the buffer dies with bitmap
        return image, used_dpi
    except pdfium.PdfiumError as exc:
        raise TextlensError(f"{where}: PDF page could not be rendered ({one_line(exc)})") from None
    except MemoryError:
        raise TextlensError(f"{where}: not enough memory to render at {dpi:g} dpi; use a lower dpi") from None
    finally:
        if bitmap is not None:
            bitmap.close()
        if page is not None:
            page.close()
