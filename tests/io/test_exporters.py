"""Exporters: every format's content, schema validity (hOCR/ALTO/PAGE), the PDF text round-trip,
Tesseract TSV columns, text layout, suffix inference and atomic writing."""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from lxml import etree

from textlens.document import Block, Cell, Char, Document, Line, ModelInfo, Page, Word, bbox_polygon
from textlens.errors import TextlensError
from textlens.io.exporters import FORMATS, export_document, format_from_suffix, write_document

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas"
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
SPECIAL = "<&>\"'"


def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS / name
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing: CI must validate exports against the schemas")
        pytest.skip(f"{path} missing (schemas live in ../shared/schemas)")
    return etree.XMLSchema(etree.parse(str(path)))


def word(text: str, x: float, y: float, w: float, h: float, conf: float = 0.9) -> Word:
    return Word(text, conf, bbox_polygon(x, y, x + w, y + h))


def rotated_word(text: str, cx: float, cy: float, w: float, h: float, degrees: float, conf: float = 0.8) -> Word:
    """A w x h box centred on (cx, cy), text reading `degrees` counter-clockwise (on screen)."""
    a = math.radians(degrees)
    ux, uy = math.cos(a), -math.sin(a)  # reading direction, y down
    vx, vy = math.sin(a), math.cos(a)  # "down" across the text
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    return Word(text, conf, [(cx + dx * ux + dy * vx, cy + dx * uy + dy * vy) for dx, dy in corners])


def make_document() -> Document:
    """Page 1: two blocks, one with a 30-degree rotated line; page 2: empty."""
    block1 = Block(
        [
            Line([word("Héllo", 100, 100, 200, 40, 0.95), word("wörld€", 330, 100, 240, 40, 0.5)]),
            Line([word("日本", 100, 160, 80, 40, 0.75), word(SPECIAL, 200, 160, 200, 40, 1.0)]),
        ]
    )
    block1.lines[0].words[0].chars = [
        Char(c, 0.9, bbox_polygon(100 + 40 * i, 100, 140 + 40 * i, 140)) for i, c in enumerate("Héllo")
    ]
    tilted = rotated_word("tilted", 500, 500, 240, 40, 30.0)
    block2 = Block([Line([tilted], polygon=list(tilted.polygon))])
    page1 = Page(width=1000, height=800, blocks=[block1, block2], index=0, language="en", dpi=200)
    page2 = Page(width=1000, height=800, blocks=[], index=1)
    doc = Document(pages=[page1, page2], source="scans/sample.png")
    doc.provenance.models.append(ModelInfo("tiny_det", "detector", "ab" * 32))
    return doc


def one_page(document: Document) -> Document:
    return Document(pages=document.pages[:1], source=document.source)


# --- registry and writing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.txt", "txt"), ("a.JSON", "json"), ("a.tsv", "tsv"), ("a.hocr", "hocr"), ("a.html", "hocr"),
        ("a.xml", "alto"), ("a.alto.xml", "alto"), ("a.page.xml", "page"), ("dir/a.b.pdf", "pdf"),
    ],
)  # fmt: skip
def test_format_from_suffix(name: str, fmt: str) -> None:
    assert format_from_suffix(name) == fmt


def test_unknown_suffix_lists_formats() -> None:
    with pytest.raises(TextlensError, match=r"a\.docx.*txt.*page.*pdf"):
        format_from_suffix("a.docx")
    with pytest.raises(TextlensError, match="unknown export format 'docx'"):
        export_document(make_document(), "docx")


def test_formats_names() -> None:
    assert set(FORMATS) == {"txt", "json", "tsv", "hocr", "alto", "page", "pdf"}


def test_write_document_infers_format(tmp_path: Path) -> None:
    doc = make_document()
    out = write_document(doc, tmp_path / "sub" / "out.json")
    assert json.loads(out.read_text("utf-8")) == doc.to_dict()
    write_document(doc, tmp_path / "out.data", fmt="txt")
    assert (tmp_path / "out.data").read_text("utf-8").startswith("Héllo wörld€\n")


