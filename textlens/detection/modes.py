"""Documents and photos: which detector finds the text (``PipelineConfig.mode``).

``document`` runs the document detector (text lines of pages, receipts, forms); ``scene`` runs
the scene detector (words on signs, shop fronts, products, at any size and angle); ``auto``
runs the document detector and, when the image is a photo rather than a page (few lines found,
no paper background, colour), the scene detector, whose words it then reads instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from textlens.runtime.lazy import OnFirstUse

MODES = ("auto", "document", "scene")


@dataclass(frozen=True)
class PhotoTest:
    """When ``auto`` takes an image for a photo: the document detector found fewer than
    ``max_lines`` lines and the image has no paper background (less than ``paper`` of its pixels
    in the three grey levels, of sixteen, around its commonest) or is in colour (median saturation
    above ``saturation``). Measured on our sets: pages and receipts find 11+ lines on 55-98% paper
    with saturation ~0; photos find 0-7 lines on 24-65% "paper" with saturation 6-180. An image
    where the document detector is sure of no line at all is looked at as a photo whatever its
    colours: a grey sign on a plain wall (icdar2003-train-det, which the scene models trained on:
    BoW F1 73.3 -> 73.7); a screenshot of one line still reads as a document (180 line images alike)."""

    max_lines: int = 10
    paper: float = 0.7
    saturation: float = 15.0

    def is_photo(self, image: np.ndarray, document_regions: int) -> bool:
        if document_regions >= self.max_lines:
            return False
        if document_regions == 0:
            return True
        paper, saturation = background_stats(image)
        return paper < self.paper or saturation > self.saturation


def background_stats(image: np.ndarray) -> tuple[float, float]:
    """(share of pixels in the commonest grey band, median saturation) on a 128 x 128 thumbnail."""
    small = cv2.resize(np.ascontiguousarray(image), (128, 128), interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        small = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    hist = np.bincount((grey // 16).ravel(), minlength=16)
    top = int(hist.argmax())
    paper = float(hist[max(0, top - 1) : top + 2].sum()) / grey.size
    saturation = float(np.median(cv2.cvtColor(small, cv2.COLOR_RGB2HSV)[..., 1]))
    return paper, saturation


class ModeDetector:
    """A detector stage that picks the document or the scene detector per image (see module doc).

    ``scene`` may be a callable that loads the scene detector: ``auto`` then loads it on the first
    photo, so reading documents costs neither its load time nor its memory."""

    def __init__(self, document: Any, scene: Any, mode: str = "auto", test: PhotoTest | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.document, self._scene, self.mode = document, OnFirstUse(scene), mode
        self.test = test or PhotoTest()

    @property
    def scene(self) -> Any:
        return self._scene.get()

    @property
    def infos(self) -> list[Any]:
        """The models a Document read this way names in its provenance (a scene detector not yet
        loaded has read nothing)."""
        if self.mode == "scene":
            return [self.scene.info]
        loaded = self.mode == "auto" and self._scene.loaded
        return [self.document.info, self.scene.info] if loaded else [self.document.info]

    @property
    def info(self) -> Any:
        return self.scene.info if self.mode == "scene" else self.document.info

    def predict(self, image: np.ndarray) -> list[Any]:
        if self.mode == "scene":
            return _in_photo(self.scene.predict(image))
        regions = self.document.predict(image)
        # the lines the document detector is sure of: a photo's clutter gives many weak regions
        confident = sum(1 for region in regions if not getattr(region, "weak", False))
        if self.mode == "auto" and self.test.is_photo(image, confident):
            return _in_photo(self.scene.predict(image))
        return regions


def _in_photo(regions: list[Any]) -> list[Any]:
    """The scene detector's regions, marked as words of a photo (the scene recognizer reads them)."""
    for region in regions:
        if hasattr(region, "scene"):
            region.scene = True
    return regions
