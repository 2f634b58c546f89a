"""Synthetic pages for the detector: every style renders, quads lie on the image and on ink."""

from __future__ import annotations

import numpy as np
import pytest

from textlens.synth.pages import STYLES, render_page


@pytest.mark.parametrize("style", STYLES)
def test_styles_render_with_quads_on_the_page(style):
    page = render_page(np.random.default_rng(1), style=style)
    h, w = page.image.shape[:2]
    assert page.image.dtype == np.uint8 and page.image.ndim == 3 and page.style == style
    assert len(page.quads) == len(page.texts) > 3
    for quad in page.quads:
        assert quad.shape == (4, 2)
        assert quad[:, 0].min() > -5 and quad[:, 0].max() < w + 5
        assert quad[:, 1].min() > -5 and quad[:, 1].max() < h + 5


def test_clean_page_has_ink_inside_quads_and_is_deterministic():
    a = render_page(np.random.default_rng(7), style="document", degrade=0.0)
    b = render_page(np.random.default_rng(7), style="document", degrade=0.0)
    assert np.array_equal(a.image, b.image) and a.texts == b.texts
    grey = a.image.mean(axis=2)
    x0, y0 = a.quads[0].min(axis=0).astype(int)
    x1, y1 = a.quads[0].max(axis=0).astype(int)
    assert grey[y0:y1, x0:x1].min() < 120  # dark text inside the first quad


def test_unknown_style():
    with pytest.raises(ValueError):
        render_page(np.random.default_rng(0), style="poster")
