"""Post-processing on hand-made probability maps: rectangles in, the same polygons out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from shapely.geometry import Polygon

from textlens.detection.postprocess import (
    PostprocessConfig,
    boxes_from_map,
    order_polygon,
    order_rect,
    unclip,
    unclip_rect,
)
from textlens.detection.targets import TargetConfig, make_targets
from textlens.errors import TextlensError


def _iou(a, b) -> float:
    pa, pb = Polygon(a), Polygon(b)
    return pa.intersection(pb).area / pa.union(pb).area


def _rotated_rect(cx, cy, w, h, angle):
    return cv2.boxPoints(((cx, cy), (w, h), angle)).astype(np.float32)


@pytest.mark.parametrize("angle", [0.0, 7.0, -12.0, 30.0])
def test_rotated_rectangle_in_same_polygon_out(angle):
    rect = _rotated_rect(200, 120, 220, 30, angle)
    prob = np.zeros((256, 400), np.float32)
    cv2.fillPoly(prob, [np.round(rect).astype(np.int32)], 0.9)
    boxes = boxes_from_map(prob, PostprocessConfig(unclip_ratio=0.05))
    assert len(boxes) == 1
    polygon, score = boxes[0]
    assert len(polygon) == 4
    assert score == pytest.approx(0.9, abs=1e-3)
    assert _iou(polygon, rect) > 0.85  # filled pixels make the blob ~1 px larger
    corners = np.asarray(polygon)
    expected = order_rect(rect)
    assert np.abs(corners - expected).max() < 3.0


@pytest.mark.parametrize("angle", [0.0, 15.0])
def test_unclip_undoes_the_training_shrink(angle):
    # A perfect model predicts the DBNet-shrunk kernel; unclipping grows it back. For a 220x30
    # line the kernel is ~199x9 px, which needs unclip_ratio ~2.6 to regain the full box.
    rect = _rotated_rect(200, 120, 220, 30, angle)
    targets = make_targets((256, 400), [rect], [False], TargetConfig(shrink_ratio=0.4))
    ((polygon, score),) = boxes_from_map(targets.gt, PostprocessConfig(unclip_ratio=2.6))
    assert score > 0.9
    assert _iou(polygon, rect) > 0.85


def test_points_start_top_left_and_go_clockwise():
    rect = _rotated_rect(100, 50, 120, 20, 10)
    pts = order_rect(rect[[2, 0, 3, 1]])
    # top-left has the smallest x + y among the two top corners; next corner is to its right
    assert pts[1][0] > pts[0][0]
    assert pts[3][1] > pts[0][1]
    x, y = pts[:, 0], pts[:, 1]
    signed = 0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    assert signed > 0  # clockwise on screen (y down)


def test_order_polygon_is_clockwise_from_top_left():
    square = np.array([[0, 0], [0, 10], [10, 10], [10, 0]], float)  # counter-clockwise on screen
    out = order_polygon(square)
    assert out[0].tolist() == [0, 0]
    assert out[1].tolist() == [10, 0]


def test_scale_maps_back_to_original_pixels():
    prob = np.zeros((64, 128), np.float32)
    prob[20:30, 20:100] = 1.0
    ((polygon, _),) = boxes_from_map(prob, PostprocessConfig(unclip_ratio=0.01), scale=(2.0, 3.0), size=(256, 192))
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    assert min(xs) == pytest.approx(40, abs=3) and max(xs) == pytest.approx(198, abs=3)
    assert min(ys) == pytest.approx(60, abs=4) and max(ys) == pytest.approx(87, abs=4)


def test_low_scores_and_tiny_blobs_are_dropped():
    prob = np.zeros((100, 100), np.float32)
    prob[10:20, 10:60] = 0.35  # above bin_thresh but below box_thresh
    prob[50:51, 50:52] = 1.0  # too small
    assert boxes_from_map(prob, PostprocessConfig()) == []
    assert boxes_from_map(np.zeros((32, 32), np.float32)) == []


def test_weak_threshold_also_returns_faint_regions_with_their_scores():
    prob = np.zeros((100, 100), np.float32)
    prob[10:20, 10:60] = 0.35  # faint
    prob[40:50, 10:60] = 0.9  # confident
    strong = boxes_from_map(prob, PostprocessConfig(box_thresh=0.5))
    both = boxes_from_map(prob, PostprocessConfig(box_thresh=0.5, weak_box_thresh=0.3))
    assert len(strong) == 1 and strong[0][1] == pytest.approx(0.9, abs=0.05)
    assert [round(score, 1) for _, score in both] == [0.3, 0.9]  # faint (top) first: reading order


@pytest.mark.parametrize("weak", [-0.1, 0.6])
def test_weak_threshold_must_lie_below_the_box_threshold(weak):
    with pytest.raises(TextlensError, match="weak_box_thresh"):
        PostprocessConfig(box_thresh=0.5, weak_box_thresh=weak).validate()


def test_polygon_mode_keeps_curved_shapes():
    prob = np.zeros((200, 300), np.float32)
    cv2.ellipse(prob, (150, 160), (120, 100), 0, 200, 340, 1.0, thickness=14)
    boxes = boxes_from_map(prob, PostprocessConfig(polygons=True, unclip_ratio=0.5))
    assert len(boxes) == 1 and len(boxes[0][0]) > 4


def test_unclip_grows_by_area_over_perimeter():
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    grown = unclip(square, 2.0)  # distance = 100 * 2 / 40 = 5
    assert grown[:, 0].min() == pytest.approx(-5, abs=0.2)
    assert grown[:, 0].max() == pytest.approx(15, abs=0.2)


@pytest.mark.parametrize("seed", range(20))
def test_a_rectangle_unclipped_in_closed_form_matches_the_clipper_offset(seed):
    rng = np.random.default_rng(seed)
    rect = (
        (float(rng.uniform(50, 500)), float(rng.uniform(50, 500))),
        tuple(rng.uniform(2, 300, 2)),
        float(rng.uniform(-90, 90)),
    )
    ratio = float(rng.uniform(0.5, 3.0))
    (cx, cy), (w, h), _ = unclip_rect(rect, ratio)
    (ex, ey), (ew, eh), _ = cv2.minAreaRect(unclip(cv2.boxPoints(rect), ratio).astype(np.float32))
    assert (cx, cy) == pytest.approx((ex, ey), abs=0.15)
    assert sorted((w, h)) == pytest.approx(sorted((ew, eh)), abs=0.3)
    assert unclip_rect(((0, 0), (0.0, 5.0), 0.0), 1.5) is None
