"""Evaluation: scoring OCR output against ground truth (see :mod:`textlens.eval.metrics`)."""

from textlens.eval.metrics import (
    CropScores,
    PageScores,
    match_detections,
    normalize_for_scoring,
    score_crops,
)

__all__ = ["CropScores", "PageScores", "match_detections", "normalize_for_scoring", "score_crops"]
