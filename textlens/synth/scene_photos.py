"""Whole photos with more text in them: the scene detector's synthetic training pages.

``ScenePhotoSynthesizer(photos).sample(rng)`` -> (RGB photo, regions): a real photo (its own labelled
words kept, its don't-care regions kept as ``###``) with new signs painted where it has no text: a
line of one to four words each, in one font and one set of colours (letters, outline, drop shadow, a
plate behind the line), at any size from a few pixels to a headline, level or turned (now and then
upright, as on a pole), bent along an arc, then blurred into the photo's own sharpness. Every new
word gets its own quad, as ICDAR labels words, so the detector learns where one word ends and the
next begins on a line of type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import ImageFont

from textlens.errors import TextlensError
from textlens.synth import corpus, degrade
from textlens.synth.scenes import (
    RENDER_SIZE,
    PhotoPage,
    SceneWordConfig,
    bend_layers,
    paint_word,
    pick_font,
    scene_text,
    word_masks,
)

MAX_SIDE = 1600  # photos larger than this are shrunk first (the detector trains around 1280)


@dataclass
class ScenePhotoConfig:
    """``signs``: how many lines of new text per photo; ``height``: word height range in pixels
    (log-uniform); ``p_upright``: a line set top to bottom (turned 90 degrees); ``p_steep``: turned
    10-40 degrees (else within 6)."""

    signs: tuple[int, int] = (2, 7)
    height: tuple[int, int] = (9, 110)
    p_upright: float = 0.05
    p_steep: float = 0.15
    p_plate: float = 0.35
    words: SceneWordConfig = field(default_factory=SceneWordConfig)


class ScenePhotoSynthesizer:
    """Random photos with new signs: ``sample(rng) -> (RGB uint8 photo, [{"quad", "text"}])``."""

    def __init__(self, pages: list[PhotoPage], config: ScenePhotoConfig | None = None) -> None:
        if not pages:
            raise TextlensError("no background photos to draw scenes on")
        self.pages = pages
        self.config = config or ScenePhotoConfig()

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, list[dict]]:
        for _ in range(8):
            page = self.pages[int(rng.integers(len(self.pages)))]
            image = cv2.imread(page.path, cv2.IMREAD_COLOR)
            if image is not None:
                break
        else:
            raise TextlensError("could not read any of the background photos")
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        scale = min(1.0, MAX_SIDE / max(image.shape[:2]))
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        regions = [{"quad": [round(v * scale, 1) for v in quad], "text": text} for quad, text in page.regions]
        taken = np.zeros(image.shape[:2], np.uint8)
        for region in regions:
            cv2.fillPoly(taken, [np.int32(np.reshape(region["quad"], (4, 2)))], 1)
        photo = image.astype(np.float32)
        lo, hi = self.config.signs
        for _ in range(int(rng.integers(lo, hi + 1))):
            regions += self._add_sign(rng, photo, taken)
        out = np.clip(photo, 0, 255).astype(np.uint8)
        if rng.random() < 0.3:
            out = degrade.noise(out, rng, sigma=rng.uniform(1, 5))
        return out, regions

    def _add_sign(self, rng: np.random.Generator, photo: np.ndarray, taken: np.ndarray) -> list[dict]:
        """One line of new words painted into ``photo`` where nothing is ``taken``; its words' regions."""
        cfg = self.config
        for _ in range(6):
            words, path = _sign_words(rng)
            height = math.exp(rng.uniform(math.log(cfg.height[0]), math.log(cfg.height[1])))
            layers = [_word_layers(rng, word, path, cfg.words) for word in words]
            placed = _lay_out(rng, layers, height, self._angle(rng), photo.shape[:2])
            if placed is None:
                continue
            masks, quads = placed
            extent = np.maximum.reduce([np.maximum(fill, stroke) for fill, stroke in masks])
            reach = max(1, int(height / 6))
            sign = cv2.dilate((extent > 0.05).astype(np.uint8), np.ones((5, 5), np.uint8), iterations=reach)
            plate = None
            if rng.random() < cfg.p_plate:  # a panel behind the line: the turned box around its words
                corners = cv2.boxPoints(cv2.minAreaRect(cv2.findNonZero(sign)))
                plate = np.zeros_like(sign)
                cv2.fillPoly(plate, [np.int32(corners)], 1)
                sign = cv2.dilate(sign | plate, np.ones((3, 3), np.uint8), iterations=2)
            if (sign & taken).any():
                continue
            self._paint_sign(rng, photo, masks, sign, plate, height)
            taken |= sign
            return [{"quad": quad, "text": word} for quad, word in zip(quads, words) if quad is not None]
        return []

    def _angle(self, rng: np.random.Generator) -> float:
        if rng.random() < self.config.p_upright:
            return float(rng.choice([-90.0, 90.0]))
        if rng.random() < self.config.p_steep:
            return float(rng.uniform(10, 40) * rng.choice([-1, 1]))
        return float(rng.uniform(-6, 6))

    def _paint_sign(self, rng, photo: np.ndarray, masks, sign: np.ndarray, plate, height: float) -> None:
        """Paint the sign's words (and maybe a plate) in one style, blurred into the photo."""
        ys, xs = np.nonzero(sign)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        fill = np.maximum.reduce([f for f, _ in masks])[y0:y1, x0:x1]
        stroke = np.maximum.reduce([s for _, s in masks])[y0:y1, x0:x1]
        if plate is not None:
            plate = cv2.GaussianBlur(plate[y0:y1, x0:x1].astype(np.float32), (0, 0), 1.0)
        ground = photo[y0:y1, x0:x1].copy()
        painted = paint_word(rng, ground.copy(), fill, stroke, plate, self.config.words)
        sharpness = rng.uniform(0.3, 1.2) * max(1.0, height / 40)
        painted = cv2.GaussianBlur(painted, (0, 0), sharpness)
        if rng.random() < 0.3:  # uneven light across the sign
            light = 0.7 + 0.6 * degrade.smooth_field(painted.shape[:2], rng, (2, 3))
            painted = painted * light[..., None]
        blend = cv2.GaussianBlur(sign[y0:y1, x0:x1].astype(np.float32), (0, 0), 1.5)[..., None]
        photo[y0:y1, x0:x1] = ground + (painted - ground) * blend