def test_write_document_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def broken(index: int) -> np.ndarray:
        raise TextlensError("page image unreadable")

    with pytest.raises(TextlensError, match="unreadable"):
        write_document(make_document(), target, page_images=broken)
    assert target.read_bytes() == b"old"
    with pytest.raises(TextlensError, match="exactly one page"):
        write_document(make_document(), tmp_path / "new.page.xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]  # no partial or temporary file


# --- text and json --------------------------------------------------------------------------


def test_text_layout() -> None:
    text = export_document(make_document(), "txt").decode("utf-8")
    assert text == f"Héllo wörld€\n日本 {SPECIAL}\n\ntilted\n\f"


@pytest.mark.parametrize("orientation", [0, 90])
def test_text_puts_the_lines_of_one_row_on_one_line(orientation: int) -> None:
    """A receipt's item and its amount, and a line below: two text lines, also on a page whose
    content is turned (rows are found in the upright frame, not the image's)."""
    boxes = [(100, 100, 300, 130, "2 X FRESH MILK 1L"), (600, 104, 680, 132, "13.80"), (100, 150, 260, 180, "TOTAL")]
    if orientation == 90:  # content turned 90 degrees clockwise: upright (x, y) sits at (H - y, x)
        boxes = [(800 - y1, x0, 800 - y0, x1, text) for x0, y0, x1, y1, text in boxes]
    lines = [Line([Word(text, 0.9, bbox_polygon(x0, y0, x1, y1))]) for x0, y0, x1, y1, text in boxes]
    page = Page(
        width=1000 if orientation == 0 else 800,
        height=800 if orientation == 0 else 1000,
        blocks=[Block(lines)],
        orientation=orientation,
    )
    assert export_document(Document(pages=[page]), "txt").decode() == "2 X FRESH MILK 1L 13.80\nTOTAL\n"


def test_json_is_to_dict_utf8() -> None:
    data = export_document(make_document(), "json")
    assert "Héllo".encode() in data and "日本".encode() in data  # not \\u escaped
    doc = Document.from_dict(json.loads(data))
    assert doc.to_dict() == make_document().to_dict()


def test_json_rejects_nan() -> None:
    doc = make_document()
    doc.pages[0].blocks[0].lines[0].words[0].confidence = float("nan")
    with pytest.raises(TextlensError, match="NaN"):
        export_document(doc, "json")


# --- tsv --------------------------------------------------------------------------------------


def test_tsv_matches_tesseract_columns() -> None:
    rows = [r.split("\t") for r in export_document(make_document(), "tsv").decode("utf-8").splitlines()]
    header = "level page_num block_num par_num line_num word_num left top width height conf text".split()
    assert rows[0] == header
    assert all(len(r) == 12 for r in rows)
    levels = [int(r[0]) for r in rows[1:]]
    assert levels[:4] == [1, 2, 3, 4] and levels.count(1) == 2 and levels.count(5) == 5
    by_text = {r[11]: r for r in rows[1:] if r[0] == "5"}
    assert by_text["Héllo"][1:10] == ["1", "1", "1", "1", "1", "100", "100", "200", "40"]
    assert float(by_text["Héllo"][10]) == pytest.approx(95.0)
    assert by_text[SPECIAL][1:6] == ["1", "1", "1", "2", "2"]
    assert by_text["tilted"][2] == "2"
    assert all(r[10] == "-1" and r[11] == "" for r in rows[1:] if r[0] != "5")
    page2 = [r for r in rows[1:] if r[1] == "2"]
    assert page2 == [["1", "2", "0", "0", "0", "0", "0", "0", "1000", "800", "-1", ""]]


# --- hOCR -------------------------------------------------------------------------------------


def hocr_report(data: bytes, folder: Path):
    """The hocr-spec validator's report on ``data`` (strict parsing)."""
    from hocr_spec import HocrValidator

    path = folder / "out.hocr"
    path.write_bytes(data)
    return HocrValidator("standard").validate(str(path), parse_strict=True)


def test_hocr_is_valid_and_complete(tmp_path: Path) -> None:
    from hocr_spec import HocrValidator

    data = export_document(make_document(), "hocr")
    report = hocr_report(data, tmp_path)
    assert report.is_valid(), report.format("text")
    path = tmp_path / "out.hocr"

    broken = data.replace(b" ocrp_wconf", b"").replace(b" ocrp_poly", b"")  # the validator is not a no-op
    path.write_bytes(broken)
    assert not HocrValidator("standard").validate(str(path), parse_strict=True).is_valid()

    root = etree.fromstring(data)  # also well-formed XHTML
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert root.xpath("//h:meta[@name='ocr-system']/@content", namespaces=ns)[0].startswith("textlens ")
    caps = root.xpath("//h:meta[@name='ocr-capabilities']/@content", namespaces=ns)[0].split()
    assert {"ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word", "ocrp_wconf"} <= set(caps)
    pages = root.xpath("//h:div[@class='ocr_page']", namespaces=ns)
    assert len(pages) == 2 and 'image "sample.png"' in pages[0].get("title")
    words = root.xpath("//h:span[@class='ocrx_word']", namespaces=ns)
    assert [w.text for w in words] == ["Héllo", "wörld€", "日本", SPECIAL, "tilted"]
    assert words[0].get("title") == "bbox 100 100 300 140; x_wconf 95"
    assert root.xpath("//h:p[@class='ocr_par']/@lang", namespaces=ns) == ["en", "en"]
    lines = root.xpath("//h:span[@class='ocr_line']", namespaces=ns)
    assert "baseline 0.0000 0" in lines[0].get("title")
    assert "textangle 30.00" in lines[2].get("title") and "poly " in lines[2].get("title")


# --- ALTO -------------------------------------------------------------------------------------


def test_alto_validates_and_has_content() -> None:
    xsd = schema("alto-4-4.xsd")
    data = export_document(make_document(), "alto")
    root = etree.fromstring(data)
    xsd.assertValid(root)
    ns = {"a": ALTO_NS}
    assert root.xpath("//a:processingSoftware/a:softwareName/text()", namespaces=ns) == ["textlens"]
    assert "detector=tiny_det" in root.xpath("//a:processingStepSettings/text()", namespaces=ns)[0]
    assert root.xpath("//a:sourceImageInformation/a:fileName/text()", namespaces=ns) == ["scans/sample.png"]
    strings = root.xpath("//a:String", namespaces=ns)
    assert [s.get("CONTENT") for s in strings] == ["Héllo", "wörld€", "日本", SPECIAL, "tilted"]
    first = strings[0]
    assert [first.get(k) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")] == ["100", "100", "200", "40"]
    assert float(first.get("WC")) == pytest.approx(0.95)
    assert len(first.xpath("a:Glyph", namespaces=ns)) == 5
    assert len(root.xpath("//a:TextLine[1]/a:SP", namespaces=ns)) >= 1
    tilted = strings[-1]
    assert len(tilted.xpath("a:Shape/a:Polygon", namespaces=ns)) == 1
    assert not first.xpath("a:Shape", namespaces=ns)  # axis-aligned boxes need no polygon
    assert len(root.xpath("//a:Page", namespaces=ns)) == 2


# --- PAGE -------------------------------------------------------------------------------------


def test_page_validates_and_has_content() -> None:
    xsd = schema("pagecontent-2019-07-15.xsd")
    doc = one_page(make_document())
    doc.pages[0].orientation = 90
    data = export_document(doc, "page")
    root = etree.fromstring(data)
    xsd.assertValid(root)
    ns = {"p": PAGE_NS}
    page = root.find("p:Page", ns)
    assert (page.get("imageFilename"), page.get("imageWidth"), page.get("imageHeight")) == ("sample.png", "1000", "800")
    assert float(page.get("orientation")) == -90.0
    assert root.findtext("p:Metadata/p:Creator", namespaces=ns).startswith("textlens")
    refs = root.xpath("//p:ReadingOrder//p:RegionRefIndexed/@regionRef", namespaces=ns)
    assert refs == root.xpath("//p:TextRegion/@id", namespaces=ns) and len(refs) == 2
    words = root.xpath("//p:Word", namespaces=ns)
    assert [w.findtext("p:TextEquiv/p:Unicode", namespaces=ns) for w in words][-3:] == ["日本", SPECIAL, "tilted"]
    assert words[0].find("p:Coords", ns).get("points") == "100,100 300,100 300,140 100,140"
    assert float(words[0].find("p:TextEquiv", ns).get("conf")) == pytest.approx(0.95)
    assert len(words[0].findall("p:Glyph", ns)) == 5
    line_text = root.xpath("//p:TextLine[1]/p:TextEquiv/p:Unicode/text()", namespaces=ns)[0]
    assert line_text == "Héllo wörld€"


def test_empty_page_exports_everywhere() -> None:
    doc = Document(pages=[Page(width=100, height=50)])
    assert export_document(doc, "txt") == b""
    for fmt in set(FORMATS) - {"txt"}:
        assert export_document(doc, fmt)
    schema("pagecontent-2019-07-15.xsd").assertValid(etree.fromstring(export_document(doc, "page")))
    schema("alto-4-4.xsd").assertValid(etree.fromstring(export_document(doc, "alto")))


# --- PDF --------------------------------------------------------------------------------------


def pdf_chars(textpage: pdfium.PdfTextPage) -> list[tuple[str, tuple[float, float]]]:
    """(char, centre of its loose box) for every non-space char of a page."""
    out = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if ch.strip():
            left, bottom, right, top = textpage.get_charbox(i, loose=True)
            out.append((ch, ((left + right) / 2, (bottom + top) / 2)))
    return out


def test_pdf_round_trip_positions() -> None:
    doc = make_document()
    image = np.full((800, 1000, 3), 200, np.uint8)
    data = export_document(doc, "pdf", page_images=[image, image])
    pdf = pdfium.PdfDocument(data)
    assert len(pdf) == 2
    scale = 72 / 200  # page 1 is 200 dpi
    assert pdf[0].get_size() == pytest.approx((1000 * scale, 800 * scale))
    assert pdf[1].get_size() == pytest.approx((1000 * 72 / 300, 800 * 72 / 300))  # default 300 dpi
    images = [o for o in pdf[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1 and "DCTDecode" in images[0].get_filters()

    textpage = pdf[0].get_textpage()
    assert textpage.get_text_range().split() == ["Héllo", "wörld€", "日本", SPECIAL, "tilted"]
    chars = pdf_chars(textpage)
    for w in doc.pages[0].blocks[0].words:  # the axis-aligned ones
        x0, y0, x1, y1 = w.bbox
        box = (x0 * scale, (800 - y1) * scale, x1 * scale, (800 - y0) * scale)
        assert textpage.get_text_bounded(*box).strip() == w.text
        inside = [c for c, (cx, cy) in chars if box[0] - 2 <= cx <= box[2] + 2 and box[1] - 2 <= cy <= box[3] + 2]
        assert "".join(inside) == w.text
    # The rotated word: its chars advance along the 30-degree direction, centred on the word's box.
    tilted = [(cx, cy) for c, (cx, cy) in chars if c in "tilted"][-6:]
    angle = math.degrees(math.atan2(tilted[-1][1] - tilted[0][1], tilted[-1][0] - tilted[0][0]))
    assert angle == pytest.approx(30, abs=1)
    mid = np.mean(tilted, axis=0)
    assert mid == pytest.approx((500 * scale, (800 - 500) * scale), abs=3)
    assert pdf[1].get_textpage().get_text_range() == ""


def test_pdf_without_images_and_bad_images() -> None:
    doc = one_page(make_document())
    pdf = pdfium.PdfDocument(export_document(doc, "pdf"))
    assert not [o for o in pdf[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    assert "日本" in pdf[0].get_textpage().get_text_range()
    with pytest.raises(TextlensError, match="uint8"):
        export_document(doc, "pdf", page_images=[np.zeros((8, 8, 3), np.float32)])
    with pytest.raises(TextlensError, match="page images"):
        export_document(make_document(), "pdf", page_images=[np.zeros((8, 8, 3), np.uint8)])


def test_pdf_is_small_and_text_is_invisible() -> None:
    doc = one_page(make_document())
    white = np.full((800, 1000, 3), 255, np.uint8)
    data = export_document(doc, "pdf", page_images=lambda i: white)
    assert len(data) < 60_000  # no big font embedded
    pdf = pdfium.PdfDocument(io.BytesIO(data))
    rendered = pdf[0].render(scale=1).to_numpy()
    assert rendered.min() >= 250  # the text layer draws nothing over the image


# --- block kinds and tables -------------------------------------------------------------------


def structured_page() -> Document:
    """A running head, a heading, a paragraph, a 2 x 2 table (a header cell spanning both
    columns above it), a caption and a page number."""
    head = Block([Line([word("Journal", 100, 20, 150, 20)])], kind="header")
    heading = Block([Line([word("1.", 100, 80, 30, 40), word("Results", 140, 80, 200, 40)])], kind="heading")
    body = Block([Line([word("Some", 100, 140, 90, 24), word("text.", 200, 140, 90, 24)])])
    cells = [["Name", "Cost"], ["Tea", "1.50"]]
    lines = [Line([word("Prices", 100, 200, 300, 24)])]
    lines += [
        Line([word(text, 100 + 200 * c, 240 + 40 * r, 120, 24)])
        for r, row in enumerate(cells)
        for c, text in enumerate(row)
    ]
    table = Block(
        lines,
        kind="table",
        cells=[Cell(0, 0, [0], column_span=2)] + [Cell(1 + r, c, [1 + 2 * r + c]) for r in range(2) for c in range(2)],
    )
    caption = Block([Line([word("Table", 100, 330, 90, 24), word("1", 200, 330, 20, 24)])], kind="caption")
    note = Block([Line([word("1", 100, 700, 10, 16), word("Noted.", 115, 700, 60, 16)])], kind="footnote")
    number = Block([Line([word("7", 480, 760, 20, 20)])], kind="page-number")
    page = Page(width=1000, height=800, blocks=[head, heading, body, table, caption, note, number], language="en")
    return Document(pages=[page], source="structured.png")


def test_block_kinds_and_cells_round_trip_through_json() -> None:
    from textlens.io.exporters.json import parse

    document = structured_page()
    again = parse(export_document(document, "json"))
    assert [b.kind for b in again.pages[0].blocks] == [
        "header",
        "heading",
        "paragraph",
        "table",
        "caption",
        "footnote",
        "page-number",
    ]
    assert again.pages[0].blocks[3].cells == document.pages[0].blocks[3].cells
    assert export_document(again, "json") == export_document(document, "json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b.update(kind="sidebar"), "block kind"),
        (lambda b: b["cells"][0].update(lines=[9]), "does not have"),
        (lambda b: b["cells"][0].update(row=-1), "row and column"),
    ],
)
def test_json_refuses_unknown_kinds_and_broken_cells(change, message) -> None:
    from textlens.io.exporters.json import parse

    data = json.loads(export_document(structured_page(), "json"))
    change(data["pages"][0]["blocks"][3])
    with pytest.raises(TextlensError, match=message):
        parse(json.dumps(data))


def test_page_xml_types_regions_and_builds_the_table() -> None:
    root = etree.fromstring(export_document(structured_page(), "page"))
    schema("pagecontent-2019-07-15.xsd").assertValid(root)
    ns = {"p": PAGE_NS}
    top = root.xpath("//p:Page/p:TextRegion/@type", namespaces=ns)
    assert top == ["header", "heading", "paragraph", "caption", "footnote", "page-number"]
    table = root.find("p:Page/p:TableRegion", ns)
    assert (table.get("rows"), table.get("columns")) == ("3", "2")
    roles = table.xpath("p:TextRegion/p:Roles/p:TableCellRole", namespaces=ns)
    assert [(r.get("rowIndex"), r.get("columnIndex"), r.get("colSpan")) for r in roles] == [
        ("0", "0", "2"), ("1", "0", None), ("1", "1", None), ("2", "0", None), ("2", "1", None),
    ]  # fmt: skip
    texts = table.xpath("p:TextRegion/p:TextEquiv/p:Unicode/text()", namespaces=ns)
    assert texts == ["Prices", "Name", "Cost", "Tea", "1.50"]
    order = root.xpath("//p:RegionRefIndexed/@regionRef", namespaces=ns)
    assert order[3] == table.get("id") and len(order) == 7


def test_alto_tags_block_kinds_and_composes_tables() -> None:
    root = etree.fromstring(export_document(structured_page(), "alto"))
    schema("alto-4-4.xsd").assertValid(root)
    ns = {"a": ALTO_NS}
    tags = {t.get("ID"): t.get("LABEL") for t in root.xpath("//a:Tags/a:LayoutTag", namespaces=ns)}
    assert sorted(tags.values()) == ["caption", "footnote", "header", "heading", "page-number"]
    blocks = root.xpath("//a:PrintSpace/*", namespaces=ns)
    kinds = [tags.get(b.get("TAGREFS")) for b in blocks]
    assert kinds == ["header", "heading", None, None, "caption", "footnote", "page-number"]
    table = blocks[3]
    assert table.tag == f"{{{ALTO_NS}}}ComposedBlock" and table.get("TYPE") == "table"
    assert len(table.xpath("a:TextBlock", namespaces=ns)) == 5


def test_hocr_marks_heads_feet_page_numbers_tables_and_captions(tmp_path: Path) -> None:
    data = export_document(structured_page(), "hocr")
    report = hocr_report(data, tmp_path)
    assert report.is_valid(), report.format("text")
    root = etree.fromstring(data)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    areas = root.xpath("//h:div[@class='ocr_page']/h:div/@class", namespaces=ns)
    assert areas == ["ocr_header", "ocr_carea", "ocr_carea", "ocr_table", "ocr_carea", "ocr_carea", "ocr_pageno"]
    assert root.xpath("//h:p[@class='ocr_caption']//h:span[@class='ocrx_word']/text()", namespaces=ns) == ["Table", "1"]


@pytest.mark.parametrize("width", ["Infinity", "NaN", "1e999"])
def test_json_refuses_non_finite_numbers_clearly(width: str) -> None:
    """Found by the decoder fuzzer: a page width of Infinity raised OverflowError."""
    from textlens.io.exporters.json import parse

    with pytest.raises(TextlensError, match="not JSON|not a valid textlens Document"):
        parse('{"pages": [{"width": ' + width + ', "height": 1}]}')


@pytest.mark.parametrize(
    "where", [["pages", 0, "blocks", 0, "lines", 0, "words", 0, "text"], ["source"], ["provenance", "settings"]]
)
def test_json_refuses_texts_that_xml_cannot_carry(where: list) -> None:
    """Found by the decoder fuzzer: a word reading "\\x08" parsed, then hOCR, ALTO and PAGE raised."""
    from textlens.io.exporters.json import parse

    data = json.loads(export_document(structured_page(), "json"))
    parent = data
    for key in where[:-1]:
        parent = parent.setdefault(key, {}) if isinstance(key, str) else parent[key]
    parent[where[-1]] = "Tea\x08"
    with pytest.raises(TextlensError, match="U\\+0008"):
        parse(json.dumps(data))


def test_a_file_name_xml_cannot_carry_is_written_with_a_replacement_character() -> None:
    """`textlens read $'bad\\x08name.png' --format alto` failed: a file name may hold a control character."""
    document = structured_page()
    document.source = "/scans/bad\x08name.png"
    for fmt in ("alto", "hocr", "page"):
        data = export_document(document, fmt)
        assert "bad\ufffdname.png" in data.decode("utf-8")
    schema("alto-4-4.xsd").assertValid(etree.fromstring(export_document(document, "alto")))
