"""Overlays: drawn on the page, one file per page for image formats, one file for PDF/TIFF."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from textlens.document import Block, Document, Line, Page, Word, bbox_polygon
from textlens.errors import TextlensError
from textlens.io.overlay import overlay_paths, render_overlay, save_overlay


def _document(pages: int = 1, orientation: int = 0) -> tuple[Document, list[np.ndarray]]:
    word = Word("hello", 0.9, bbox_polygon(20, 30, 120, 60))
    page = Page(200, 100, [Block([Line([word])])], orientation=orientation)
    return Document([page] * pages), [np.full((100, 200, 3), 255, np.uint8)] * pages


@pytest.mark.parametrize("orientation", [0, 90, 180, 270])
def test_render_draws_outlines_and_text(orientation):
    document, images = _document(orientation=orientation)
    drawn = np.asarray(render_overlay(document.pages[0], images[0]))
    assert drawn.shape == (100, 200, 3)
    assert (np.abs(drawn[30, 20:120].astype(int) - [0, 170, 0]).sum(axis=1) < 60).any()  # line outline


def test_one_page_one_file_several_pages_numbered(tmp_path):
    document, images = _document(pages=2)
    written = save_overlay(document, images, tmp_path / "ov.png")
    assert [p.name for p in written] == ["ov-1.png", "ov-2.png"]
    assert all(Image.open(p).size == (200, 100) for p in written)
    assert overlay_paths(tmp_path / "ov.pdf", 2) == [tmp_path / "ov.pdf"]
    pdf = save_overlay(document, images, tmp_path / "ov.pdf")[0]
    assert pdf.read_bytes().startswith(b"%PDF")
    single, image = _document()
    assert save_overlay(single, image, tmp_path / "one.jpg") == [tmp_path / "one.jpg"]


def test_unknown_suffix_is_a_user_error(tmp_path):
    document, images = _document()
    with pytest.raises(TextlensError, match="overlay image type"):
        save_overlay(document, images, tmp_path / "ov.svg")