def _sign_words(rng: np.random.Generator) -> tuple[list[str], str]:
    """One to four words a sign could say, all drawable in the chosen font."""
    from textlens.synth.fonts import font_info

    for _ in range(10):
        path = pick_font(rng, 0.45)
        count = int(rng.choice([1, 1, 2, 2, 3, 4]))
        text = " ".join(scene_text(rng) for _ in range(count)) if rng.random() < 0.5 else corpus.words(rng)
        words = text.split()[:count] or ["OPEN"]
        if rng.random() < 0.4:
            words = [w.upper() for w in words]
        chars = font_info(path).chars
        if all(c in chars for word in words for c in word):
            return words, path
    return ["EXIT"], pick_font(rng, 0.45)


def _word_layers(rng: np.random.Generator, word: str, path: str, cfg: SceneWordConfig):
    """(fill, stroke) masks of one word at RENDER_SIZE, cut to the font's ascent and descent (so the
    words of a line share one scale) and to the word's ink left and right."""
    font = ImageFont.truetype(path, RENDER_SIZE)
    outline = int(rng.integers(2, 5)) if rng.random() < cfg.p_outline else 0
    top = font.getbbox(word, anchor="ls", stroke_width=outline)[1]
    fill, stroke, (x0, _, x1, _) = word_masks(word, font, outline)
    baseline = RENDER_SIZE - top  # where word_masks drew the baseline
    ascent, descent = font.getmetrics()
    rows = slice(max(0, int(baseline - ascent - outline)), min(fill.shape[0], int(baseline + descent + outline)))
    cols = slice(max(0, x0 - 2), min(fill.shape[1], x1 + 2))
    return fill[rows, cols], stroke[rows, cols]


def _lay_out(rng, layers, height: float, angle: float, shape: tuple[int, int]):
    """Words side by side along a line turned by ``angle`` degrees, the line's letters ``height`` px
    tall, at a random place that keeps it in the photo: per word its (fill, stroke) masks at photo
    size and its quad (None when too little of it shows); None when the line does not fit."""
    rows, cols = shape
    scale = height / max(1, max(f.shape[0] for f, _ in layers))
    widths = [f.shape[1] * scale for f, _ in layers]
    gap = rng.uniform(0.25, 0.6) * height
    length = sum(widths) + gap * (len(layers) - 1)
    theta = math.radians(angle)
    along = np.float32([math.cos(theta), math.sin(theta)])
    down = np.float32([-math.sin(theta), math.cos(theta)])
    span = np.abs(along) * length + np.abs(down) * height
    if span[0] >= cols - 4 or span[1] >= rows - 4:
        return None
    corner = np.float32([rng.uniform(0, cols - span[0]), rng.uniform(0, rows - span[1])])
    start = corner - np.minimum(0, along * length) - np.minimum(0, down * height)
    masks, quads = [], []
    cursor = 0.0
    bend = rng.random() < 0.08 and len(layers) == 1
    for (fill, stroke), width in zip(layers, widths):
        if bend:
            fill, stroke = bend_layers(rng, [fill, stroke], 1.0)
        h, w = fill.shape
        origin = start + along * cursor
        ahead, below = along * width, down * height
        dest = np.float32([origin, origin + ahead, origin + ahead + below, origin + below])
        matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dest)
        warped = [cv2.warpPerspective(m, matrix, (cols, rows), flags=cv2.INTER_LINEAR) for m in (fill, stroke)]
        masks.append(tuple(warped))
        quads.append(_ink_quad(warped[0] if not warped[1].any() else np.maximum(*warped), angle))
        cursor += width + gap
    return masks, quads


def _ink_quad(mask: np.ndarray, angle: float) -> list[float] | None:
    """The tight box of a word's ink, turned with its line, clockwise from the word's top left."""
    points = cv2.findNonZero((mask > 0.3).astype(np.uint8))
    if points is None or len(points) < 6:
        return None
    theta = math.radians(angle)
    turn = np.float32([[math.cos(theta), math.sin(theta)], [-math.sin(theta), math.cos(theta)]])
    local = points.reshape(-1, 2).astype(np.float32) @ turn.T  # into the line's frame
    (u0, v0), (u1, v1) = local.min(axis=0), local.max(axis=0)
    box = np.float32([[u0, v0], [u1, v0], [u1, v1], [u0, v1]]) @ turn  # back to the photo's
    return [round(float(v), 1) for v in box.ravel()]
