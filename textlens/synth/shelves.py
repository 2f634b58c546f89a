"""Synthetic bookshelves: a row of book spines whose titles run along them, with the known texts.

``render_shelf(rng, split)`` -> (RGB uint8 image, spines). Each spine is a coloured strip (cloth,
paper or leather shade, a little texture and a band or two), its title (and sometimes the author,
a second line beside it) set along the spine: top to bottom as English-language books print it, or
bottom to top as many continental ones do. Spines stand a little tilted, at different heights, on a
shelf board against a dark back, lit unevenly. ``split="test"`` draws in the font families the line
synthesizer holds out, so test shelves come in faces no recognizer training saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.synth import degrade
from textlens.synth.corpus import words


@dataclass
class SpineTruth:
    text: str  # the title, then the author when printed (one space between)
    polygon: list[tuple[float, float]]  # the spine's outline in the image, clockwise from top-left
    downwards: bool  # the text runs top to bottom (else bottom to top)


def spine_title(rng: np.random.Generator) -> tuple[str, str | None]:
    """(title, author or None) in title case."""
    title = " ".join(w.capitalize() for w in words(rng).split()[: int(rng.integers(1, 5))])
    author = None
    if rng.random() < 0.5:
        author = " ".join(w.capitalize() for w in words(rng).split()[:2])
    return title, author


def render_shelf(
    rng: np.random.Generator, split: str = "train", size: tuple[int, int] = (1280, 800)
) -> tuple[np.ndarray, list[SpineTruth]]:
    """A shelf photo of ``size`` (width, height) and the spines on it, left to right."""
    from textlens.synth.digits import _font  # the font families of each split

    if split not in ("train", "test"):
        raise TextlensError(f"split {split!r}: use train or test")
    width, height = size
    image = np.empty((height, width, 3), np.float32)
    image[:] = rng.uniform(10, 60, 3)  # the back of the shelf
    board = int(height * rng.uniform(0.86, 0.94))
    image[board:] = rng.uniform(80, 180, 3)
    spines: list[SpineTruth] = []
    x = int(rng.integers(5, 40))
    downwards_shelf = rng.random() < 0.7  # most books of a shelf follow one convention
    while True:
        spine_w = int(rng.integers(48, 130))
        if x + spine_w > width - 5:
            break
        spine_h = int(board * rng.uniform(0.6, 0.95))
        title, author = spine_title(rng)
        downwards = downwards_shelf if rng.random() < 0.85 else not downwards_shelf
        strip, text = _spine(rng, spine_w, spine_h, title, author, downwards, _font(rng, split, rng.random() < 0.4))
        angle = rng.uniform(-2, 2)
        polygon = _place(image, strip, x, board, angle)
        spines.append(SpineTruth(text, polygon, downwards))
        x = int(max(px for px, _ in polygon)) + int(rng.integers(1, 6))  # the next one hides none of it
    if rng.random() < 0.5:  # uneven light
        grey = image.mean(axis=2)
        lit = degrade.illumination(np.clip(grey, 0, 255).astype(np.uint8), rng).astype(np.float32)
        image = image * (lit / np.maximum(grey, 1))[..., None]
    out = np.clip(image + rng.normal(0, rng.uniform(1, 6), image.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.0))
    return out, spines


def _spine(
    rng: np.random.Generator, width: int, height: int, title: str, author: str | None, downwards: bool, font_path: str
) -> tuple[np.ndarray, str]:
    """The spine upright (height x width RGB) with its text, and the text as read."""
    cloth = rng.uniform(20, 235, 3)
    ink = np.where(cloth.mean() > 128, rng.uniform(0, 60, 3), rng.uniform(190, 255, 3))
    if cloth.mean() < 110 and rng.random() < 0.3:
        ink = np.array((210.0, 175.0, 80.0))  # gilt on a dark binding
    # the text is laid out horizontally on a canvas as long as the spine, then turned
    lines = [title] if author is None else [title, author]
    size = int(min(width / (1.35 * len(lines)), height / max(6, 0.6 * max(len(t) for t in lines))))
    size = max(10, size)
    font = ImageFont.truetype(font_path, size)
    while max(font.getlength(t) for t in lines) > 0.9 * height and size > 10:
        size -= 2
        font = ImageFont.truetype(font_path, size)
    canvas = Image.new("L", (height, width), 0)
    draw = ImageDraw.Draw(canvas)
    pitch = width / len(lines)
    margin = rng.uniform(0.05, 0.1) * height
    for i, text in enumerate(lines):
        length = font.getlength(text)
        x = margin if rng.random() < 0.5 else (height - length) / 2
        draw.text((x, pitch * (i + 0.5)), text, font=font, fill=255, anchor="lm")
    mask = np.asarray(canvas, np.float32) / 255
    mask = np.rot90(mask, -1 if downwards else 1)  # horizontal text turned to run down (or up) the spine
    shade = 1 + (degrade.smooth_field((height, width), rng, (6, 2)) - 0.5) * 0.25
    across = 1 - 0.25 * np.abs(np.linspace(-1, 1, width))[None, :] ** 2  # the rounded back
    ground = cloth[None, None] * (shade * across)[..., None]
    strip = ground + (ink - ground) * mask[..., None]
    for _ in range(int(rng.integers(0, 3))):  # bands near the head and the foot, clear of the title
        y = int((rng.uniform(0.005, 0.03) if rng.random() < 0.5 else rng.uniform(0.96, 0.985)) * height)
        strip[y : y + max(2, height // 80)] = ink
    return strip, " ".join(lines)


def _place(image: np.ndarray, strip: np.ndarray, x: int, board: int, angle: float) -> list[tuple[float, float]]:
    """Stand the strip on the board at ``x``, tilted by ``angle`` degrees; its outline in the image."""
    h, w = strip.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    pivot = np.float32([x + w / 2, board])  # it stands on the board
    a = math.radians(angle)
    rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    placed = (corners - np.float32([w / 2, h])) @ rot.T + pivot
    matrix = cv2.getPerspectiveTransform(corners, placed.astype(np.float32))
    size = (image.shape[1], image.shape[0])
    warped = cv2.warpPerspective(strip, matrix, size, flags=cv2.INTER_LINEAR)
    cover = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, size, flags=cv2.INTER_LINEAR)
    cover[board:] = 0  # behind the board's edge
    image[:] = image * (1 - cover[..., None]) + warped * cover[..., None]
    return [(float(px), float(py)) for px, py in placed]
