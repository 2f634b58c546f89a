"""PAGE XML 2019-07-15 (PRImA): one Page per file, TextRegion/TextLine/Word/Glyph with Coords and TextEquiv."""

from __future__ import annotations

from lxml import etree

from textlens.document import Block, Cell, Document, Line, Page, Polygon, polygon_bbox, union_polygon
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


# Block kinds -> TextRegion types (PAGE has no list region: a list is a paragraph marked custom).
_REGION_TYPES = {"list": "paragraph", "table": "paragraph"}


def _region(
    parent: etree._Element,
    lines: list[Line],
    polygon: Polygon,
    page: Page,
    region_id: str,
    kind: str,
    cell: Cell | None = None,
) -> None:
    """A TextRegion of ``lines`` (a table cell when ``cell`` is given)."""
    attrs = {"id": region_id} if cell else {"id": region_id, "type": _REGION_TYPES.get(kind, kind)}
    if kind == "list":
        attrs["custom"] = "structure {type:list;}"
    region = _el(parent, "TextRegion", **attrs)
    _coords(region, polygon or union_polygon([line.polygon for line in lines]), page)
    if cell is not None:
        role = {"rowIndex": str(cell.row), "columnIndex": str(cell.column)}
        if cell.row_span != 1:
            role["rowSpan"] = str(cell.row_span)
        if cell.column_span != 1:
            role["colSpan"] = str(cell.column_span)
        _el(_el(region, "Roles"), "TableCellRole", **role)
    for n, line in enumerate(lines, start=1):
        el_line = _el(region, "TextLine", id=f"{region_id}_l{n}")
        _coords(el_line, line.polygon, page)
        for w, word in enumerate(line.words, start=1):
            el_word = _el(el_line, "Word", id=f"{region_id}_l{n}_w{w}")
            _coords(el_word, word.polygon, page)
            for c, char in enumerate(word.chars, start=1):
                if not char.polygon:
                    continue  # Glyph needs Coords
                glyph = _el(el_word, "Glyph", id=f"{region_id}_l{n}_w{w}_g{c}")
                _coords(glyph, char.polygon, page)
                _text_equiv(glyph, char.text, char.confidence)
            _text_equiv(el_word, word.text, word.confidence)
        _text_equiv(el_line, line.text, line.confidence if line.words else None)
    words = [word for line in lines for word in line.words]
    text = "\n".join(line.text for line in lines)
    _text_equiv(region, text, sum(w.confidence for w in words) / len(words) if words else None)


def _table(parent: etree._Element, block: Block, page: Page, region_id: str) -> None:
    """A TableRegion with one TextRegion per cell (TableCellRole); lines in no cell go last."""
    rows = max(c.row + c.row_span for c in block.cells)
    columns = max(c.column + c.column_span for c in block.cells)
    table = _el(parent, "TableRegion", id=region_id, rows=str(rows), columns=str(columns))
    _coords(table, block.polygon, page)
    placed: set[int] = set()
    for k, cell in enumerate(block.cells, start=1):
        lines = [block.lines[i] for i in cell.lines]
        placed.update(cell.lines)
        _region(table, lines, [], page, f"{region_id}_c{k}", "paragraph", cell)
    rest = [line for i, line in enumerate(block.lines) if i not in placed]
    if rest:
        _region(table, rest, [], page, f"{region_id}_rest", "other")


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
        if block.kind == "table" and block.cells:
            _table(el_page, block, page, region_ids[b - 1])
        else:
            _region(el_page, block.lines, block.polygon, page, region_ids[b - 1], block.kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export(document: Document) -> bytes:
    if len(document.pages) != 1:
        raise TextlensError(
            f"PAGE XML holds exactly one page, but {document.source or 'this document'} has "
            f"{len(document.pages)}: export each page separately (page_xml) or use ALTO/hOCR, which hold several"
        )
    return page_xml(document, document.pages[0])
