"""What each block is: tables (with their cells), headings, captions, lists, running heads and
feet, page numbers; everything else is a paragraph.

Works on line boxes in the level frame (``textlens.layout.grouping``) and, for the kinds that
need it, the lines' text. Rules, in order:

* **table**: within one reading-order region, a run of rows where at least two rows (and half
  of the run) hold two or more lines side by side, and those lines fall into two or more
  columns (x-ranges that no line of another column overlaps). Prose a detector cut into word
  pieces does not qualify: its pieces overlap from row to row and merge into one column. Each
  line becomes part of the cell of its row and of the column(s) it overlaps.
* **page-number**: a block in the top or bottom band of the page reading only a number ("12",
  "- 3 -", "iv", "Page 2 of 9").
* **header** / **footer**: one or two rows of ordinary-size text, the topmost (lowest) on the
  page, in the top or bottom band
  (``MARGIN`` of the text's extent) of a page of three blocks or more, a blank of
  ``MARGIN_GAP`` body lines away from every other line but page numbers.
* **heading**: up to three lines of text clearly larger than the page's body text, or one short
  numbered line ("2. Methods", "3.1 Results") that does not end a sentence.
* **caption**: starts with "Figure 3", "Fig. 3", "Table 2" (and their French, German, Spanish
  and Italian names).
* **list**: its first line and at least one more start with a bullet or an enumerator.
* **footnote**: a paragraph of two rows or more set tighter than the body (line pitch at most
  ``FOOTNOTE_PITCH`` of the body's), right under body text of its column and with nothing but
  running feet below it, followed by body text (the next column). It stays where it is, after
  its column, as Tesseract and PDF text layers read LaTeX's two-column pages (moving the notes
  after all the body text won one docpages-dev page and lost another, and lost more on scans).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

import numpy as np

from textlens.layout.grouping import heights

__all__ = ["LaidBlock", "TableCell", "cell_rows", "classify_blocks", "table_cells"]

MIN_TABLE_ROWS = 2  # rows of two or more cells that make a table
HEADING_HEIGHT = 1.3  # times the body's median line height
MARGIN = 0.09  # top and bottom bands of the text extent where running heads and feet sit
MARGIN_GAP = 1.5  # blank (body line heights) between a running head or foot and the body
NUMBERED_HEADING_WORDS = 8
FOOTNOTE_PITCH = 0.85  # a footnote's line pitch over the body's at most: smaller type
CELL_LINE_GAP = 0.5  # text heights: the most blank between a cell's lines
_FEET = ("footer", "page-number")

_PAGE_NUMBER = re.compile(
    r"^[\s\-–—]*(?:(?:page|seite|p\.|s\.)\s*)?(\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/|von|sur|de)\s*\d{1,4})?[\s\-–—]*$",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-H]\.)\s+\S")
_CAPTION = re.compile(
    r"^(?:figure|fig\.|table|tab\.|abbildung|abb\.|tabelle|tableau|figura|tabla|tabella)\s*[\dIVX]+",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^(?:[•·▪◦‣∙*–—-]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+\S")


@dataclass
class TableCell:
    """One cell of a table block: row and column in the block, and its lines (page line indices)."""

    row: int
    column: int
    members: list[int]
    column_span: int = 1


@dataclass
class LaidBlock:
    """A block in reading order: its lines (indices into the page's boxes), kind and cells."""

    members: list[int]
    kind: str = "paragraph"
    cells: list[TableCell] = field(default_factory=list)


def table_cells(boxes: np.ndarray, rows: list[list[int]]) -> list[TableCell] | None:
    """The cells of ``rows`` read as a table, or None when they are not one (see the module)."""
    multi = [row for row in rows if len(row) >= 2]
    if len(multi) < MIN_TABLE_ROWS or 2 * len(multi) < len(rows):
        return None
    # Columns from the fullest rows: a header over two columns ("Understanding" over "Listening"
    # and "Reading") spans them instead of merging them into one.
    fullest = max(len(row) for row in rows)
    spans = sorted((float(boxes[i, 0]), float(boxes[i, 2])) for row in rows if len(row) == fullest for i in row)
    columns = _merged_spans(spans)
    if len(columns) < 2:
        return None
    cells: list[TableCell] = []
    for r, row in enumerate(rows):
        by_column: dict[int, TableCell] = {}
        for i in row:
            covered = [c for c, (x0, x1) in enumerate(columns) if min(x1, boxes[i, 2]) > max(x0, boxes[i, 0])]
            if not covered:  # in a gap between columns: the nearest one
                centre = (boxes[i, 0] + boxes[i, 2]) / 2
                covered = [int(np.argmin([abs(centre - (x0 + x1) / 2) for x0, x1 in columns]))]
            first = covered[0]
            if first in by_column:
                by_column[first].members.append(i)
                by_column[first].column_span = max(by_column[first].column_span, len(covered))
            else:
                by_column[first] = TableCell(r, first, [i], len(covered))
        cells.extend(sorted(by_column.values(), key=lambda cell: float(boxes[cell.members, 0].min())))
    return cells


def table_runs(boxes: np.ndarray, rows: list[list[int]]) -> list[tuple[int, int, list[TableCell]]]:
    """(start, end, cells) of the row ranges of ``rows`` that read as tables: from the first to the
    last row of a stretch holding two or more lines, single-line rows between them included."""
    runs: list[tuple[int, int]] = []
    start = last = None
    for r, row in enumerate(rows):
        if len(row) >= 2:
            start = r if start is None else start
            last = r
        elif start is not None and last is not None and r - last > 2:  # a longer stretch of prose ends it
            runs.append((start, last + 1))
            start = last = None
    if start is not None and last is not None:
        runs.append((start, last + 1))
    tables = [(a, b, table_cells(boxes, cell_rows(boxes, rows[a:b]))) for a, b in runs]
    return [(a, b, cells) for a, b, cells in tables if cells is not None]


def cell_rows(boxes: np.ndarray, rows: list[list[int]]) -> list[list[int]]:
    """The table rows of a run of text rows: a text row that continues the cells of the row above
    it (``_continues``: "Proficient" / "user") joins that row, and ends it; cells aligned at an edge
    (receipts' labels and amounts, a list of abbreviations) keep one row per text row."""
    if len(rows) < 2:
        return rows
    size = float(median(heights(boxes[[i for row in rows for i in row]])))
    out, joined = [list(rows[0])], False
    for above, row in zip(rows, rows[1:]):
        joined = not joined and _continues(boxes, above, row, size)
        if joined:
            out[-1].extend(row)
        else:
            out.append(list(row))
    return out


def _continues(boxes: np.ndarray, above: list[int], row: list[int], size: float) -> bool:
    """Does ``row`` (two lines or more, none more than ``above``) hold the second lines of cells of
    ``above``: each line wrapped under one of it (``_wraps_under``)? Lines aligned at an edge are
    rows of their own (labels, amounts, lists)."""
    if not 2 <= len(row) <= len(above):
        return False
    return all(any(_wraps_under(boxes, i, j, size) for j in above) for i in row)


def _wraps_under(boxes: np.ndarray, i: int, j: int, size: float) -> bool:
    """Is line ``i`` the next line of a centred cell whose text line ``j`` starts: right under it
    (less than ``CELL_LINE_GAP`` text heights below), centred under it or set inside it, and
    aligned with it at neither edge?"""
    if not -0.5 * size < boxes[i, 1] - boxes[j, 3] < CELL_LINE_GAP * size:
        return False
    left, right = boxes[i, 0] - boxes[j, 0], boxes[j, 2] - boxes[i, 2]
    centred = abs(left - right) <= 0.5 * size and min(abs(left), abs(right)) >= 0.5 * size
    return bool(centred or min(left, right) >= 0.5 * size)


def classify_blocks(blocks: list[LaidBlock], boxes: np.ndarray, texts: list[str]) -> list[LaidBlock]:
    """Set the kind of each block that is not a table yet; a numbered heading that opens a block
    of body text becomes a block of its own. The top and bottom bands are those of the text's
    extent (page margins hold no text)."""
    if not blocks:
        return blocks
    body = float(median(heights(boxes)))
    top, bottom = float(boxes[:, 1].min()), float(boxes[:, 3].max())
    band = MARGIN * (bottom - top)
    out: list[LaidBlock] = []
    for block in blocks:
        if block.kind != "paragraph":
            out.append(block)
            continue
        first = block.members[0]
        if len(block.members) > 1 and _numbered_heading(texts[first]) and _starts_body(boxes, block.members):
            out.append(LaidBlock([first], "heading"))
            block = LaidBlock(block.members[1:])
        block.kind = _kind(block.members, boxes, texts, body, (top + band, bottom - band), len(blocks))
        out.append(block)
    _mark_footnotes(out, boxes)
    return out


def _mark_footnotes(blocks: list[LaidBlock], boxes: np.ndarray) -> None:
    """Set the kind of the footnotes (see the module)."""
    pitches = [_pitch(boxes, block.members) for block in blocks]
    body_gaps = [p for block, p in zip(blocks, pitches) if block.kind == "paragraph" and p is not None]
    if not body_gaps:
        return
    body = float(median(body_gaps))
    small = [p is not None and p <= FOOTNOTE_PITCH * body for p in pitches]
    for k in range(1, len(blocks) - 1):
        block, before, after = blocks[k], blocks[k - 1], blocks[k + 1]
        if block.kind != "paragraph" or not small[k] or small[k - 1] or small[k + 1]:
            continue
        if before.kind in ("paragraph", "list") and after.kind not in _FEET and _at_column_foot(blocks, k, boxes):
            block.kind = "footnote"


def _at_column_foot(blocks: list[LaidBlock], k: int, boxes: np.ndarray) -> bool:
    """Is block ``k`` right under the block before it, with nothing but running feet below it?"""
    members, above = blocks[k].members, blocks[k - 1].members
    x0, x1 = boxes[members, 0].min(), boxes[members, 2].max()
    beside = min(x1, boxes[above, 2].max()) > max(x0, boxes[above, 0].min())
    if not beside or boxes[above, 3].max() > boxes[members, 1].min():
        return False
    bottom = boxes[members, 3].max()
    for other in blocks[k + 1 :]:
        if other.kind in _FEET:
            continue
        b = boxes[other.members]
        if ((b[:, 1] >= bottom) & (b[:, 0] < x1) & (b[:, 2] > x0)).any():
            return False
    return True


def _pitch(boxes: np.ndarray, members: list[int]) -> float | None:
    """Median distance between the centres of a block's successive rows (None under two rows)."""
    centres = np.sort((boxes[members, 1] + boxes[members, 3]) / 2)
    steps = np.diff(centres)
    steps = steps[steps > 0.5 * float(median(heights(boxes[members])))]
    return float(np.median(steps)) if len(steps) else None


def _kind(
    members: list[int], boxes: np.ndarray, texts: list[str], body: float, body_band: tuple[float, float], count: int
) -> str:
    lines = [texts[i].strip() for i in members]
    size = float(median(heights(boxes[members])))
    rows = _rows(boxes, members)
    if rows == 1 and _numbered_heading(" ".join(lines)):  # "1" and "Figures" may be two lines
        return "heading"
    if count >= 3 and rows <= 2 and all(_PAGE_NUMBER.match(line) for line in lines):
        if _in_margin(boxes, texts, members, body_band, body, outermost=False):
            return "page-number"
    if count >= 3 and rows <= 2 and _in_margin(boxes, texts, members, body_band, body):
        if size < HEADING_HEIGHT * body:
            return "header" if boxes[members, 3].max() <= body_band[0] else "footer"
    if len(members) <= 3 and size >= HEADING_HEIGHT * body:
        return "heading"
    if _CAPTION.match(lines[0]):
        return "caption"
    if len(lines) >= 2 and _LIST_MARKER.match(lines[0]) and sum(bool(_LIST_MARKER.match(x)) for x in lines) >= 2:
        return "list"
    return "paragraph"


def _in_margin(
    boxes: np.ndarray,
    texts: list[str],
    members: list[int],
    body_band: tuple[float, float],
    body: float,
    outermost: bool = True,
) -> bool:
    """The topmost (lowest) text of the page (``outermost``; page numbers need not be), in its top
    (bottom) band, a blank of ``MARGIN_GAP`` body lines away from every other line but page
    numbers (which may sit right beside a running head or foot)."""
    top, bottom = float(boxes[members, 1].min()), float(boxes[members, 3].max())
    keep = np.asarray([not _PAGE_NUMBER.match(text.strip()) for text in texts])
    keep[members] = False
    others = boxes[keep]
    centre = (top + bottom) / 2
    if bottom <= body_band[0] and not (outermost and (others[:, 3] < centre).any()):  # the topmost text
        below = others[others[:, 1] >= bottom]
        return below.size == 0 or float(below[:, 1].min()) - bottom >= MARGIN_GAP * body
    if top >= body_band[1] and not (outermost and (others[:, 1] > centre).any()):  # the lowest text
        above = others[others[:, 3] <= top]
        return above.size == 0 or top - float(above[:, 3].max()) >= MARGIN_GAP * body
    return False


def _numbered_heading(text: str) -> bool:
    text = text.strip()
    return bool(_NUMBERED.match(text)) and len(text.split()) <= NUMBERED_HEADING_WORDS and not text.endswith((".", ","))


def _starts_body(boxes: np.ndarray, members: list[int]) -> bool:
    """Is the first line a short one on its own row above wider lines (a heading run into its text)?"""
    first, rest = members[0], members[1:]
    own_row = boxes[rest, 1].min() >= (boxes[first, 1] + boxes[first, 3]) / 2
    width = boxes[first, 2] - boxes[first, 0]
    return bool(own_row and width < 0.6 * float(np.max(boxes[rest, 2] - boxes[rest, 0])))


def _rows(boxes: np.ndarray, members: list[int]) -> int:
    centres = np.sort((boxes[members, 1] + boxes[members, 3]) / 2)
    return 1 + int((np.diff(centres) > 0.5 * float(median(heights(boxes[members])))).sum())


def _merged_spans(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted (x0, x1) spans merged where they overlap: the table's columns."""
    merged: list[tuple[float, float]] = []
    for x0, x1 in spans:
        if merged and x0 < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged
