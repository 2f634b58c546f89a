"""Render PDF pages lazily with pypdfium2, one page in memory at a time.

Private helper of :mod:`textlens.io.loading` (the public face).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from textlens.errors import TextlensError
from textlens.io.images import one_line

POINTS_PER_INCH = 72.0
# PDFium is not thread-safe; pages are rendered one call at a time across threads (e.g. the server).
_PDFIUM_LOCK = threading.RLock()


REOPEN_EVERY = 16  # pages rendered between reopenings of the document (bounds PDFium's object cache)


def iter_pdf_pages(
    source: str | bytes,
    name: str,
    *,
    dpi: float,
    first_only: bool,
    password: str | None,
    max_pixels: int,
    check_size: Callable[[int, int, str], None],
    only: int | None = None,
) -> Iterator[tuple[np.ndarray, float]]:
    """Yield (RGB uint8 array, dpi actually used) per page (``only``: just that 0-based page);
    the document closes when iteration ends."""
    with _PDFIUM_LOCK:
        doc = _open_for_rendering(source, name, password)
        page_count = len(doc)
    try:
        if page_count == 0:
            raise TextlensError(f"{name}: PDF has no pages")
        if only is not None and not 0 <= only < page_count:
            raise TextlensError(f"{name}: has {page_count} pages, no page {only + 1}")
        indices = range(only, only + 1) if only is not None else range(1 if first_only else page_count)
        for done, index in enumerate(indices):
            with _PDFIUM_LOCK:
                if done and done % REOPEN_EVERY == 0:
                    # PDFium keeps every object it has parsed until the document closes: a long
                    # PDF read in one go would grow by its page streams (~60 MB over 150 A4 scans).
                    doc.close()
                    doc = _open_for_rendering(source, name, password)
                page = _render(doc, index, name, dpi, max_pixels, check_size)
            yield page  # outside the lock: the consumer may take its time
    finally:
        with _PDFIUM_LOCK:
            doc.close()


def _open_for_rendering(source: str | bytes, name: str, password: str | None) -> pdfium.PdfDocument:
    doc = _open(source, name, password)
    try:
        doc.init_forms()  # so filled-in form fields are drawn (their text is what users want read)
    except pdfium.PdfiumError:
        pass
    return doc


def pdf_page_count(source: str | bytes, name: str, password: str | None = None) -> int:
    """The number of pages of a PDF, read from its page tree (nothing is rendered)."""
    with _PDFIUM_LOCK:
        doc = _open(source, name, password)
        try:
            return len(doc)
        finally:
            doc.close()


def _open(source: str | bytes, name: str, password: str | None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(source, password=password)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code not in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and _parses_without_pages(source):
            raise TextlensError(f"{name}: PDF has no pages") from None
        raise TextlensError(f"{name}: {_open_error(code, password)}") from None
    except OSError as exc:
        raise TextlensError(f"{name}: cannot read PDF ({exc.strerror or one_line(exc)})") from None


def _parses_without_pages(source: str | bytes) -> bool:
    """True when PDFium parses the file but finds no pages.

    pypdfium2 refuses page-less documents with PDFium's last error code, which is stale (left over
    from an earlier failure), so we ask PDFium directly; only ever on this error path.
    """
    if isinstance(source, bytes):
        raw = pdfium_c.FPDF_LoadMemDocument64(source, len(source), None)
    else:
        raw = pdfium_c.FPDF_LoadDocument(os.fsencode(source) + b"\0", None)
    if not raw:
        return False
    try:
        return pdfium_c.FPDF_GetPageCount(raw) < 1
    finally:
        pdfium_c.FPDF_CloseDocument(raw)


def _open_error(code: int | None, password: str | None) -> str:
    if code == pdfium_c.FPDF_ERR_PASSWORD:
        if password is None:
            return (
                "PDF is encrypted and needs a password; pass the password (password=...) "
                "or decrypt it first, e.g. `qpdf --decrypt`"
            )
        return "wrong password for this encrypted PDF"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "PDF uses an unsupported security handler; decrypt it first, e.g. `qpdf --decrypt`"
    if code == pdfium_c.FPDF_ERR_FILE:
        return "cannot open the PDF file"
    if code == pdfium_c.FPDF_ERR_FORMAT:
        return "PDF is damaged or truncated; re-export it or repair it, e.g. `qpdf in.pdf out.pdf`"
    return "PDF could not be opened: it is damaged or its page tree is broken; re-export it"


def fit_dpi(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """The requested dpi, lowered just enough that the rendered page stays within ``max_pixels``."""
    if _render_pixels(width_pt, height_pt, dpi) <= max_pixels:
        return dpi
    # Pixel count grows with dpi squared; then step down past pypdfium2's rounding up of each side.
    dpi *= math.sqrt(max_pixels / (width_pt * dpi / POINTS_PER_INCH * height_pt * dpi / POINTS_PER_INCH))
    while _render_pixels(width_pt, height_pt, dpi) > max_pixels and dpi > 1e-3:
        dpi *= 0.995
    return dpi


def render_size(width_pt: float, height_pt: float, dpi: float) -> tuple[int, int]:
    """Bitmap size pypdfium2 renders a page at (it rounds each side up)."""
    scale = dpi / POINTS_PER_INCH
    return math.ceil(width_pt * scale), math.ceil(height_pt * scale)


def _render_pixels(width_pt: float, height_pt: float, dpi: float) -> int:
    width, height = render_size(width_pt, height_pt, dpi)
    return width * height


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
        check_size(*render_size(width_pt, height_pt, used_dpi), where)
        # rev_byteorder gives RGB instead of PDFium's native BGR.
        bitmap = page.render(scale=used_dpi / POINTS_PER_INCH, rev_byteorder=True)
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
