"""Digit sequences: meters, displays, counters, house numbers, prices and serial numbers.

``read_digits(image)`` reads a crop of one sequence directly with the digits recognizer
(``digits-crnn``: the CRNN fine-tuned on ``textlens.synth.digits`` looks and real digit-only scene
words, charset digits, separators and a few units); a photo or page goes through the one
``Pipeline`` with that recognizer, and every line that holds a digit comes back with its box.
The number is also given as a value where the text is one number (with its unit, if read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from textlens.document import pixel_box
from textlens.errors import TextlensError

DIGITS_MODEL = "digits-crnn"
CROP_MAX_HEIGHT = 200  # lower images that are wider than tall are one sequence (``as_crop="auto"``)
# a number, then maybe a unit: letters (kWh, m³), a per cent or a degree sign
_NUMBER = re.compile(r"^(-?\d+(?:[.,]\d+)?)(?:\s*([^\W\d_][^\d]*|%|°[A-Za-z]?))?$")


@dataclass
class DigitReading:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels
    value: float | None = None  # the number, when the text is one number
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "confidence": round(self.confidence, 4),
            "box": list(self.box),
        }


def number_value(text: str) -> tuple[float | None, str | None]:
    """(value, unit) of "12.5 kWh", "0042", "3,75"; (None, None) for clocks, serials and the like."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None, None
    unit = match.group(2) or None
    return float(match.group(1).replace(",", ".")), unit


def read_digits(
    image: np.ndarray, *, model: str | None = None, as_crop: bool | None = None, pipeline: Any = None
) -> list[DigitReading]:
    """Digit sequences in ``image`` (RGB or grey uint8). ``as_crop``: True reads the whole image as
    one sequence, False finds them first, None decides by the image's shape."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or min(image.shape[:2]) < 4:
        raise TextlensError(f"a uint8 image of at least 4x4 pixels is needed, got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    if as_crop is None:
        as_crop = height <= CROP_MAX_HEIGHT and width >= height
    if as_crop:
        result = _recognizer(model).predict_one(image)
        return [_reading(result.text, result.confidence, (0, 0, width, height))]
    return [
        _reading(line.text, line.confidence, pixel_box(line.polygon))
        for line in _pipeline(model, pipeline).read(_rgb(image)).pages[0].lines
        if any(c.isdigit() for c in line.text)
    ]


def _reading(text: str, confidence: float, box: tuple[int, int, int, int]) -> DigitReading:
    value, unit = number_value(text)
    return DigitReading(text, float(confidence), box, value, unit)


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else np.ascontiguousarray(image[..., :3])


_recognizers: dict[str, Any] = {}
_pipelines: dict[str, Any] = {}


def _recognizer(model: str | None) -> Any:
    from textlens.recognition.predictor import Recognizer

    name = model or DIGITS_MODEL
    if name not in _recognizers:
        _recognizers[name] = Recognizer.load(name, lm=None)
    return _recognizers[name]


def _pipeline(model: str | None, pipeline: Any) -> Any:
    if pipeline is not None:
        return pipeline
    from textlens.pipeline import Pipeline, PipelineConfig

    name = model or DIGITS_MODEL
    if name not in _pipelines:
        _pipelines[name] = Pipeline.from_config(PipelineConfig(recognizer=name, lm=None))
    return _pipelines[name]
