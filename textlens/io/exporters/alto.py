"""ALTO 4.4 XML: Description (source image, OCR software) and Layout/Page/PrintSpace/TextBlock/TextLine/String.

Block kinds other than paragraphs are LayoutTags (``TAGREFS``); a table is a ComposedBlock of
TYPE "table" holding a TextBlock per cell (ALTO has no rows and columns)."""

from __future__ import annotations

import re

from lxml import etree

from textlens.document import Document, Line, Page, Polygon, polygon_bbox, union_polygon

from ._common import (
    SOFTWARE_NAME,
    clamp01,
    int_bbox,
    int_points,
    is_axis_aligned_rect,
    now_utc,
    software_version,
    text_angle,
    xml_safe,
)

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XLINK = "http://www.w3.org/1999/xlink"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/alto/v4/alto-4-4.xsd"
# xsd:language; anything else (e.g. "unknown", "en_US") would make the file invalid.
_LANGUAGE = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


def _el(parent: etree._Element, tag: str, **attrib: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", attrib)


def _box(polygon: Polygon, page: Page) -> dict[str, str]:
    x0, y0, x1, y1 = int_bbox(polygon_bbox(polygon), page)
    return {"HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(x1 - x0), "HEIGHT": str(y1 - y0)}


def _shape(element: etree._Element, polygon: Polygon, page: Page) -> None:
    """Add Shape/Polygon when the polygon says more than the box (rotated or curved text)."""
    if len(polygon) >= 3 and not is_axis_aligned_rect(polygon):
        points = " ".join(f"{x},{y}" for x, y in int_points(polygon, page))
        _el(_el(element, "Shape"), "Polygon", POINTS=points)


def _rotation(polygon: Polygon) -> dict[str, str]:
    angle = text_angle(polygon)
    return {"ROTATION": f"{angle:.2f}"} if abs(angle) >= 1.0 else {}


def _add_page(layout: etree._Element, page: Page) -> None:
    p = page.index + 1
    attrs = {"ID": f"page_{p}", "PHYSICAL_IMG_NR": str(p), "WIDTH": str(page.width), "HEIGHT": str(page.height)}
    if page.orientation:
        attrs["ROTATION"] = str(page.orientation)
    if page.language and _LANGUAGE.match(page.language):
        attrs["LANG"] = page.language
    el_page = _el(layout, "Page", **attrs)
    space = _el(el_page, "PrintSpace", HPOS="0", VPOS="0", WIDTH=str(page.width), HEIGHT=str(page.height))
    for b, block in enumerate(page.blocks, start=1):
        block_id = f"block_{p}_{b}"
        if block.kind == "table" and block.cells:
            table = _el(space, "ComposedBlock", ID=block_id, TYPE="table", **_box(block.polygon, page))
            placed: set[int] = set()
            for k, cell in enumerate(block.cells, start=1):
                placed.update(cell.lines)
                _text_block(table, f"{block_id}_c{k}", [block.lines[i] for i in cell.lines], [], page)
            rest = [line for i, line in enumerate(block.lines) if i not in placed]
            if rest:
                _text_block(table, f"{block_id}_rest", rest, [], page)
        else:
            tags = {"TAGREFS": _tag_id(block.kind)} if block.kind != "paragraph" else {}
            _text_block(space, block_id, block.lines, block.polygon, page, **tags)


def _text_block(
    parent: etree._Element, block_id: str, lines: list[Line], polygon: Polygon, page: Page, **attrs: str
) -> None:
    polygon = polygon or union_polygon([line.polygon for line in lines])
    el_block = _el(parent, "TextBlock", ID=block_id, **_box(polygon, page), **_rotation(polygon), **attrs)
    _shape(el_block, polygon, page)
    for n, line in enumerate(lines, start=1):
        if not line.words:
            continue  # ALTO requires at least one String per TextLine
        el_line = _el(el_block, "TextLine", ID=f"{block_id}_l{n}", **_box(line.polygon, page))
        _shape(el_line, line.polygon, page)
        for w, word in enumerate(line.words, start=1):
            if w > 1:
                _el(el_line, "SP")
            el_word = _el(
                el_line,
                "String",
                ID=f"{block_id}_l{n}_s{w}",
                CONTENT=word.text,
                WC=f"{clamp01(word.confidence):.4f}",
                **_box(word.polygon, page),
            )
            _shape(el_word, word.polygon, page)
            for c, char in enumerate(word.chars, start=1):
                glyph_box = _box(char.polygon, page) if char.polygon else {}
                _el(el_word, "Glyph", ID=f"{block_id}_l{n}_s{w}_g{c}", CONTENT=char.text,
                    GC=f"{clamp01(char.confidence):.4f}", **glyph_box)  # fmt: skip


def _tag_id(kind: str) -> str:
    return f"layout_{kind}"


def _add_tags(root: etree._Element, document: Document) -> None:
    """A LayoutTag per block kind the document uses (headings, captions, ...); blocks point at theirs."""
    kinds = sorted({b.kind for p in document.pages for b in p.blocks} - {"paragraph", "table"})
    if kinds:
        tags = _el(root, "Tags")
        for kind in kinds:
            _el(tags, "LayoutTag", ID=_tag_id(kind), TYPE="block", LABEL=kind)


def export(document: Document) -> bytes:
    root = etree.Element(f"{{{NS}}}alto", nsmap={None: NS, "xsi": XSI, "xlink": XLINK})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    description = _el(root, "Description")
    _el(description, "MeasurementUnit").text = "pixel"
    if document.source:
        _el(_el(description, "sourceImageInformation"), "fileName").text = xml_safe(document.source)
    step = _el(_el(description, "OCRProcessing", ID="ocr_1"), "ocrProcessingStep")
    _el(step, "processingDateTime").text = now_utc().isoformat()
    models = document.provenance.models
    if models:  # which weights produced the text, so results can be traced and reproduced
        settings = "; ".join(f"{m.kind}={m.name}" + (f" sha256:{m.sha256}" if m.sha256 else "") for m in models)
        _el(step, "processingStepSettings").text = settings
    software = _el(step, "processingSoftware")
    _el(software, "softwareName").text = SOFTWARE_NAME
    _el(software, "softwareVersion").text = software_version()
    _add_tags(root, document)
    layout = _el(root, "Layout")
    for page in document.pages:
        _add_page(layout, page)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
