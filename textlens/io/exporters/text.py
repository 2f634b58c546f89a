"""Plain text: reading order, a blank line between blocks, pages split by form feed.

Lines that share a row of their block are printed on one line, left to right (a receipt's item
and its amount, the cells of a table row), as Tesseract prints them; the Document keeps them as
separate lines with their own geometry.
"""

from __future__ import annotations

import numpy as np

from textlens.document import Block, Document, Page
from textlens.layout.orientation import PageFrame


def page_text(page: Page) -> str:
    frame = PageFrame(page.width, page.height, (-page.orientation // 90) % 4, page.skew)
    blocks = ["\n".join(_rows(block, frame)) for block in page.blocks if block.lines]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _rows(block: Block, frame: PageFrame) -> list[str]:
    """The block's lines, those on one row (in the level frame) joined by a space."""
    rows: list[str] = []
    previous: np.ndarray | None = None
    for line in block.lines:
        points = frame.to_level(frame.to_upright(line.polygon)) if line.polygon else None
        box = np.array([*points.min(axis=0), *points.max(axis=0)]) if points is not None else None
        if previous is not None and box is not None and _same_row(previous, box):
            rows[-1] += " " + line.text
            previous = np.array([previous[0], min(previous[1], box[1]), box[2], max(previous[3], box[3])])
        else:
            rows.append(line.text)
            previous = box
    return rows


def _same_row(left: np.ndarray, right: np.ndarray) -> bool:
    """``right`` continues the row of ``left``: they share half the smaller height, side by side."""
    shared = min(left[3], right[3]) - max(left[1], right[1])
    smaller = min(left[3] - left[1], right[3] - right[1])
    return smaller > 0 and shared >= 0.5 * smaller and right[0] >= left[2] - 0.25 * smaller


def export(document: Document) -> bytes:
    # Tesseract separates pages with a form feed too, so `pdftotext`-style tools split them.
    return "\f".join(page_text(p) for p in document.pages).encode("utf-8")
