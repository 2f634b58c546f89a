"""Scoring OCR output against ground truth: crops (lines/words) and whole pages.

Everything here is a pure function or a small accumulator, so training validation, the
``textlens eval`` commands and ``benchmarks/`` all report the same numbers.

Definitions (all rates are *micro* averages over a set: totals first, one division last):

* Text is compared after :func:`normalize_for_scoring`: whitespace runs (spaces, tabs,
  newlines) collapse to one space, ends are stripped, and case-insensitive scores casefold.
* **CER** = sum of character edit distances (Levenshtein: insert/delete/substitute, each 1)
  / total number of reference characters. Spaces and punctuation count as characters.
* **WER** = sum of word-level edit distances (tokens split on whitespace) / total reference
  words.
* **accuracy** = fraction of items whose normalised prediction equals the normalised
  reference exactly; **accuracy_ci** the same after casefolding.
* **page CER**: both page texts are normalised to their whitespace tokens, in reading
  order, joined by single spaces (so line breaks count as one space), then as CER.
* **bag of words**: multisets of casefolded whitespace tokens; true positives = size of the
  multiset intersection; precision = tp / predicted tokens, recall = tp / reference tokens.
* **detection** (ICDAR 2015 style): one-to-one greedy matching of predicted and reference
  polygons by IoU (highest first), a match needs IoU >= 0.5. Reference regions whose text is
  ``###`` are "don't care": they are neither required (not in recall) nor, when an
  unmatched prediction lies mostly (> 50 % of its area) inside one, counted against
  precision.

Rates over an empty denominator are 0.0 when the numerator is 0 too (nothing to get wrong),
and 1.0 otherwise (e.g. text predicted where the reference is empty: all wrong).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import shapely
from rapidfuzz.distance import Levenshtein
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "DONT_CARE",
    "CropScores",
    "DetectionCounts",
    "PageScores",
    "bag_of_words_counts",
    "char_edits",
    "match_detections",
    "normalize_for_scoring",
    "page_text_for_scoring",
    "score_crops",
    "to_polygon",
    "word_edits",
]

DONT_CARE = "###"
IOU_THRESHOLD = 0.5

PointsLike = Sequence[float] | Sequence[Sequence[float]]


def normalize_for_scoring(text: str, case_sensitive: bool = False) -> str:
    """Collapse whitespace runs to one space, strip the ends, casefold unless case-sensitive."""
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def page_text_for_scoring(text: str, case_sensitive: bool = False) -> str:
    """A page's text as its tokens in reading order joined by single spaces.

    Identical to :func:`normalize_for_scoring`; named separately so the page CER
    definition reads clearly at call sites (line breaks become plain spaces).
    """
    return normalize_for_scoring(text, case_sensitive)


def char_edits(pred: str, ref: str) -> int:
    """Character-level Levenshtein distance (strings used as given)."""
    return Levenshtein.distance(pred, ref)


def word_edits(pred: str, ref: str) -> int:
    """Word-level Levenshtein distance over whitespace tokens."""
    # rapidfuzz compares sequences of hashables, so token lists work directly.
    return Levenshtein.distance(pred.split(), ref.split())


def _rate(num: float, den: float) -> float:
    if den:
        return num / den
    return 0.0 if num == 0 else 1.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class CropScores:
    """Accumulates scores over single-line or single-word crops; ``add`` one pair at a time.

    Case-sensitive and case-insensitive variants are kept side by side because some
    references (e.g. SROIE) are upper-cased whatever the print says.
    """

    n: int = 0
    ref_chars: int = 0
    ref_chars_ci: int = 0
    char_edits: int = 0
    char_edits_ci: int = 0
    ref_words: int = 0
    word_edits: int = 0
    word_edits_ci: int = 0
    exact: int = 0
    exact_ci: int = 0

    def add(self, pred: str, ref: str) -> None:
        """Score one prediction against its reference."""
        p, r = normalize_for_scoring(pred, True), normalize_for_scoring(ref, True)
        p_ci, r_ci = p.casefold(), r.casefold()
        self.n += 1
        self.ref_chars += len(r)
        self.ref_chars_ci += len(r_ci)  # casefold can change length ("ß" -> "ss")
        self.char_edits += char_edits(p, r)
        self.char_edits_ci += char_edits(p_ci, r_ci)
        self.ref_words += len(r.split())
        self.word_edits += word_edits(p, r)
        self.word_edits_ci += word_edits(p_ci, r_ci)
        self.exact += p == r
        self.exact_ci += p_ci == r_ci

    def update(self, preds: Sequence[str], refs: Sequence[str]) -> CropScores:
        """Add many pairs; returns self so calls chain."""
        if len(preds) != len(refs):
            raise ValueError(f"{len(preds)} predictions for {len(refs)} references")
        for pred, ref in zip(preds, refs, strict=True):
            self.add(pred, ref)
        return self

    @property
    def cer(self) -> float:
        return _rate(self.char_edits, self.ref_chars)

    @property
    def cer_ci(self) -> float:
        return _rate(self.char_edits_ci, self.ref_chars_ci)

    @property
    def wer(self) -> float:
        return _rate(self.word_edits, self.ref_words)

    @property
    def wer_ci(self) -> float:
        return _rate(self.word_edits_ci, self.ref_words)

    @property
    def accuracy(self) -> float:
        return _rate(self.exact, self.n) if self.n else 0.0

    @property
    def accuracy_ci(self) -> float:
        return _rate(self.exact_ci, self.n) if self.n else 0.0

    def summary(self) -> dict[str, float]:
        """The rates (not the counts), e.g. for logs and JSON reports."""
        return {
            "n": self.n,
            "cer": self.cer,
            "cer_ci": self.cer_ci,
            "wer": self.wer,
            "wer_ci": self.wer_ci,
            "accuracy": self.accuracy,
            "accuracy_ci": self.accuracy_ci,
        }


def score_crops(preds: Sequence[str], refs: Sequence[str]) -> CropScores:
    """Scores of a whole set of crop predictions (see :class:`CropScores`)."""
    return CropScores().update(preds, refs)


def bag_of_words_counts(pred_text: str, ref_text: str) -> tuple[int, int, int]:
    """``(true positives, predicted tokens, reference tokens)`` over casefolded tokens."""
    pred = Counter(pred_text.casefold().split())
    ref = Counter(ref_text.casefold().split())
    return sum((pred & ref).values()), sum(pred.values()), sum(ref.values())


# --- detection -------------------------------------------------------------------------


def to_polygon(points: PointsLike) -> BaseGeometry:
    """A shapely polygon from ``[x1, y1, x2, y2, ...]`` or ``[(x1, y1), ...]``.

    Self-intersecting input is repaired with ``make_valid`` (a bow-tie becomes two
    triangles); fewer than 3 points or zero area gives an empty polygon (it matches nothing).
    """
    arr = np.asarray(points, dtype=float)
    if arr.ndim == 1:
        if arr.size % 2:
            raise ValueError(f"odd number of coordinates ({arr.size}) for a polygon")
        arr = arr.reshape(-1, 2)
    if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 3:
        return ShapelyPolygon()
    poly: BaseGeometry = ShapelyPolygon(arr)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
        # make_valid may add stray lines/points; keep only the areal part.
        poly = poly.buffer(0) if poly.geom_type == "GeometryCollection" else poly
    return poly


@dataclass
class DetectionCounts:
    """The outcome of matching one page's detections."""

    matched: int  # true positives
    predictions: int  # predictions that count (don't-care hits removed)
    references: int  # reference regions that count (``###`` removed)
    ignored: int = 0  # predictions dropped because they sit in a don't-care region


