"""Hand-worked cases for textlens.eval.metrics (every expected number is derived in a comment)."""

from __future__ import annotations

import pytest

from textlens.eval.metrics import (
    CropScores,
    PageScores,
    bag_of_words_counts,
    match_detections,
    normalize_for_scoring,
    score_crops,
    to_polygon,
)


def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
    """Clockwise quad from the top-left, flat [x1, y1, ..., x4, y4] like the manifests."""
    return [x0, y0, x1, y0, x1, y1, x0, y1]


@pytest.mark.parametrize(
    ("text", "case_sensitive", "expected"),
    [
        ("  Hello \t World\n", False, "hello world"),
        ("  Hello \t World\n", True, "Hello World"),
        ("a\n\nb", True, "a b"),
        ("   ", False, ""),
        ("STRAßE", False, "strasse"),  # casefold, not lower()
    ],
)
def test_normalize_for_scoring(text: str, case_sensitive: bool, expected: str) -> None:
    assert normalize_for_scoring(text, case_sensitive) == expected


def test_crop_scores_hand_worked() -> None:
    scores = score_crops(["abc", "Hello  world", ""], ["abd", "hello world", "xy"])
    # chars: "abc"/"abd" 1 edit of 3; "Hello world"/"hello world" 1 (case) of 11; ""/"xy" 2 of 2
    assert scores.n == 3
    assert scores.cer == pytest.approx(4 / 16)
    assert scores.cer_ci == pytest.approx(3 / 16)  # the case edit disappears
    # words: [abc]/[abd] 1 of 1; [Hello, world]/[hello, world] 1 of 2; []/[xy] 1 of 1
    assert scores.wer == pytest.approx(3 / 4)
    assert scores.wer_ci == pytest.approx(2 / 4)
    assert scores.accuracy == 0.0
    assert scores.accuracy_ci == pytest.approx(1 / 3)


def test_crop_scores_spaces_and_punctuation_count() -> None:
    scores = CropScores()
    scores.add("TOTAL 1.00", "TOTAL: 1,00")  # insert ':' and substitute '.' -> ',' = 2 of 11
    assert scores.cer == pytest.approx(2 / 11)
    assert scores.wer == pytest.approx(2 / 2)  # both tokens differ


def test_crop_scores_casefold_changes_reference_length() -> None:
    scores = score_crops(["STRASSE"], ["straße"])
    assert scores.cer_ci == 0.0 and scores.ref_chars_ci == 7 and scores.ref_chars == 6
    assert scores.accuracy_ci == 1.0 and scores.accuracy == 0.0


def test_crop_scores_empty_and_mismatched() -> None:
    empty = CropScores()
    assert (empty.cer, empty.wer, empty.accuracy) == (0.0, 0.0, 0.0)
    only_insertions = score_crops(["abc"], [""])
    assert only_insertions.cer == 1.0  # x / 0 is reported as all wrong
    with pytest.raises(ValueError):
        score_crops(["a"], ["a", "b"])


def test_bag_of_words_is_a_multiset_intersection() -> None:
    assert bag_of_words_counts("a a a", "A a b") == (2, 3, 3)
    assert bag_of_words_counts("", "x") == (0, 0, 1)


def test_page_text_scores() -> None:
    pages = PageScores()
    # lines joined by '\n' and double spaces collapse: "A B C" against "A B C D" -> delete " D"
    pages.add("A  B\nC", "A B C D")
    assert pages.cer == pytest.approx(2 / 7)
    assert pages.bow_precision == 1.0
    assert pages.bow_recall == pytest.approx(3 / 4)
    assert pages.bow_f1 == pytest.approx(6 / 7)
    assert "det_hmean" not in pages.summary()  # no polygons given: detection unscored
    # a second page aggregates by totals (micro), not by averaging page rates
    pages.add("x", "abc")  # 3 edits of 3 chars; bow 0 of 1 / 1
    assert pages.cer == pytest.approx((2 + 3) / (7 + 3))
    assert pages.bow_precision == pytest.approx(3 / 4)
    assert pages.bow_recall == pytest.approx(3 / 5)


def test_page_cer_case_insensitive() -> None:
    pages = PageScores()
    pages.add("Tan chay", "TAN CHAY")
    assert pages.cer == pytest.approx(6 / 8)  # every letter but the leading T differs in case
    assert pages.cer_ci == 0.0
    assert pages.bow_f1 == 1.0  # bag of words is always casefolded


def test_detection_one_to_one_with_dont_care() -> None:
    refs = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(50, 0, 60, 10)]
    texts = ["A", "B", "###"]
    preds = [
        box(0, 0, 10, 10),  # matches A (IoU 1)
        box(1, 0, 11, 10),  # IoU 90/110 with A, but A is taken -> false positive
        box(50, 0, 60, 10),  # on the don't-care region -> ignored
        box(100, 100, 110, 110),  # nowhere -> false positive
    ]
    counts = match_detections(preds, refs, texts)
    assert (counts.matched, counts.predictions, counts.references, counts.ignored) == (1, 3, 2, 1)
    pages = PageScores()
    pages.add("", "", preds, refs, texts)
    assert pages.det_precision == pytest.approx(1 / 3)
    assert pages.det_recall == pytest.approx(1 / 2)
    assert pages.det_hmean == pytest.approx(0.4)  # 2 * (1/3) * (1/2) / (5/6)


def test_detection_greedy_takes_highest_iou_first() -> None:
    refs = [box(0, 0, 10, 10), box(12, 0, 22, 10)]
    # listed first but worse: IoU 80/120 with ref 0, and 0 with ref 1 (it ends at x=12)
    worse = box(2, 0, 12, 10)
    best = box(0, 0, 10, 10)
    counts = match_detections([worse, best], refs)
    assert counts.matched == 1 and counts.predictions == 2 and counts.references == 2


@pytest.mark.parametrize(("bottom", "matched"), [(20, 1), (21, 0)])
def test_detection_iou_threshold_inclusive(bottom: int, matched: int) -> None:
    # IoU = 100 / (10 * bottom): exactly 0.5 matches, just below does not
    assert match_detections([box(0, 0, 10, 10)], [box(0, 0, 10, bottom)]).matched == matched


def test_detection_accepts_point_lists_and_repairs_invalid_polygons() -> None:
    as_points = [[(0, 0), (10, 0), (10, 10), (0, 10)]]
    assert match_detections(as_points, [box(0, 0, 10, 10)]).matched == 1
    bowtie = [0, 0, 10, 10, 10, 0, 0, 10]  # self-intersecting: repaired into two triangles
    poly = to_polygon(bowtie)
    assert poly.is_valid and poly.area == pytest.approx(50)
    assert match_detections([bowtie], [box(0, 0, 10, 10)]).matched == 1  # IoU 50/100
    assert to_polygon([0, 0, 1, 1]).is_empty  # two points: nothing to match
    with pytest.raises(ValueError):
        to_polygon([0, 0, 1])


def test_detection_empty_sides() -> None:
    counts = match_detections([], [box(0, 0, 1, 1)])
    assert (counts.matched, counts.predictions, counts.references) == (0, 0, 1)
    pages = PageScores()
    pages.add("", "", [], [box(0, 0, 1, 1)], ["x"])
    assert (pages.det_precision, pages.det_recall, pages.det_hmean) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        match_detections([], [box(0, 0, 1, 1)], ["a", "b"])
