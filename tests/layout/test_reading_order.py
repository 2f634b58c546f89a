"""Reading order on hand-made line boxes: columns, tables, receipts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textlens.layout.reading_order import LayoutAnalyzer, order_blocks


def _column(x0: float, x1: float, top: float, rows: int, pitch: float = 26, height: float = 20) -> list:
    return [[x0, top + r * pitch, x1, top + r * pitch + height] for r in range(rows)]


def _shuffled(boxes: list, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """Boxes in a random order, and the permutation back to the given (reading) order."""
    order = np.random.default_rng(seed).permutation(len(boxes))
    return np.asarray(boxes, float)[order], [int(i) for i in np.argsort(order)]


def _read(boxes: np.ndarray, back: list[int]) -> list[list[int]]:
    """Blocks as positions in the reading order the test wrote the boxes in."""
    where = {shuffled: original for original, shuffled in enumerate(back)}
    return [[where[i] for i in block] for block in order_blocks(boxes)]


def test_two_columns_read_left_column_first():
    # baselines aligned across the gutter, as in typeset two-column pages
    boxes, back = _shuffled(_column(20, 300, 100, 6) + _column(330, 610, 100, 6))
    assert _read(boxes, back) == [list(range(6)), list(range(6, 12))]


def _words(x0: float, x1: float, y: float, pieces: int, gap: float = 28, height: float = 20) -> list:
    """One justified line the detector cut into ``pieces`` words ``gap`` apart."""
    width = (x1 - x0 - gap * (pieces - 1)) / pieces
    return [[x0 + k * (width + gap), y, x0 + k * (width + gap) + width, y + height] for k in range(pieces)]


def test_two_columns_read_apart_when_the_detector_cut_one_into_words():
    """Justified lines of a bilevel scan, their word gaps as wide as the gutter: most rows of the
    right column come as word pieces, each shorter than a value on a receipt. The pieces of a row
    join into a line as long as prose, so the gutter still splits the columns (it read as a table)."""
    left = _column(20, 620, 100, 10, pitch=52, height=40)
    right: list = []
    for r in range(10):
        y = 100 + 52 * r
        right += _words(660, 1260, y, 7, height=40) if r % 3 else [[660, y, 1260, y + 40]]
    boxes, back = _shuffled(left + right, seed=6)
    reading = [i for block in _read(boxes, back) for i in block]
    assert reading[:10] == list(range(10))  # the whole left column first
    assert sorted(reading[10:]) == list(range(10, len(boxes)))


def test_title_spans_the_columns_and_comes_first():
    title = [[100, 20, 500, 60]]
    boxes, back = _shuffled(title + _column(20, 300, 100, 5) + _column(330, 610, 100, 5), seed=1)
    assert _read(boxes, back) == [[0], [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]


def test_a_gutter_a_few_lines_run_across_still_splits_the_columns():
    """Typeset two columns with a narrow gutter: one line ends in the gutter (a margin line
    number read with it) and one runs across it (the detector merged it with its neighbour)."""
    left, right = _column(20, 300, 100, 10), _column(330, 610, 100, 10)
    left[2][2] = 325  # "... section 50": ends 5 px before the right column
    merged = [20, 100 + 5 * 26, 610, 120 + 5 * 26]  # left row 5 and right row 5 as one box
    boxes = np.asarray(left[:5] + [merged] + left[6:] + right[:5] + right[6:], float)
    blocks = order_blocks(boxes)
    assert [i for block in blocks for i in block] == list(range(len(boxes)))  # left column, then right
    gutters = LayoutAnalyzer().gutters(boxes)
    assert len(gutters) == 1 and gutters[0].crossing == [5] and 300 <= gutters[0].x <= 330


def _large_type_columns(ragged_right_starts: bool) -> tuple[np.ndarray, list[int]]:
    """Two columns of 36-pt type, 12 rows, ragged right, the gutter about a line height clear of
    most line ends: the detector ran three rows (a fifth of the lines) across it. Both columns
    start flush, or the right one starts where each of its lines happens to (a form's answers)."""
    rows, boxes, crossing = 12, [], []
    for r in range(rows):
        y = 100 + 130 * r
        start = 1260 + (97 * r) % 300 if ragged_right_starts else 1260
        if r in (1, 6, 10):
            boxes.append([290, y, 1900, y + 100])
            crossing.append(len(boxes) - 1)
        else:
            boxes += [[290, y, 1050 + 5 * (r % 4), y + 100], [start, y, start + 600, y + 100]]
    return np.asarray(boxes, float), crossing


def test_flush_columns_of_large_type_split_though_a_fifth_of_the_lines_cross():
    boxes, crossing = _large_type_columns(ragged_right_starts=False)
    gutters = LayoutAnalyzer().gutters(boxes)
    assert len(gutters) == 1 and gutters[0].crossing == crossing and 1065 < gutters[0].x < 1260
    assert LayoutAnalyzer(aligned_crossing=0.1).gutters(boxes) == []  # the stricter share alone: no gutter


def test_lines_starting_anywhere_need_the_strict_share_to_split():
    boxes, _ = _large_type_columns(ragged_right_starts=True)
    assert LayoutAnalyzer().gutters(boxes) == []


def test_full_width_lines_are_not_cut_at_a_gutter_below_them():
    abstract = _column(20, 610, 20, 3)  # spans the page, above the columns, a blank band between
    boxes = np.asarray(abstract + _column(20, 300, 140, 8) + _column(330, 610, 140, 8), float)
    assert LayoutAnalyzer().gutters(boxes) == []
    blocks = order_blocks(boxes)
    assert [i for block in blocks for i in block] == list(range(len(boxes)))


def test_a_paragraph_break_level_in_both_columns_does_not_cut_them():
    """Both columns have a blank line at the same height (a blank band across the page) and a
    full-width foot line leaves no clean gutter: the columns go on below the blank, so the page
    still reads left column, then right column, then the foot."""
    left = _column(20, 300, 100, 5) + _column(20, 300, 100 + 6 * 26, 4)
    right = _column(330, 610, 100, 5) + _column(330, 610, 100 + 6 * 26, 4)
    foot = [[20, 400, 610, 420]]
    boxes, back = _shuffled(left + right + foot, seed=3)
    assert [i for block in _read(boxes, back) for i in block] == list(range(19))


def test_running_head_and_foot_are_read_before_and_after_the_columns():
    """One-row running heads over each column and a foot under them, with a page number in the
    gutter: the head row first, then the columns, then the foot row."""
    head = [[60, 20, 240, 40], [420, 20, 580, 40]]
    foot = [[20, 400, 200, 420], [322, 400, 338, 420], [480, 400, 660, 420]]
    boxes, back = _shuffled(head + _column(20, 300, 80, 10) + _column(360, 660, 80, 10) + foot, seed=4)
    assert [i for block in _read(boxes, back) for i in block] == list(range(25))


def test_table_rows_are_read_left_to_right_cells_kept_apart():
    cells = []
    for r in range(4):
        y = 100 + 30 * r
        cells += [[20, y, 90, y + 20], [200, y, 260, y + 20], [400, y, 470, y + 20]]
    boxes, back = _shuffled(cells, seed=2)
    assert _read(boxes, back) == [list(range(12))]


def test_receipt_label_value_rows_stay_together():
    header = [[150, 20, 450, 42], [180, 48, 420, 70]]  # centred shop name and address
    rows = []
    for r in range(5):
        y = 110 + 28 * r
        rows += [[20, y, 200 + 10 * r, y + 20], [480, y, 560, y + 20]]  # label ........ value
    total = [[20, 300, 120, 322], [470, 300, 560, 322]]
    boxes, back = _shuffled(header + rows + total, seed=3)
    assert _read(boxes, back) == [[0, 1], list(range(2, 12)), [12, 13]]


def test_receipt_values_stay_on_their_rows_even_when_labels_form_a_column():
    # left-aligned address lines above the items leave a full-height gap before the values
    lines = [[20, 20 + 26 * r, 260, 40 + 26 * r] for r in range(3)]
    for r in range(6):
        y = 110 + 26 * r
        lines += [[20, y, 240, y + 20], [470, y, 530, y + 20]]
    boxes, back = _shuffled(lines, seed=4)
    assert [i for block in _read(boxes, back) for i in block] == list(range(len(lines)))


def test_a_side_column_of_short_lines_not_on_the_rows_is_its_own_column():
    body = _column(20, 400, 100, 8)
    side = [[460, 117 + 52 * r, 520, 127 + 52 * r] for r in range(4)]  # smaller, between the body rows
    boxes, back = _shuffled(body + side, seed=5)
    blocks = _read(boxes, back)
    assert blocks[0] == list(range(8))
    assert [i for block in blocks[1:] for i in block] == list(range(8, 12))


def test_empty_and_single():
    assert order_blocks(np.zeros((0, 4))) == []
    assert order_blocks([[0, 0, 10, 5]]) == [[0]]


def test_analyzer_rejects_bad_settings():
    with pytest.raises(ValueError, match="block_gap"):
        LayoutAnalyzer(block_gap=0)


@given(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=1, max_size=40), st.sampled_from([0, 10, 50, 90, 100]))
@settings(max_examples=200, deadline=None)
def test_the_percentile_of_sorted_edges_is_numpys(values, q):
    from textlens.layout.reading_order import _sorted_percentile

    ordered = np.sort(np.asarray(values))
    assert _sorted_percentile(ordered, q) == pytest.approx(float(np.percentile(ordered, q)), rel=1e-9, abs=1e-6)
