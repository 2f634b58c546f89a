"""hOCR 1.2 (XHTML): ocr_page > ocr_carea > ocr_par > ocr_line > ocrx_word, like Tesseract writes it.

Running heads and feet, page numbers and tables are held by ocr_header, ocr_footer, ocr_pageno
and ocr_table in place of ocr_carea; a caption paragraph is an ocr_caption."""

from __future__ import annotations

import math

from lxml import etree

from textlens.document import Document, Line, Page, Polygon, polygon_bbox

from ._common import (
    SOFTWARE_NAME,
    clamp01,
    int_bbox,
    int_points,
    is_axis_aligned_rect,
    page_image_name,
    software_version,
    text_angle,
    xml_safe,
)

XHTML = "http://www.w3.org/1999/xhtml"
CAPABILITIES = (
    "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocr_header ocr_footer ocr_pageno ocr_table ocr_caption "
    "ocrp_wconf ocrp_lang ocrp_poly"
)
# Block kinds -> the hOCR element that holds the block (else ocr_carea), and the paragraph class.
_AREA_CLASSES = {"header": "ocr_header", "footer": "ocr_footer", "page-number": "ocr_pageno", "table": "ocr_table"}
_PAR_CLASSES = {"caption": "ocr_caption"}
DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
# Angles smaller than this are skew, expressed by the baseline slope instead of textangle.
ROTATED_DEGREES = 1.0


def _el(parent: etree._Element, tag: str, **attrib: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{XHTML}}}{tag}", attrib)


def _bbox(polygon: Polygon, page: Page) -> str:
    return "bbox {} {} {} {}".format(*int_bbox(polygon_bbox(polygon), page))


def _geometry(polygon: Polygon, page: Page) -> list[str]:
    props = [_bbox(polygon, page)]
    if len(polygon) >= 3 and not is_axis_aligned_rect(polygon):
        props.append("poly " + " ".join(f"{x} {y}" for x, y in int_points(polygon, page)))
    return props


def _line_props(line: Line, page: Page) -> list[str]:
    props = _geometry(line.polygon, page)
    angle = text_angle(line.polygon)
    if abs(angle) >= ROTATED_DEGREES:
        props.append(f"textangle {angle:.2f}")
    elif len(line.polygon) == 4:
        # Baseline = the bottom edge (p3 -> p2): slope, then offset from the bbox's bottom-left corner.
        (x3, y3), (x2, y2) = line.polygon[3], line.polygon[2]
        slope = (y2 - y3) / (x2 - x3) if x2 != x3 else 0.0
        x0, _, _, y1 = int_bbox(line.bbox, page)
        offset = y3 + slope * (x0 - x3) - y1
        props.append(f"baseline {slope:.4f} {round(offset)}")
    return props


def _ocr(parent: etree._Element, tag: str, cls: str, id_: str, props: list[str], **extra: str) -> etree._Element:
    """An hOCR element: class, id and the title holding its properties."""
    return _el(parent, tag, **{"class": cls, "id": id_, "title": "; ".join(props)}, **extra)


def _add_page(body: etree._Element, document: Document, page: Page) -> None:
    p = page.index + 1
    # Quotes and semicolons would break the title's property syntax.
    image = page_image_name(document, page).replace('"', "").replace(";", "_")
    page_props = [f'image "{image}"', f"bbox 0 0 {page.width} {page.height}", f"ppageno {page.index}"]
    if page.dpi:
        page_props.append(f"scan_res {round(page.dpi)} {round(page.dpi)}")
    lang = {"lang": page.language} if page.language else {}
    div = _ocr(body, "div", "ocr_page", f"page_{p}", page_props)
    for b, block in enumerate(page.blocks, start=1):
        area_class = _AREA_CLASSES.get(block.kind, "ocr_carea")
        area = _ocr(div, "div", area_class, f"block_{p}_{b}", _geometry(block.polygon, page))
        par_class = _PAR_CLASSES.get(block.kind, "ocr_par")
        par = _ocr(area, "p", par_class, f"par_{p}_{b}", _geometry(block.polygon, page), **lang)
        for n, line in enumerate(block.lines, start=1):
            span = _ocr(par, "span", "ocr_line", f"line_{p}_{b}_{n}", _line_props(line, page))
            for w, word in enumerate(line.words, start=1):
                if w > 1:
                    span[-1].tail = " "  # readable text when the HTML is shown or copied
                props = _geometry(word.polygon, page)
                props.append(f"x_wconf {math.floor(clamp01(word.confidence) * 100)}")
                _ocr(span, "span", "ocrx_word", f"word_{p}_{b}_{n}_{w}", props).text = word.text


def export(document: Document) -> bytes:
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML})
    langs = sorted({p.language for p in document.pages if p.language})
    if len(langs) == 1:
        html.set("lang", langs[0])
        html.set("{http://www.w3.org/XML/1998/namespace}lang", langs[0])
    head = _el(html, "head")
    _el(head, "title").text = xml_safe(document.source or "")
    _el(head, "meta", **{"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    _el(head, "meta", name="ocr-system", content=f"{SOFTWARE_NAME} {software_version()}")
    _el(head, "meta", name="ocr-capabilities", content=CAPABILITIES)
    _el(head, "meta", name="ocr-number-of-pages", content=str(len(document.pages)))
    if langs:
        _el(head, "meta", name="ocr-langs", content=" ".join(langs))
    body = _el(html, "body")
    for page in document.pages:
        _add_page(body, document, page)
    return etree.tostring(html, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE)
