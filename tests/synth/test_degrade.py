from __future__ import annotations

import numpy as np
import pytest

from textlens.synth import degrade


def _line(h: int = 32, w: int = 200) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros((h, w), np.float32)
    mask[8:24, 10:190:6] = 1.0  # vertical strokes, like glyph stems
    mask[15:17, 10:190] = 1.0
    grey = (230 - 200 * mask).astype(np.uint8)
    return mask, grey


@pytest.mark.parametrize("name", sorted(degrade.MASK_EFFECTS))
def test_mask_effects_keep_shape(name: str) -> None:
    mask, _ = _line(64, 300)
    out = degrade.MASK_EFFECTS[name](mask, np.random.default_rng(0))
    assert out.shape == mask.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 + 1e-6


@pytest.mark.parametrize("name", sorted(degrade.IMAGE_EFFECTS))
def test_image_effects_keep_shape(name: str) -> None:
    _, grey = _line()
    a = degrade.IMAGE_EFFECTS[name](grey, np.random.default_rng(0))
    b = degrade.IMAGE_EFFECTS[name](grey, np.random.default_rng(0))
    assert a.shape == grey.shape and a.dtype == np.uint8
    assert np.array_equal(a, b), "deterministic given the rng"


def test_paper_level() -> None:
    bg = degrade.paper((32, 100), np.random.default_rng(0), 220.0, 10.0)
    assert bg.shape == (32, 100) and abs(float(bg.mean()) - 220) < 20


def test_dot_matrix_makes_dots() -> None:
    mask, _ = _line(64, 300)
    mask[:] = 0
    mask[20:40, 20:280] = 1.0  # a thick bar
    out = degrade.dot_matrix(mask, np.random.default_rng(0), pitch=8, dot=0.6)
    on = out > 0.5
    assert 0 < on.sum() < (mask > 0.5).sum()
    # Gaps between dots: some row through the bar switches between ink and paper many times.
    assert max(np.count_nonzero(np.diff(on[y, 20:280].astype(int))) for y in range(20, 40)) > 20


def test_binarize_keeps_both_colours_of_a_faint_line() -> None:
    """Grey 140 text on grey 160 paper: whatever the threshold shift, ink and paper both remain."""
    img = np.full((32, 200), 160, np.uint8)
    img[10:22, 20:180:6] = 140
    for seed in range(200):
        out = degrade.binarize(img, np.random.default_rng(seed))
        assert set(np.unique(out)) == {0, 255}


def test_print_scan_is_bilevel_and_keeps_the_strokes_where_they_were() -> None:
    """Whatever the threshold: black and white only, ink on the strokes' columns and paper
    between them (the threshold thins or thickens strokes, it does not move or fill them)."""
    mask, grey = _line(64, 300)
    stems = mask.max(axis=0) > 0  # the text's columns; paper left and right of it
    for seed in range(30):
        out = degrade.print_scan(grey, np.random.default_rng(seed))
        assert set(np.unique(out)) <= {0, 255}
        ink = (out == 0).mean(axis=0)
        assert ink[stems].mean() > 0.05 and ink[~stems].mean() < 0.5 * ink[stems].mean()
