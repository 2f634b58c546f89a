"""Erase or redact text: the words ``read`` found (all, or those a pattern picks) painted out.

``erase_text`` takes a page image and the ``Page`` read from it. Without a pattern every word
goes; with ``only`` (a regular expression) the matches are looked for in each line's text, so a
phone number read as three words ("+60 3-2161 0023") is found whole, and every word a match
touches goes. Each word's box, grown a little (ink spills past the detector's box), becomes a
mask; ``redact=True`` paints the mask solid (black by default: nothing can be read back),
otherwise OpenCV's inpainting continues the background into it: Navier-Stokes by default, which
measured closer to the clean background than Telea's fast marching on 200 rendered documents and
scenes (mean PSNR in the mask 36.0 against 34.4 dB; benchmarks/erase.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cv2
import numpy as np

from textlens.document import Page, Word
from textlens.errors import TextlensError

INPAINTERS = {"ns": cv2.INPAINT_NS, "telea": cv2.INPAINT_TELEA}
INPAINT_RADIUS = 5.0  # px around each masked pixel that the inpainting looks at
GROW = 0.25  # of a box's height, on every side (twice along the text): ink outside the detector's box


@dataclass
class Erasure:
    """The erased image, the words that went, and the mask that was painted."""

    image: np.ndarray
    words: list[Word] = field(default_factory=list)
    mask: np.ndarray | None = None


def chosen_words(page: Page, only: str | None = None) -> list[Word]:
    """Every word of ``page``, or those a match of the regular expression ``only`` touches (the
    pattern is tried on each line's text, case-sensitively unless it says ``(?i)``)."""
    if only is None:
        return list(page.words)
    try:
        pattern = re.compile(only)
    except re.error as exc:
        raise TextlensError(f"--only: not a regular expression ({exc})") from None
    chosen: list[Word] = []
    for line in page.lines:
        starts, position = [], 0
        for word in line.words:
            starts.append(position)
            position += len(word.text) + 1  # Line.text joins words with one space
        for match in pattern.finditer(line.text):
            if match.end() == match.start():
                continue  # an empty match erases nothing
            for word, start in zip(line.words, starts):
                if start < match.end() and match.start() < start + len(word.text) and word not in chosen:
                    chosen.append(word)
    return chosen


def word_mask(shape: tuple[int, int], page: Page, words: list[Word], grow: float = GROW) -> np.ndarray:
    """A uint8 mask (255 = erase) of ``words``: a line whose words all go is masked as one box
    (word boxes from the recognizer's frames can miss ink between words); each box is grown by
    ``grow`` x its height across the text and twice that along it (a word's first or last letter
    may stand outside its span)."""
    chosen = {id(word) for word in words}
    polygons = []
    for line in page.lines:
        mine = [w for w in line.words if id(w) in chosen]
        if mine and len(mine) == len(line.words) and len(line.polygon) >= 3:
            polygons.append(line.polygon)
        else:
            polygons.extend(w.polygon for w in mine)
    mask = np.zeros(shape, np.uint8)
    for polygon in polygons:
        points = np.asarray(polygon, np.float32)
        if len(points) < 3:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(points)
        height = min(w, h)
        along, across = 4 * grow * height, 2 * grow * height
        size = (w + along, h + across) if w >= h else (w + across, h + along)
        cv2.fillPoly(mask, [np.round(cv2.boxPoints(((cx, cy), size, angle))).astype(np.int32)], 255)
    return mask


def erase_text(
    image: np.ndarray,
    page: Page,
    *,
    only: str | None = None,
    redact: bool = False,
    colour: tuple[int, int, int] = (0, 0, 0),
    grow: float = GROW,
    method: str = "ns",
) -> Erasure:
    """``image`` (RGB uint8, the pixels ``page`` was read from) with the chosen words erased
    (``method``: "ns" Navier-Stokes or "telea" inpainting; ignored with ``redact``)."""
    if method not in INPAINTERS:
        raise TextlensError(f"unknown inpainting method {method!r}: use {' or '.join(INPAINTERS)}")
    image = np.ascontiguousarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise TextlensError(f"erase needs an RGB uint8 image, got shape {image.shape} {image.dtype}")
    words = chosen_words(page, only)
    mask = word_mask(image.shape[:2], page, words, grow)
    if not words:
        return Erasure(image.copy(), [], mask)
    if redact:
        out = image.copy()
        out[mask > 0] = colour
        return Erasure(out, words, mask)
    return Erasure(cv2.inpaint(image, mask, INPAINT_RADIUS, INPAINTERS[method]), words, mask)
