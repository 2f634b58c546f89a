"""Block kinds and table cells on hand-made line boxes (level frame) and their texts."""

from __future__ import annotations

import numpy as np

from textlens.layout.reading_order import LayoutAnalyzer


def _lay_out(lines: list[tuple[list[float], str]]) -> list[tuple[str, list[str]]]:
    boxes = np.asarray([box for box, _ in lines], float)
    texts = [text for _, text in lines]
    return [(block.kind, [texts[i] for i in block.members]) for block in LayoutAnalyzer().layout(boxes, texts)]


def _prose(top: float, rows: int, words: str = "plain body text of the page goes on here") -> list:
    return [([60, top + 30 * r, 560, top + 30 * r + 20], f"{words} {r}") for r in range(rows)]


def test_a_grid_of_cells_is_a_table_with_rows_and_columns():
    grid = [["Item", "Qty", "Price"], ["Tea", "2", "3.00"], ["Scones with jam", "1", "4.50"], ["Milk", "1", "0.90"]]
    lines = [([60 + 220 * c, 100 + 30 * r, 60 + 220 * c + 90, 120 + 30 * r], text)
             for r, row in enumerate(grid) for c, text in enumerate(row)]  # fmt: skip
    laid = LayoutAnalyzer().layout(np.asarray([box for box, _ in lines], float), [t for _, t in lines])
    assert [block.kind for block in laid] == ["table"]
    cells = {(cell.row, cell.column): [lines[i][1] for i in cell.members] for cell in laid[0].cells}
    assert cells[(0, 0)] == ["Item"] and cells[(2, 0)] == ["Scones with jam"] and cells[(3, 2)] == ["0.90"]
    assert len(cells) == 12


def test_prose_a_detector_cut_into_pieces_is_no_table():
    """Each line found in two pieces, cut at a different word each time: the pieces overlap from
    row to row, so they form no columns."""
    lines = []
    for r, cut in enumerate([200, 320, 260, 380, 230]):
        lines += [
            ([60, 100 + 30 * r, cut, 120 + 30 * r], f"left {r}"),
            ([cut + 12, 100 + 30 * r, 560, 120 + 30 * r], "right"),
        ]
    assert [kind for kind, _ in _lay_out(lines)] == ["paragraph"]


def test_running_head_page_number_and_foot():
    lines = [([60, 10, 200, 26], "Journal of Examples"), ([480, 10, 560, 26], "Vol. 3")]
    lines += _prose(100, 12)
    lines += [([300, 585, 320, 601], "- 7 -"), ([60, 625, 300, 641], "Printed in nowhere, 2026")]
    kinds = [(kind, texts[0]) for kind, texts in _lay_out(lines)]
    assert kinds[0] == ("header", "Journal of Examples") and kinds[1] == ("header", "Vol. 3")
    assert ("page-number", "- 7 -") in kinds and kinds[-1] == ("footer", "Printed in nowhere, 2026")
    assert ("paragraph", "plain body text of the page goes on here 0") in kinds


def test_the_first_and_last_lines_of_body_text_are_no_running_heads():
    """Text close to the body (no blank band) is body text even at the top and bottom of the page."""
    kinds = [kind for kind, _ in _lay_out(_prose(100, 3) + _prose(200, 10) + _prose(510, 3))]
    assert set(kinds) == {"paragraph"}


def test_headings_by_size_and_by_number_and_captions_and_lists():
    lines = [([60, 20, 500, 60], "A Large Title")]
    lines += [([60, 100, 200, 120], "2.1 Methods")] + _prose(130, 4)
    lines += [([60, 300, 560, 320], "Figure 3: what the table shows"), ([60, 330, 400, 350], "and its second line")]
    lines += [([60, 400, 560, 420], "• first point"), ([60, 430, 560, 450], "• second point")]
    laid = _lay_out(lines)
    assert laid[0] == ("heading", ["A Large Title"])
    assert laid[1] == ("heading", ["2.1 Methods"])  # split off the paragraph it opened
    assert laid[2][0] == "paragraph" and len(laid[2][1]) == 4
    assert laid[3] == ("caption", ["Figure 3: what the table shows", "and its second line"])
    assert laid[4] == ("list", ["• first point", "• second point"])


