"""Rows, blocks, and words from recognizer spans."""

from __future__ import annotations

import numpy as np

from textlens.layout.crops import crop_line
from textlens.layout.grouping import group_rows, split_blocks, words_from_result
from textlens.recognition.decoding import LineResult, WordSpan


def test_group_rows_keeps_same_row_segments_left_to_right():
    boxes = np.array(
        [
            [400, 100, 460, 120],  # value, same row as the label
            [10, 102, 150, 121],  # label
            [10, 130, 200, 150],  # next row
            [10, 160, 100, 180],  # a line under ...
            [30, 165, 120, 185],  # ... overlapping it horizontally: never the same row
        ],
        float,
    )
    assert group_rows(boxes) == [[1, 0], [2], [3], [4]]


def test_split_blocks_on_blank_bands_and_size_changes():
    boxes = np.array(
        [
            [10, 0, 300, 40],  # heading, twice the size
            [10, 50, 300, 70],
            [10, 75, 300, 95],
            [10, 140, 300, 160],  # after a blank band of > 1 line
            [10, 165, 300, 185],
        ],
        float,
    )
    rows = [[0], [1], [2], [3], [4]]
    assert split_blocks(boxes, rows) == [[0], [1, 2], [3, 4]]


def test_words_from_spans_map_back_through_the_crop():
    crop = crop_line(np.zeros((100, 300), np.uint8), [(20, 10), (220, 10), (220, 30), (20, 30)])
    result = LineResult("ab cd", 0.9, [], [WordSpan("ab", 0.8, 0, 50), WordSpan("cd", 1.0, 100, 200)])
    words = words_from_result(result, crop)
    assert [w.text for w in words] == ["ab", "cd"]
    assert [w.confidence for w in words] == [0.8, 1.0]
    np.testing.assert_allclose(words[1].polygon, [(120, 10), (220, 10), (220, 30), (120, 30)], atol=1e-6)


def test_words_without_spans_share_the_crop_by_characters():
    crop = crop_line(np.zeros((100, 300), np.uint8), [(0, 0), (90, 0), (90, 10), (0, 10)])
    words = words_from_result(LineResult("abc  de", 0.7), crop, to_page=lambda p: [(x + 1, y) for x, y in p])
    assert [w.text for w in words] == ["abc", "de"]
    np.testing.assert_allclose([words[0].polygon[0][0], words[0].polygon[1][0]], [1, 46], atol=1e-6)
    np.testing.assert_allclose([words[1].polygon[0][0], words[1].polygon[1][0]], [61, 91], atol=1e-6)
