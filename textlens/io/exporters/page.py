"""PAGE XML 2019-07-15 (PRImA): one Page per file, TextRegion/TextLine/Word/Glyph with Coords and TextEquiv."""

from __future__ import annotations

from lxml import etree

from textlens.document import Document, Page, Polygon, polygon_bbox
from textlens.errors import TextlensError

from ._common import SOFTWARE_NAME, clamp01, int_points, now_utc, page_image_name, software_version

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} {NS}/pagecontent.xsd"


def _el(parent: etree._Element, tag: str, **attrib: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", attrib)


def _coords(parent: etree._Element, polygon: Polygon, page: Page) -> None:
    points = int_points(polygon, page)
    if len(points) < 2:  # the schema needs at least two points: use the (possibly empty) box
        x0, y0, x1, y1 = polygon_bbox(polygon)
        points = int_points([(x0, y0), (x1, y1)], page)
    _el(parent, "Coords", points=" ".join(f"{x},{y}" for x, y in points))


def _text_equiv(parent: etree._Element, text: str, confidence: float | None = None) -> None:
    attrs = {"conf": f"{clamp01(confidence):.4f}"} if confidence is not None else {}
    _el(_el(parent, "TextEquiv", **attrs), "Unicode").text = text


def _orientation(page: Page) -> float:
    """PAGE's orientation: degrees to turn the page clockwise to make it upright, in (-180, 180]."""
    angle = -(page.orientation + page.skew) % 360.0
    return angle - 360.0 if angle > 180.0 else angle


def page_xml(document: Document, page: Page) -> bytes:
    """PAGE XML for one page of a document."""
    root = etree.Element(f"{{{NS}}}PcGts", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    meta = _el(root, "Metadata")
    _el(meta, "Creator").text = f"{SOFTWARE_NAME} {software_version()}"
    stamp = now_utc().isoformat()
    _el(meta, "Created").text = stamp
    _el(meta, "LastChange").text = stamp
    attrs = {"imageFilename": page_image_name(document, page), "imageWidth": str(page.width),
             "imageHeight": str(page.height)}  # fmt: skip
    if _orientation(page):
        attrs["orientation"] = f"{_orientation(page):.3f}"
    el_page = _el(root, "Page", **attrs)
    p = page.index + 1
    region_ids = [f"r_{p}_{b}" for b in range(1, len(page.blocks) + 1)]
    if region_ids:
        group = _el(_el(el_page, "ReadingOrder"), "OrderedGroup", id=f"ro_{p}", caption="Regions reading order")
        for i, region_id in enumerate(region_ids):
            _el(group, "RegionRefIndexed", index=str(i), regionRef=region_id)
    for b, block in enumerate(page.blocks, start=1):
        region = _el(el_page, "TextRegion", id=region_ids[b - 1])
        _coords(region, block.polygon, page)
        for n, line in enumerate(block.lines, start=1):
            el_line = _el(region, "TextLine", id=f"l_{p}_{b}_{n}")
            _coords(el_line, line.polygon, page)
            for w, word in enumerate(line.words, start=1):
                el_word = _el(el_line, "Word", id=f"w_{p}_{b}_{n}_{w}")
                _coords(el_word, word.polygon, page)
                for c, char in enumerate(word.chars, start=1):
                    if not char.polygon:
                        continue  # Glyph needs Coords
                    glyph = _el(el_word, "Glyph", id=f"g_{p}_{b}_{n}_{w}_{c}")
                    _coords(glyph, char.polygon, page)
                    _text_equiv(glyph, char.text, char.confidence)
                _text_equiv(el_word, word.text, word.confidence)
            _text_equiv(el_line, line.text, line.confidence if line.words else None)
        _text_equiv(region, block.text, block.confidence if block.words else None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export(document: Document) -> bytes:
    if len(document.pages) != 1:
        raise TextlensError(
            f"PAGE XML holds exactly one page, but {document.source or 'this document'} has "
            f"{len(document.pages)}: export each page separately (page_xml) or use ALTO/hOCR, which hold several"
        )
    return page_xml(document, document.pages[0])
