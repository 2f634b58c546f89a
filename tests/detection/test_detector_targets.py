"""DBNet targets: shrunk kernels inside the text, border-shaped threshold maps, ignore masks."""

from __future__ import annotations

import numpy as np

from textlens.detection.targets import TargetConfig, make_targets


def _box(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_kernel_is_shrunk_inside_the_polygon():
    t = make_targets((100, 200), [_box(20, 30, 180, 60)], [False])
    ys, xs = np.nonzero(t.gt)
    assert xs.min() > 20 and xs.max() < 180 and ys.min() > 30 and ys.max() < 60
    # D = A (1 - r^2) / L = 160*30*0.84 / 380 ~ 10.6 px on every side
    assert 8 <= ys.min() - 30 <= 13
    assert t.mask.min() == 1.0


def test_threshold_map_peaks_on_the_outline():
    cfg = TargetConfig()
    t = make_targets((100, 200), [_box(20, 30, 180, 60)], [False], cfg)
    assert t.thresh.min() >= cfg.thresh_min - 1e-6 and t.thresh.max() <= cfg.thresh_max + 1e-6
    assert t.thresh[30, 100] > t.thresh[45, 100]  # on the edge vs the centre line
    assert t.thresh_mask[30, 100] == 1 and t.thresh_mask[0, 0] == 0


def test_dont_care_and_tiny_regions_are_masked_out():
    t = make_targets((100, 200), [_box(10, 10, 90, 40), _box(100, 80, 190, 81)], [True, False])
    assert t.gt.sum() == 0
    assert t.mask[25, 50] == 0 and t.mask[80, 150] == 0 and t.mask[60, 50] == 1


def test_polygons_partly_outside_the_crop_are_fine():
    t = make_targets((64, 64), [_box(-40, 10, 40, 40)], [False])
    assert t.gt[25, :20].all()