def test_without_texts_only_tables_are_named():
    boxes = np.asarray([box for box, _ in [([60, 20, 500, 60], "x")] + _prose(130, 4)], float)
    assert {block.kind for block in LayoutAnalyzer().layout(boxes)} == {"paragraph"}


def test_a_line_under_the_title_is_no_running_head():
    """Authors under a large title, apart from the body: not the topmost text, so no header."""
    lines = [([60, 10, 560, 50], "A Large Title"), ([60, 70, 400, 90], "Ann Author and Bob Writer")]
    lines += _prose(150, 12)
    kinds = _lay_out(lines)
    assert kinds[0] == ("heading", ["A Large Title"]) and kinds[1] == ("paragraph", ["Ann Author and Bob Writer"])


def test_a_footnote_at_the_foot_of_a_column_is_named_and_read_after_its_column():
    """Two columns; the left one ends with a note set tighter (smaller type)."""
    left = [([60, 100 + 30 * r, 300, 120 + 30 * r], f"left body {r}") for r in range(12)]
    note = [([60, 480 + 20 * r, 300, 494 + 20 * r], "1. A note in small type" if r == 0 else f"goes on {r}")
            for r in range(3)]  # fmt: skip
    right = [([340, 100 + 30 * r, 580, 120 + 30 * r], f"right body {r}") for r in range(14)]
    foot = [([60, 600, 300, 616], "Printed in nowhere, 2026")]
    laid = _lay_out(left + note + right + foot)
    assert [kind for kind, _ in laid] == ["paragraph", "footnote", "paragraph", "footer"]
    assert laid[1][1][0] == "1. A note in small type" and laid[2][1][0] == "right body 0"
    # small type that goes on in the next column (a reference list) is no footnote
    refs = [([340, 100 + 20 * r, 580, 114 + 20 * r], f"[{r}] A. Author, a paper") for r in range(14)]
    assert "footnote" not in [kind for kind, _ in _lay_out(left + note + refs + foot)]


def test_a_cell_whose_text_wraps_keeps_its_lines_together_and_headers_span_columns():
    """Centred cells of two lines ("Proficient" / "user") are read cell by cell; a header over two
    columns spans them; labels and amounts aligned at an edge stay rows of their own."""
    lines = [
        ([100, 100, 320, 120], "Understanding"), ([360, 100, 450, 120], "Writing"),
        ([100, 128, 190, 148], "Listening"), ([230, 128, 320, 148], "Reading"),
        ([100, 156, 190, 176], "C1 Proficient"), ([230, 156, 320, 176], "C2 Proficient"),
        ([360, 156, 450, 176], "B2 Independent"),
        ([125, 180, 165, 196], "user"), ([255, 180, 295, 196], "user"), ([385, 180, 425, 196], "user"),
        ([100, 204, 190, 224], "A2 Basic user"), ([230, 204, 320, 224], "B1 Basic user"),
        ([360, 204, 450, 224], "A1 Basic user"),
    ]  # fmt: skip
    laid = LayoutAnalyzer().layout(np.asarray([box for box, _ in lines], float), [t for _, t in lines])
    assert [block.kind for block in laid] == ["table"]
    read = [lines[i][1] for i in laid[0].members]
    assert read[4:10] == ["C1 Proficient", "user", "C2 Proficient", "user", "B2 Independent", "user"]
    header = next(cell for cell in laid[0].cells if cell.row == 0)
    assert header.column_span == 2

    receipt = [
        ([100, 100, 200, 120], "TOTAL"), ([400, 100, 460, 120], "10.00"),
        ([100, 124, 190, 144], "CASH"), ([400, 124, 460, 144], "20.00"),
        ([100, 148, 210, 168], "CHANGE"), ([400, 148, 460, 168], "10.00"),
    ]  # fmt: skip
    laid = LayoutAnalyzer().layout(np.asarray([box for box, _ in receipt], float), [t for _, t in receipt])
    assert [receipt[i][1] for block in laid for i in block.members] == [t for _, t in receipt]
