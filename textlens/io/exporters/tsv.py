"""Tesseract-compatible TSV (same columns, levels, numbering and 0-100 confidences).

Levels: 1 page, 2 block, 3 paragraph (one per block), 4 line, 5 word. Numbers are 1-based;
non-word rows have conf -1 and empty text, as Tesseract writes them.
"""

from __future__ import annotations

from textlens.document import BBox, Document, Page

from ._common import clamp01, int_bbox

COLUMNS = (
    "level", "page_num", "block_num", "par_num", "line_num", "word_num",
    "left", "top", "width", "height", "conf", "text",
)  # fmt: skip


def _row(level: int, nums: tuple[int, int, int, int, int], box: BBox, page: Page, conf: str, text: str) -> str:
    x0, y0, x1, y1 = int_bbox(box, page)
    # A tab or newline inside a word would break the columns.
    clean = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    return "\t".join([str(level), *map(str, nums), str(x0), str(y0), str(x1 - x0), str(y1 - y0), conf, clean])


def export(document: Document) -> bytes:
    rows = ["\t".join(COLUMNS)]
    for p, page in enumerate(document.pages, start=1):
        rows.append(_row(1, (p, 0, 0, 0, 0), (0, 0, page.width, page.height), page, "-1", ""))
        for b, block in enumerate(page.blocks, start=1):
            rows.append(_row(2, (p, b, 0, 0, 0), block.bbox, page, "-1", ""))
            rows.append(_row(3, (p, b, 1, 0, 0), block.bbox, page, "-1", ""))
            for n, line in enumerate(block.lines, start=1):
                rows.append(_row(4, (p, b, 1, n, 0), line.bbox, page, "-1", ""))
                for w, word in enumerate(line.words, start=1):
                    conf = f"{clamp01(word.confidence) * 100:.6f}"
                    rows.append(_row(5, (p, b, 1, n, w), word.bbox, page, conf, word.text))
    return ("\n".join(rows) + "\n").encode("utf-8")
