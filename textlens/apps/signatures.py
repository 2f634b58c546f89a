"""Signatures: is this signature by the writer of these references, and where is the signature on a page.

``verify_signature(query, references)`` embeds the query and a few genuine references of the
claimed writer with the shipped writer-independent model (``textlens.signature``) and compares
the query's distance to the references with their own spread; the model's threshold is the
equal-error-rate point for skilled forgeries on validation writers never trained on.

``find_signatures(page)`` looks for handwriting that is not text the reader found: the page's ink
(Otsu), without the regions the text detector returns (grown a little) and without ruled lines
(long thin runs of ink), is gathered into blobs close enough to be one stroke group; a group wide
and tall enough, with enough ink and not a solid block, is a signature candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from textlens.document import pixel_box
from textlens.errors import TextlensError
from textlens.recognition.preprocess import to_gray
from textlens.signature.verifier import SignatureVerifier, Verification

_verifiers: dict[tuple[str | None, int | None], SignatureVerifier] = {}


def verifier(model: str | None = None, threads: int | None = None) -> SignatureVerifier:
    """The loaded embedding model (loaded once per name and thread count)."""
    key = (str(model) if model is not None else None, threads)
    if key not in _verifiers:
        _verifiers[key] = SignatureVerifier.load(model, threads)
    return _verifiers[key]


def verify_signature(
    query: np.ndarray, references: list[np.ndarray], *, model: str | None = None, threshold: float | None = None
) -> Verification:
    """Score, decision and the threshold's meaning for ``query`` against the writer's ``references``."""
    return verifier(model).verify(query, references, threshold)


@dataclass
class SignatureBox:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
    ink: int  # ink pixels inside

    def to_dict(self) -> dict[str, Any]:
        return {"box": list(self.box), "ink": self.ink}


def find_signatures(image: np.ndarray, detector: Any = None, *, text_boxes: list | None = None) -> list[SignatureBox]:
    """Signature candidates on an RGB page, largest first. ``detector``: anything with
    ``.predict(rgb) -> regions with .polygon`` (default: the document detector); ``text_boxes``
    (x0, y0, x1, y1) instead of running it."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.dtype != np.uint8:
        raise TextlensError(f"find_signatures needs a uint8 page image, got {image.shape} {image.dtype}")
    rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB) if image.ndim == 2 else image[..., :3]
    grey = to_gray(rgb)
    height, width = grey.shape
    if text_boxes is None:
        if detector is None:
            from textlens.detection.predictor import Detector

            detector = Detector.load(None)
        text_boxes = [pixel_box(region.polygon) for region in detector.predict(rgb)]
    _, ink = cv2.threshold(cv2.GaussianBlur(grey, (3, 3), 0), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    for x0, y0, x1, y1 in text_boxes:
        grow = round(0.2 * (y1 - y0))
        ink[max(0, y0 - grow) : y1 + grow, max(0, x0 - grow) : x1 + grow] = 0
    ink = cv2.subtract(ink, _ruled_lines(ink))
    unit = max(3, round(0.012 * max(height, width)))
    groups = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (unit, unit)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(groups, connectivity=8)
    found = []
    for label in range(1, count):
        x, y, w, h, _ = stats[label]
        inside = labels[y : y + h, x : x + w] == label
        pixels = int(np.count_nonzero(ink[y : y + h, x : x + w][inside]))
        if w < 0.06 * width or h < 0.015 * height or w > 0.9 * width:
            continue
        if pixels < 0.02 * w * h or pixels > 0.35 * w * h:  # too faint to be strokes, or a solid block
            continue
        found.append(SignatureBox((int(x), int(y), int(x + w), int(y + h)), pixels))
    return sorted(found, key=lambda s: -s.ink)


def _ruled_lines(ink: np.ndarray) -> np.ndarray:
    """Horizontal and vertical runs of ink longer than a tenth of the page (form rules, boxes)."""
    height, width = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, width // 10), 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, height // 10))))
    return cv2.dilate(cv2.bitwise_or(across, down), np.ones((3, 3), np.uint8))
