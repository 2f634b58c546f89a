"""Which font is this? Identify the font family of a text crop, or of every line ``read`` finds on a page.

``identify_font(crop)`` classifies one line or word image; ``identify_page_fonts(page)`` reads the page
with the one ``Pipeline``, cuts each line out (upright, as the recognizer sees it) and classifies them
all in one batch. The model (``textlens.typeface``) answers with font classes (a family, or families
whose Latin letters are drawn alike) and the generic kind: serif, sans, mono, script or display.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from textlens.document import pixel_box
from textlens.errors import TextlensError
from textlens.typeface.classifier import FontClassifier, FontGuess

CROP_MAX_HEIGHT = 160  # taller images are pages to read line by line (``mode="auto"``)
_classifiers: dict[tuple[str | None, int | None], FontClassifier] = {}


def classifier(model: str | None = None, threads: int | None = None) -> FontClassifier:
    """The loaded font model (once per name and thread count)."""
    key = (str(model) if model is not None else None, threads)
    if key not in _classifiers:
        _classifiers[key] = FontClassifier.load(model, threads)
    return _classifiers[key]


@dataclass
class LineFont:
    """One line of a page, where it is, and the font guessed for it."""

    text: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels
    guess: FontGuess

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box), **self.guess.to_dict()}


def identify_font(crop: np.ndarray, *, top: int = 5, model: str | None = None) -> FontGuess:
    """The font of one text line or word image (grey or RGB uint8)."""
    return classifier(model).identify([_checked(crop)], top)[0]


def identify_page_fonts(
    page: np.ndarray, *, top: int = 5, model: str | None = None, pipeline: Any = None, min_height: int = 8
) -> list[LineFont]:
    """The font of every line ``read`` finds on ``page`` (RGB uint8), in reading order; lines lower
    than ``min_height`` pixels are left out (too few pixels to tell faces apart)."""
    from textlens.layout.crops import crop_line

    page = _checked(page)
    rgb = np.repeat(page[..., None], 3, axis=2) if page.ndim == 2 else page[..., :3]
    read = (pipeline or _default_pipeline()).read(rgb).pages[0]
    lines, crops = [], []
    for line in read.lines:
        if not line.text.strip():
            continue
        crop = crop_line(rgb, line.polygon).image
        if read.orientation:
            crop = np.ascontiguousarray(np.rot90(crop, read.orientation // 90))
        if min(crop.shape[:2]) >= min_height:
            lines.append(line)
            crops.append(crop)
    guesses = classifier(model).identify(crops, top) if crops else []
    return [LineFont(line.text, pixel_box(line.polygon), guess) for line, guess in zip(lines, guesses)]


_pipelines: list[Any] = []


def _default_pipeline() -> Any:
    """The reader for pages (loaded once)."""
    from textlens.pipeline import Pipeline

    if not _pipelines:
        _pipelines.append(Pipeline.from_config())
    return _pipelines[0]


def looks_like_crop(image: np.ndarray) -> bool:
    """A line or word crop rather than a page: low, and no taller than wide."""
    height, width = np.asarray(image).shape[:2]
    return height <= CROP_MAX_HEIGHT and width >= height


def _checked(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or min(image.shape[:2]) < 4:
        raise TextlensError(f"a uint8 image of at least 4x4 pixels is needed, got {image.shape} {image.dtype}")
    return image