def _iou_matrix(preds: list[BaseGeometry], refs: list[BaseGeometry]) -> np.ndarray:
    if not preds or not refs:
        return np.zeros((len(preds), len(refs)))
    a = np.array(preds, dtype=object)[:, None]
    b = np.array(refs, dtype=object)[None, :]
    inter = shapely.area(shapely.intersection(a, b))
    union = shapely.area(a) + shapely.area(b) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def match_detections(
    pred_polygons: Sequence[PointsLike],
    ref_polygons: Sequence[PointsLike],
    ref_texts: Sequence[str] | None = None,
    iou_threshold: float = IOU_THRESHOLD,
) -> DetectionCounts:
    """Greedy one-to-one IoU matching of one page (see the module docstring)."""
    texts = list(ref_texts) if ref_texts is not None else [""] * len(ref_polygons)
    if len(texts) != len(ref_polygons):
        raise ValueError(f"{len(texts)} reference texts for {len(ref_polygons)} reference polygons")
    preds = [to_polygon(p) for p in pred_polygons]
    care = [to_polygon(p) for p, t in zip(ref_polygons, texts, strict=True) if t != DONT_CARE]
    dont_care = [to_polygon(p) for p, t in zip(ref_polygons, texts, strict=True) if t == DONT_CARE]

    iou = _iou_matrix(preds, care)
    pred_used, ref_used = set(), set()
    rows, cols = np.nonzero(iou >= iou_threshold)
    for k in np.argsort(-iou[rows, cols], kind="stable"):
        i, j = int(rows[k]), int(cols[k])
        if i not in pred_used and j not in ref_used:
            pred_used.add(i)
            ref_used.add(j)

    ignored = 0
    for i, poly in enumerate(preds):
        if i in pred_used or not dont_care or poly.area <= 0:
            continue
        covered = max(poly.intersection(d).area for d in dont_care)
        ignored += covered > 0.5 * poly.area
    return DetectionCounts(len(pred_used), len(preds) - ignored, len(care), ignored)


