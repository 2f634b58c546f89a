"""Rotation geometry (points follow the pixels), page frames, skew, and the orientation search."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from textlens.layout.crops import order_quad
from textlens.layout.orientation import (
    OrientationFinder,
    PageFrame,
    horizontal_score,
    rotate_image,
    rotate_points,
    skew_angle,
)

sys.path.insert(0, str(Path(__file__).parent))
from read_doubles import BarDetector, BarRecognizer, draw_page, sample_lines  # noqa: E402


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_rotate_points_follows_rotate_image(turns):
    image = np.zeros((30, 50), np.uint8)
    image[7, 41] = 255  # row 7, column 41
    turned = rotate_image(image, turns)
    row, col = np.argwhere(turned == 255)[0]
    centre = rotate_points([(41.5, 7.5)], turns, 50, 30)[0]  # pixel centres
    assert tuple(centre) == (col + 0.5, row + 0.5)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_rotate_points_round_trips(turns):
    points = np.array([[3.0, 4.0], [49.0, 0.0], [17.5, 29.0]])
    turned = rotate_points(points, turns, 50, 30)
    size = (30, 50) if turns % 2 else (50, 30)
    np.testing.assert_allclose(rotate_points(turned, -turns, *size), points)


@pytest.mark.parametrize(("turns", "orientation"), [(0, 0), (1, 270), (2, 180), (3, 90)])
def test_page_frame_maps_upright_quads_back_to_the_original(turns, orientation):
    # the original holds text turned by `orientation`; turning it by `turns` makes it upright
    width, height = 300, 200
    upright_quad = np.array([[10, 20], [110, 20], [110, 40], [10, 40]], float)
    frame = PageFrame(width, height, turns)
    assert frame.orientation == orientation
    original = frame.to_original(upright_quad)
    np.testing.assert_allclose(frame.to_upright(original), upright_quad)
    # the reading top-left is still first: the original content is the upright turned back
    uw, uh = frame.upright_size
    np.testing.assert_allclose(original, rotate_points(upright_quad, -turns, uw, uh))


def test_level_frame_removes_skew():
    frame = PageFrame(400, 400, 0, skew=10.0)
    a = math.radians(10)
    half = 100 * np.array([math.cos(a), math.sin(a)])
    line = np.array([200 - half, 200 + half])
    level = frame.to_level(line)
    assert level[0][1] == pytest.approx(level[1][1])
    np.testing.assert_allclose(frame.level_to_original(level), line, atol=1e-9)


def test_skew_angle_is_the_median_top_edge_angle():
    def quad(angle):
        a = math.radians(angle)
        p0 = np.array([0.0, 0.0])
        along, down = np.array([math.cos(a), math.sin(a)]) * 200, np.array([-math.sin(a), math.cos(a)]) * 20
        return order_quad(np.array([p0, p0 + along, p0 + along + down, p0 + down]) + 300)

    assert skew_angle([quad(3), quad(4), quad(30)]) == pytest.approx(4)
    assert skew_angle([quad(-2)]) == pytest.approx(-2)
    assert skew_angle([]) == 0.0


def test_horizontal_score_separates_wide_and_tall_boxes():
    wide = np.array([[0, 0], [100, 0], [100, 10], [0, 10]], float)
    tall = wide[:, ::-1]
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    assert horizontal_score([wide, tall, tall, square]) == (100, 200)


@pytest.mark.parametrize(("turns", "looks"), [(0, 1), (1, 3), (2, 2), (3, 2)])
def test_orientation_finder_undoes_quarter_turns(turns, looks):
    page, _ = draw_page(sample_lines())
    detector, recognizer = BarDetector(), BarRecognizer()

    def detect(image):
        return [order_quad(region.polygon) for region in detector.predict(image)]

    finder = OrientationFinder(samples=3, min_lines=3)
    found = finder.find(rotate_image(page, turns), detect, recognizer.predict)
    assert found.turns == (-turns) % 4
    assert len(found.quads) == 5
    assert recognizer.calls == [3, 3]  # 3 lines as they are, then turned over
    # a second look for vertical text, a third after turning the page over
    assert detector.calls == looks
    if found.turns in (0, 1):  # detected the right way up: the upright readings are kept
        assert len(found.known) == 3 and all(r.confidence > 0.9 for r in found.known.values())
    else:  # detected again after turning over: nothing to reuse
        assert found.known == {}


def test_flipped_quads_are_reused_without_redetecting():
    page, _ = draw_page(sample_lines())
    detector, recognizer = BarDetector(), BarRecognizer()

    def detect(image):
        return [order_quad(region.polygon) for region in detector.predict(image)]

    finder = OrientationFinder(samples=3, min_lines=3, redetect=False)
    found = finder.find(rotate_image(page, 2), detect, recognizer.predict)
    assert (found.turns, detector.calls, len(found.known)) == (2, 1, 3)
    assert all(r.confidence > 0.9 for r in found.known.values())


def _box(x: float, y: float, w: float, h: float) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float)


class _Reader:
    """Recognizer stand-in: every crop reads 'ok', upright or not."""

    def __call__(self, crops):
        return [type("R", (), {"text": "ok", "confidence": 0.9})() for _ in crops]


def test_a_page_is_only_turned_when_more_text_then_lies_horizontal():
    # (min_lines=2: these pages are small)
    looks = []

    def detect(image):
        looks.append(image.shape[:2])
        if image.shape[0] == 100:  # as given: 2 short horizontal boxes, 3 long vertical ones
            return [_box(0, 0, 60, 10), _box(0, 20, 60, 10)] + [_box(100 + 20 * i, 0, 10, 90) for i in range(3)]
        return [_box(0, 20 * i, 90, 10) for i in range(3)]  # turned: three long lines

    found = OrientationFinder(samples=2, min_lines=2).find(np.zeros((100, 300, 3), np.uint8), detect, _Reader())
    assert found.turns == 1 and looks == [(100, 300), (300, 100)]

    looks.clear()
    upright = [_box(0, 20 * i, 200, 10) for i in range(5)] + [_box(250, 0, 8, 20)]  # one tall "1"

    finder = OrientationFinder(samples=2, min_lines=2)
    found = finder.find(np.zeros((100, 300, 3), np.uint8), lambda im: upright, _Reader())
    assert found.turns == 0 and len(found.quads) == 6


def test_looks_upright_needs_enough_wide_boxes():
    finder = OrientationFinder()
    lines = [_box(0, 20 * i, 200, 10) for i in range(8)]
    fragments = [_box(20 * i, 0, 12, 10) for i in range(20)]  # what turned text often gives
    assert finder.looks_upright(lines)
    assert not finder.looks_upright(lines[:3])  # too little to judge: look again turned
    assert not finder.looks_upright(lines + fragments)


def test_a_close_call_reads_more_lines_and_ties_keep_the_page_as_it_is():
    calls = []

    def reader(crops):
        calls.append(len(crops))
        return _Reader()(crops)  # the same confidence both ways up

    lines = [_box(0, 20 * i, 200 - i, 10) for i in range(7)]
    found = OrientationFinder(samples=2, min_lines=2).find(np.zeros((200, 300, 3), np.uint8), lambda im: lines, reader)
    assert calls == [2, 2, 4, 4]  # 2 lines each way up, then the next 4 longest each way up
    assert found.turns == 0 and sorted(found.known) == [0, 1, 2, 3, 4, 5]


def _scripted(upright: list[tuple[str, float]], flipped: list[tuple[str, float]]):
    """A reader for `_read_both_ways`: its first call reads the crops as they are, the next turned over."""
    calls = []

    def reader(crops):
        script = (flipped if calls else upright)[: len(crops)]
        calls.append(len(crops))
        return [type("R", (), {"text": text, "confidence": conf})() for text, conf in script]

    reader.calls = calls
    return reader


def test_lines_read_surely_as_they_are_are_not_read_turned_over():
    lines = [_box(0, 20 * i, 200, 10) for i in range(2)]
    reader = _scripted([("TOTAL 12.50", 0.97)] * 2, [("05.21 LATOT", 0.99)] * 2)
    found = OrientationFinder(samples=2, min_lines=2).find(np.zeros((200, 300, 3), np.uint8), lambda im: lines, reader)
    # a gain of at most 1 - 0.97 cannot reach the 0.05 margin: the turned-over reading is not needed
    assert found.turns == 0 and reader.calls == [2] and sorted(found.known) == [0, 1]


@pytest.mark.parametrize(("gain", "turns"), [(0.03, 0), (0.2, 2)])
def test_a_page_is_turned_over_only_when_it_reads_clearly_better_that_way(gain, turns):
    lines = [_box(0, 20 * i, 200, 10) for i in range(2)]
    reader = _scripted([("TOTAL 12.50", 0.7)] * 2, [("05.21 LATOT", 0.7 + gain)] * 2)
    finder = OrientationFinder(samples=2, min_lines=2, redetect=False)
    found = finder.find(np.zeros((200, 300, 3), np.uint8), lambda im: lines, reader)
    assert found.turns == turns


def test_short_readings_weigh_little_in_the_orientation_vote():
    lines = [_box(0, 0, 200, 10), _box(0, 20, 190, 10)]
    # a long line reads better upright; a 1-character smudge reads far better turned over
    reader = _scripted([("THANK YOU COME AGAIN", 0.9), ("x", 0.1)], [("NIAGA EMOC UOY KNAHT", 0.7), ("x", 0.99)])
    finder = OrientationFinder(samples=2, min_lines=2, redetect=False)
    assert finder.find(np.zeros((200, 300, 3), np.uint8), lambda im: lines, reader).turns == 0


@pytest.mark.parametrize(("turned_length", "turns"), [(110, 0), (200, 1)])
def test_a_few_words_are_turned_a_quarter_only_on_clearly_more_horizontal_text(turned_length, turns):
    def detect(image):
        if image.shape[0] == 100:  # as given: two words
            return [_box(0, 0, 60, 10), _box(0, 30, 40, 10)]
        return [_box(0, 0, turned_length, 10)]  # turned: one line (e.g. stray texture)

    found = OrientationFinder(samples=2, min_lines=8).find(np.zeros((100, 300, 3), np.uint8), detect, _Reader())
    assert found.turns == turns
