"""Plain text: reading order, one line per Line, a blank line between blocks, pages split by form feed."""

from __future__ import annotations

from textlens.document import Document, Page


def page_text(page: Page) -> str:
    blocks = ["\n".join(line.text for line in block.lines) for block in page.blocks if block.lines]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def export(document: Document) -> bytes:
    # Tesseract separates pages with a form feed too, so `pdftotext`-style tools split them.
    return "\f".join(page_text(p) for p in document.pages).encode("utf-8")