@dataclass
class PageScores:
    """Accumulates page-level text and detection scores over a set of pages.

    ``add`` takes the page texts (lines joined by newlines, reading order) and, when the
    engine gives them, the predicted line polygons with the reference regions. Passing
    ``pred_polygons=None`` leaves detection unscored for that page.
    """

    n: int = 0
    ref_chars: int = 0
    ref_chars_ci: int = 0
    char_edits: int = 0
    char_edits_ci: int = 0
    bow_tp: int = 0
    bow_pred: int = 0
    bow_ref: int = 0
    det_pages: int = 0
    det_matched: int = 0
    det_pred: int = 0
    det_ref: int = 0
    det_ignored: int = 0

    def add(
        self,
        pred_text: str,
        ref_text: str,
        pred_polygons: Sequence[PointsLike] | None = None,
        ref_polygons: Sequence[PointsLike] = (),
        ref_texts: Sequence[str] | None = None,
    ) -> None:
        """Score one page. ``ref_texts`` (parallel to ``ref_polygons``) marks ``###`` regions."""
        p, r = page_text_for_scoring(pred_text, True), page_text_for_scoring(ref_text, True)
        self.n += 1
        self.ref_chars += len(r)
        self.ref_chars_ci += len(r.casefold())
        self.char_edits += char_edits(p, r)
        self.char_edits_ci += char_edits(p.casefold(), r.casefold())
        tp, n_pred, n_ref = bag_of_words_counts(p, r)
        self.bow_tp += tp
        self.bow_pred += n_pred
        self.bow_ref += n_ref
        if pred_polygons is not None:
            counts = match_detections(pred_polygons, ref_polygons, ref_texts)
            self.det_pages += 1
            self.det_matched += counts.matched
            self.det_pred += counts.predictions
            self.det_ref += counts.references
            self.det_ignored += counts.ignored

    @property
    def cer(self) -> float:
        return _rate(self.char_edits, self.ref_chars)

    @property
    def cer_ci(self) -> float:
        return _rate(self.char_edits_ci, self.ref_chars_ci)

    @property
    def bow_precision(self) -> float:
        return _rate(self.bow_tp, self.bow_pred)

    @property
    def bow_recall(self) -> float:
        return _rate(self.bow_tp, self.bow_ref)

    @property
    def bow_f1(self) -> float:
        return _f1(self.bow_precision, self.bow_recall)

    @property
    def det_precision(self) -> float:
        return _rate(self.det_matched, self.det_pred)

    @property
    def det_recall(self) -> float:
        return _rate(self.det_matched, self.det_ref)

    @property
    def det_hmean(self) -> float:
        return _f1(self.det_precision, self.det_recall)

    def summary(self) -> dict[str, float]:
        """The rates (detection ones only when some page had detections)."""
        out: dict[str, float] = {
            "n": self.n,
            "cer": self.cer,
            "cer_ci": self.cer_ci,
            "bow_precision": self.bow_precision,
            "bow_recall": self.bow_recall,
            "bow_f1": self.bow_f1,
        }
        if self.det_pages:
            out |= {
                "det_precision": self.det_precision,
                "det_recall": self.det_recall,
                "det_hmean": self.det_hmean,
            }
        return out

    def counts(self) -> dict[str, int]:
        """The raw totals, for merging or auditing."""
        return asdict(self)
