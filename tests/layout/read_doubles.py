"""Test doubles for the read pipeline (not real models).

``draw_page`` draws "words" as dark bars, each with a tick at its top-left end, in grey
levels that encode their text; ``BarDetector`` finds the bar lines with OpenCV and
``BarRecognizer`` reads a crop's bars back into words with exact column spans, confident
only when the ticks are at the top-left (so a crop upside down reads badly, like real text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from textlens.document import ModelInfo
from textlens.recognition.decoding import LineResult, WordSpan

BAR = 14  # bar height
TICK = 5  # tick height above the bar, at the word's left end
LEVEL = 12  # grey level step per code: word "w3" is drawn at grey 36


@dataclass
class DrawnWord:
    text: str
    box: tuple[int, int, int, int]  # x0, y0 (top of the tick), x1, y1, upright page pixels


def draw_page(lines: list[tuple[int, list[tuple[int, int, int]]]], size: tuple[int, int] = (640, 400)):
    """An RGB page and its words. ``lines``: (top y, [(x0, x1, code 0..9), ...])."""
    width, height = size
    page = np.full((height, width), 255, np.uint8)
    words = []
    for top, segments in lines:
        for x0, x1, code in segments:
            grey = code * LEVEL
            page[top + TICK : top + TICK + BAR, x0:x1] = grey
            page[top : top + TICK, x0 : x0 + 4] = grey
            words.append(DrawnWord(f"w{code}", (x0, top, x1, top + TICK + BAR)))
    return np.dstack([page] * 3), words


@dataclass
class FakeRegion:
    polygon: list[tuple[float, float]]
    score: float = 0.9


@dataclass
class BarDetector:
    """Finds lines of bars: dark pixels dilated so words merge and lines stay apart."""

    merge: int = 15
    calls: int = 0
    info: ModelInfo = field(default_factory=lambda: ModelInfo("bar-detector", "detector", "0" * 64))

    def predict(self, image: np.ndarray) -> list[FakeRegion]:
        self.calls += 1
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        mask = cv2.dilate((grey < 180).astype(np.uint8), np.ones((self.merge, self.merge), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        regions = []
        for contour in contours:
            points = cv2.boxPoints(cv2.minAreaRect(contour))
            regions.append(FakeRegion([(float(x), float(y)) for x, y in points]))
        return regions


@dataclass
class BarRecognizer:
    """Reads bars: one word per run of dark columns, its text from the grey level."""

    calls: list[int] = field(default_factory=list)
    info: ModelInfo = field(default_factory=lambda: ModelInfo("bar-recognizer", "recognizer", "1" * 64))

    def predict(self, crops: list[np.ndarray]) -> list[LineResult]:
        self.calls.append(len(crops))
        return [self._read(crop) for crop in crops]

    def _read(self, crop: np.ndarray) -> LineResult:
        grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
        dark = grey < 180
        words = []
        for x0, x1 in _runs(dark.any(axis=0)):
            pixels = grey[:, x0:x1][dark[:, x0:x1]]
            code = int(round(float(np.median(pixels)) / LEVEL))
            tops = [int(np.argmax(dark[:, x])) for x in range(x0, x1)]
            upright = min(tops[:4]) < float(np.median(tops)) - 2  # the tick rises at the left
            words.append(WordSpan(f"w{code}", 0.95 if upright else 0.3, float(x0), float(x1)))
        conf = float(np.mean([w.confidence for w in words])) if words else 0.0
        return LineResult(" ".join(w.text for w in words), conf, [], words)


def _runs(flags: np.ndarray, bridge: int = 3) -> list[tuple[int, int]]:
    """(start, end) of runs of True, joining runs separated by fewer than ``bridge`` False."""
    runs: list[list[int]] = []
    for x in np.flatnonzero(flags):
        if runs and x - runs[-1][1] < bridge:
            runs[-1][1] = x + 1
        else:
            runs.append([int(x), int(x) + 1])
    return [(a, b) for a, b in runs]


def sample_lines() -> list[tuple[int, list[tuple[int, int, int]]]]:
    """A small page: a wide heading-less paragraph and a receipt-like row."""
    return [
        (30, [(40, 160, 1), (172, 260, 2), (272, 400, 3)]),
        (70, [(40, 120, 4), (132, 300, 5)]),
        (110, [(40, 200, 6), (212, 330, 7), (342, 420, 8)]),
        (190, [(40, 180, 9), (520, 600, 0)]),  # label ...... value
    ]
