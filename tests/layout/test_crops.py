"""Line crops: quad ordering, perspective straightening, crop columns back to page polygons."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from textlens.layout.crops import crop_line, order_quad, polygon_to_quad


def _rotated_rect(cx: float, cy: float, w: float, h: float, degrees: float) -> np.ndarray:
    """Corners clockwise from the top-left of a w x h box turned clockwise by ``degrees``."""
    a = math.radians(degrees)
    along, down = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    c = np.array([cx, cy])
    return np.array(
        [
            c - along * w / 2 - down * h / 2,
            c + along * w / 2 - down * h / 2,
            c + along * w / 2 + down * h / 2,
            c - along * w / 2 + down * h / 2,
        ]
    )


@pytest.mark.parametrize("degrees", [0, 10, -30, 44])
def test_order_quad_starts_at_text_top_left_and_runs_clockwise(degrees):
    expected = _rotated_rect(200, 100, 160, 30, degrees)
    shuffled = expected[[2, 0, 3, 1]]
    np.testing.assert_allclose(order_quad(shuffled), expected, atol=1e-9)


def test_polygon_to_quad_keeps_a_perspective_quad_and_boxes_longer_polygons():
    quad = np.array([[10, 10], [110, 20], [105, 60], [12, 50]], float)
    np.testing.assert_allclose(polygon_to_quad(quad[::-1]), quad)
    hexagon = [(0, 0), (50, 0), (100, 0), (100, 20), (50, 20), (0, 20)]
    np.testing.assert_allclose(polygon_to_quad(hexagon), [[0, 0], [100, 0], [100, 20], [0, 20]], atol=1e-6)


def _stripes(width: int = 200, height: int = 40) -> np.ndarray:
    """A line image with structure along x (varying stripes) and a dark top band."""
    img = np.full((height, width, 3), 255, np.uint8)
    for x in range(0, width, 16):
        img[8:, x : x + 3 + (x // 16) % 5] = 40
    img[:6] = 90
    return img


def test_crop_straightens_a_perspective_warped_line():
    line = _stripes()
    h, w = line.shape[:2]
    quad = np.array([[120, 80], [330, 110], [325, 160], [118, 122]], np.float32)
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    page = cv2.warpPerspective(line, warp, (500, 300), borderValue=(255, 255, 255))

    crop = crop_line(page, quad[[1, 3, 0, 2]])  # point order does not matter
    back = cv2.resize(crop.image, (w, h), interpolation=cv2.INTER_AREA)
    assert abs(int(crop.width) - 212) <= 3 and abs(int(crop.height) - 46) <= 3
    assert np.abs(back.astype(int) - line.astype(int))[2:-2, 2:-2].mean() < 25


def test_span_polygon_maps_crop_columns_to_the_page():
    page = np.zeros((200, 400, 3), np.uint8)
    crop = crop_line(page, [(10, 20), (210, 20), (210, 60), (10, 60)])
    assert (crop.width, crop.height) == (200, 40)
    np.testing.assert_allclose(crop.span_polygon(50, 100), [(60, 20), (110, 20), (110, 60), (60, 60)], atol=1e-6)
    # clamped to the crop
    np.testing.assert_allclose(crop.span_polygon(-5, 500), [(10, 20), (210, 20), (210, 60), (10, 60)], atol=1e-6)


@pytest.mark.parametrize("degrees", [0, 25, -40])
def test_span_polygon_follows_a_rotated_line(degrees):
    quad = _rotated_rect(250, 250, 200, 30, degrees)
    crop = crop_line(np.zeros((500, 500), np.uint8), quad)
    full = np.array(crop.span_polygon(0, crop.width))
    np.testing.assert_allclose(full, quad, atol=1.0)
    # the middle half of the crop is the middle half of the line, same orientation
    middle = np.array(crop.span_polygon(crop.width / 4, 3 * crop.width / 4))
    expected = _rotated_rect(250, 250, 100, 30, degrees)
    np.testing.assert_allclose(middle, expected, atol=1.0)


def test_pad_grows_the_crop_on_every_side():
    crop = crop_line(np.zeros((100, 300), np.uint8), [(50, 40), (250, 40), (250, 60), (50, 60)], pad=0.25)
    assert (crop.width, crop.height) == (210, 30)
    assert crop.margin == pytest.approx(5)


def test_word_polygons_of_a_padded_crop_stay_on_the_line_box():
    crop = crop_line(np.zeros((100, 300), np.uint8), [(50, 40), (250, 40), (250, 60), (50, 60)], pad=0.25)
    whole = np.array(crop.span_polygon(0, crop.width))
    np.testing.assert_allclose(whole, [(50, 40), (250, 40), (250, 60), (50, 60)], atol=1e-6)
    # a span inside the margin-free part maps one to one: crop column 5 + x is page column 50 + x
    np.testing.assert_allclose(np.array(crop.span_polygon(15, 25))[0], (60, 40), atol=1e-6)


def test_end_pad_grows_only_the_end_of_the_line_and_keeps_a_trailing_comma():
    page = np.zeros((100, 300), np.uint8)
    page[54:58, 258:261] = 255  # a comma just past the detector's box
    box = [(50, 40), (250, 40), (250, 60), (50, 60)]
    crop = crop_line(page, box, pad=0.25, end_pad=0.5)
    assert (crop.width, crop.height) == (220, 30)
    assert crop.image[:, 210:].max() == 255
    assert crop_line(page, box, pad=0.25).image.max() == 0
    # the start is where it was: crop column 5 + x is still page column 50 + x
    np.testing.assert_allclose(np.array(crop.span_polygon(15, 25))[0], (60, 40), atol=1e-6)


def test_a_degenerate_box_is_cut_as_a_tiny_crop_not_a_crash():
    """A box squeezed to a line or a point (a region clipped to the image edge) has no
    perspective to undo: it still gives a crop and a back-mapping."""
    image = np.zeros((20, 30, 3), np.uint8)
    for quad in ([[5, 5], [5, 5], [5, 5], [5, 5]], [[2, 5], [20, 5], [20, 5], [2, 5]]):
        crop = crop_line(image, np.array(quad, np.float32), 0.075, 0.225)
        assert crop.image.shape[0] >= 1 and crop.image.shape[1] >= 1
        assert np.isfinite(crop.to_page).all()
