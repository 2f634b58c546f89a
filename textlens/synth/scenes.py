"""Scene text as photos show it: words on signs, shop fronts, products, walls and vehicles.

``SceneWordSynthesizer(backgrounds).sample(rng)`` -> (RGB uint8 word crop, label): the scene
recognizer's training data (``textlens synth words``). A word (a dictionary word in capitals, title
or lower case, a price, a phone number, a code) is drawn large in a random font, often bold, with
an outline, a drop shadow or on a plate of its own colour; bent along an arc, turned, sheared and
seen in perspective; laid over a patch of a real photo (the ``backgrounds``: photos whose own text
regions are avoided) or over a made-up one, in a colour that stands out from what lies under it
(now and then one that hardly does); lit unevenly, partly hidden, cut out the way a detector's box
cuts a word (loose or tight, off-centre, with pieces of the surroundings), then shrunk to the few
pixels scene words often have, blurred, noised and JPEG-compressed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.synth import corpus, degrade

RENDER_SIZE = 64  # font size the word is drawn at before it is shrunk to its final height
PHOTO_SIDE = 800
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp")


# --------------------------------------------------------------------------- text


def scene_text(rng: np.random.Generator) -> str:
    """What a sign says: mostly one word (capitals, title or lower case), else a price, a number,
    a phone number or a code."""
    r = rng.random()
    if r < 0.72:
        words = corpus.words(rng).split()
        text = " ".join(words[: 1 if rng.random() < 0.85 else 2])
    elif r < 0.8:
        text = corpus.price(rng)
    elif r < 0.88:
        text = str(int(rng.integers(0, 10 ** int(rng.integers(1, 5)))))
    elif r < 0.94:
        text = f"{int(rng.integers(10, 999))}-{int(rng.integers(1000, 9999))}"
        if rng.random() < 0.5:
            text = f"{int(rng.integers(2, 9))}{int(rng.integers(100, 999))} {int(rng.integers(1000, 9999))}"
    else:
        text = corpus.code(rng).split()[-1]
    case = rng.random()
    if case < 0.45:
        text = text.upper()
    elif case < 0.75:
        text = text.title()
    elif case < 0.9:
        text = text.lower()
    if rng.random() < 0.06:
        text += _choice(rng, ["!", ".", ",", ":", "'s", "?", "-"])
    return text.strip() or "EXIT"


def _choice(rng: np.random.Generator, options: list):
    return options[int(rng.integers(len(options)))]


# --------------------------------------------------------------------------- backgrounds


DONT_CARE = "###"


@dataclass(frozen=True)
class PhotoPage:
    """A background photo and the text regions it already has (quads in its pixels)."""

    path: str
    regions: tuple[tuple[tuple[float, ...], str], ...] = ()


def load_photo_pages(sources: list[str | Path]) -> list[PhotoPage]:
    """Photos from folders (no text of their own assumed) and manifests (their ``regions`` kept)."""
    pages: list[PhotoPage] = []
    for source in map(Path, sources):
        if source.is_dir():
            pages += [PhotoPage(str(p)) for p in sorted(source.rglob("*")) if p.suffix.lower() in IMAGE_SUFFIXES]
            continue
        if not source.is_file():
            raise TextlensError(f"{source}: no such folder or manifest of background photos")
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                regions = tuple(
                    (tuple(float(v) for v in np.ravel(r["quad"])), str(r.get("text", DONT_CARE)))
                    for r in item.get("regions", [])
                )
                if any(len(quad) != 8 for quad, _ in regions):
                    raise ValueError("a quad needs 4 points")
                pages.append(PhotoPage(str(source.parent / item["image"]), regions))
            except (ValueError, KeyError, TypeError):
                raise TextlensError(f"{source}:{number}: not a manifest line with an image and quads") from None
    if not pages:
        raise TextlensError("no background photos found")
    return pages


class Backgrounds:
    """Patches of real photos for words to lie on, away from the photos' own text; a made-up
    background (colour fields, stripes, noise) where there are no photos or no free patch."""

    def __init__(self, photos: list[PhotoPage] | None = None) -> None:
        self.photos = photos or []
        self._avoid = [tuple(_box_of(quad) for quad, _ in photo.regions) for photo in self.photos]

    @classmethod
    def load(cls, sources: str | Path | list[str | Path] | None) -> Backgrounds:
        """Each source a folder of photos, or a manifest.jsonl whose ``regions`` quads mark text to
        avoid (as ../shared/data/icdar2015-det-dev has); None: made-up backgrounds only."""
        if sources is None:
            return cls()
        return cls(load_photo_pages(sources if isinstance(sources, list) else [sources]))

    def patch(self, rng: np.random.Generator, height: int, width: int) -> np.ndarray:
        """An RGB ``height`` x ``width`` patch."""
        if self.photos and rng.random() < 0.85:
            for _ in range(6):
                pick = int(rng.integers(len(self.photos)))
                image, scale = _read_photo(self.photos[pick].path)
                if image is None:
                    continue
                avoid = [tuple(v * scale for v in box) for box in self._avoid[pick]]
                found = _free_patch(rng, image, avoid, height, width)
                if found is not None:
                    return found
        return made_up_background(rng, height, width)


def _box_of(quad) -> tuple[float, float, float, float]:
    points = np.asarray(quad, np.float32).reshape(-1, 2)
    return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())


@lru_cache(maxsize=256)
def _read_photo(path: str) -> tuple[np.ndarray | None, float]:
    """The photo in RGB, its longer side at most PHOTO_SIDE (patches are small; 256 fit in
    memory), and the scale it was shrunk by."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        return None, 1.0
    scale = min(1.0, PHOTO_SIDE / max(image.shape[:2]))
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), scale


def _free_patch(rng, image: np.ndarray, avoid, height: int, width: int) -> np.ndarray | None:
    """A patch of ``image`` (at a random scale) that touches none of the ``avoid`` boxes."""
    h, w = image.shape[:2]
    scale = rng.uniform(0.3, 1.2) * height / max(1, RENDER_SIZE)
    ph, pw = min(h, max(4, int(height * scale))), min(w, max(4, int(width * scale)))
    for _ in range(8):
        x0, y0 = int(rng.integers(0, w - pw + 1)), int(rng.integers(0, h - ph + 1))
        if not any(x0 < bx1 and bx0 < x0 + pw and y0 < by1 and by0 < y0 + ph for bx0, by0, bx1, by1 in avoid):
            return cv2.resize(image[y0 : y0 + ph, x0 : x0 + pw], (width, height), interpolation=cv2.INTER_LINEAR)
    return None


def _muted(rng: np.random.Generator) -> np.ndarray:
    """A colour as walls and packaging have them: mostly greyish, now and then vivid."""
    colour = rng.uniform(0, 255, 3).astype(np.float32)
    grey = colour.mean()
    return grey + (colour - grey) * (rng.uniform(0.1, 0.5) if rng.random() < 0.75 else 1.0)


def made_up_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Smooth colour fields with a few stripes, panels and grain: walls, awnings, packaging."""
    base, other = (_muted(rng) for _ in range(2))
    field = degrade.smooth_field((height, width), rng, (int(rng.integers(1, 4)), int(rng.integers(1, 6))))
    image = base + (other - base) * field[..., None] * rng.uniform(0.2, 1.0)
    for _ in range(int(rng.integers(0, 4))):
        colour = rng.uniform(0, 255, 3)
        if rng.random() < 0.5:
            y = int(rng.integers(0, height))
            image[y : y + int(rng.integers(1, max(2, height // 6))), :] = colour
        else:
            x = int(rng.integers(0, width))
            image[:, x : x + int(rng.integers(1, max(2, width // 8)))] = colour
    image += rng.normal(0, rng.uniform(0, 12), image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- the word


@dataclass
class SceneWordConfig:
    """``height``: range of the output crop height in pixels (scene words are often tiny)."""

    height: tuple[int, int] = (12, 56)
    p_bold: float = 0.45
    p_outline: float = 0.15
    p_shadow: float = 0.15
    p_plate: float = 0.3
    p_curve: float = 0.12
    p_steep: float = 0.12  # turned 10-30 degrees (else up to 5)
    p_occlude: float = 0.06
    p_low_contrast: float = 0.12


class SceneWordSynthesizer:
    """Random scene word crops: ``sample(rng) -> (RGB uint8 crop, label)``."""

    def __init__(self, backgrounds: Backgrounds | None = None, config: SceneWordConfig | None = None) -> None:
        self.backgrounds = backgrounds or Backgrounds()
        self.config = config or SceneWordConfig()

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        for _ in range(10):
            text = scene_text(rng)
            path = pick_font(rng, self.config.p_bold)
            from textlens.synth.fonts import font_info

            chars = font_info(path).chars
            if all(c in chars or c == " " for c in text):
                return self.render(rng, text, path), text
        raise TextlensError("could not draw a scene word: the fonts do not cover the text")

    def render(self, rng: np.random.Generator, text: str, path: str) -> np.ndarray:
        cfg = self.config
        font = ImageFont.truetype(path, RENDER_SIZE)
        outline = int(rng.integers(2, 6)) if rng.random() < cfg.p_outline else 0
        fill, stroke, box = word_masks(text, font, outline)
        plate = _plate_mask(rng, fill.shape, box) if rng.random() < cfg.p_plate else None
        layers = [m for m in (fill, stroke, plate) if m is not None]
        layers = bend_layers(rng, layers, cfg.p_curve)
        layers = _turn(rng, layers, cfg.p_steep)
        fill, stroke = layers[0], layers[1]
        plate = layers[2] if plate is not None else None
        crop = _detector_box(rng, np.maximum(fill, stroke) if plate is None else plate, fill)
        y0, y1, x0, x1 = crop
        fill, stroke = fill[y0:y1, x0:x1], stroke[y0:y1, x0:x1]
        plate = plate[y0:y1, x0:x1] if plate is not None else None
        ground = self.backgrounds.patch(rng, y1 - y0, x1 - x0).astype(np.float32)
        image = paint_word(rng, ground, fill, stroke, plate, cfg)
        if rng.random() < cfg.p_occlude:
            image = _occlude(rng, image)
        return _photograph(rng, image, cfg.height)


@lru_cache(maxsize=1)
def _font_pool() -> tuple[list[list[str]], ...]:
    from textlens.synth.fonts import discover_fonts, font_info

    families: dict[str, list[str]] = {}
    for path in discover_fonts():
        families.setdefault(font_info(path).family or path, []).append(path)
    return tuple(families[name] for name in sorted(families))


def pick_font(rng: np.random.Generator, p_bold: float) -> str:
    from textlens.synth.fonts import font_info

    styles = _font_pool()[int(rng.integers(len(_font_pool())))]
    bold = rng.random() < p_bold
    italic = rng.random() < 0.1
    chosen = [p for p in styles if (font_info(p).weight >= 600) == bold and font_info(p).italic == italic] or styles
    return chosen[int(rng.integers(len(chosen)))]


def word_masks(text: str, font: ImageFont.FreeTypeFont, outline: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Fill and outline masks (float32 0..1) on a canvas with room to turn, and the ink box."""
    left, top, right, bottom = font.getbbox(text, anchor="ls", stroke_width=outline)
    room = RENDER_SIZE
    width, height = int(right - left) + 2 * room, int(bottom - top) + 2 * room
    origin = (room - left, room - top)
    fill_image = Image.new("L", (width, height), 0)
    ImageDraw.Draw(fill_image).text(origin, text, font=font, fill=255, anchor="ls")
    fill = np.asarray(fill_image, np.float32) / 255
    if outline:
        both = Image.new("L", (width, height), 0)
        ImageDraw.Draw(both).text(origin, text, font=font, fill=255, anchor="ls", stroke_width=outline, stroke_fill=255)
        stroke = np.clip(np.asarray(both, np.float32) / 255 - fill, 0, 1)
    else:
        stroke = np.zeros_like(fill)
    return fill, stroke, (room, room, width - room, height - room)


def _plate_mask(rng: np.random.Generator, shape: tuple[int, int], box: tuple) -> np.ndarray:
    """A sign's panel around the word (margins of its own), rounded now and then."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    mx, my = rng.uniform(0.15, 0.6) * h, rng.uniform(0.1, 0.4) * h
    plate = np.zeros(shape, np.float32)
    pt0 = (int(max(0, x0 - mx)), int(max(0, y0 - my)))
    pt1 = (int(min(shape[1] - 1, x1 + mx)), int(min(shape[0] - 1, y1 + my)))
    cv2.rectangle(plate, pt0, pt1, 1.0, -1)
    if rng.random() < 0.3:
        r = int(min(pt1[1] - pt0[1], pt1[0] - pt0[0]) * 0.2)
        for cx, cy in ((pt0[0], pt0[1]), (pt1[0], pt0[1]), (pt0[0], pt1[1]), (pt1[0], pt1[1])):
            plate[max(0, cy - r) : cy + r + 1, max(0, cx - r) : cx + r + 1] = 0
        plate = cv2.dilate(plate, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        plate = np.minimum(plate, 1.0)
    return plate


def bend_layers(rng: np.random.Generator, layers: list[np.ndarray], p_curve: float) -> list[np.ndarray]:
    """Words along an arc (a round sign, a bottle's label)."""
    if rng.random() >= p_curve:
        return layers
    h, w = layers[0].shape
    depth = rng.uniform(0.15, 0.5) * RENDER_SIZE * rng.choice([-1, 1])
    xs = np.arange(w, dtype=np.float32)
    offset = depth * np.sin(np.pi * xs / max(1, w - 1)) - depth / 2
    map_x = np.tile(xs, (h, 1))
    map_y = (np.arange(h, dtype=np.float32)[:, None] + offset[None, :]).astype(np.float32)
    return [cv2.remap(m, map_x, map_y, cv2.INTER_LINEAR, borderValue=0) for m in layers]


def _turn(rng: np.random.Generator, layers: list[np.ndarray], p_steep: float) -> list[np.ndarray]:
    """Rotation, shear and perspective: one homography for every layer."""
    h, w = layers[0].shape
    angle = math.radians(rng.uniform(10, 30) * rng.choice([-1, 1]) if rng.random() < p_steep else rng.uniform(-5, 5))
    shear = rng.uniform(-0.3, 0.3) if rng.random() < 0.2 else 0.0
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    centre = corners.mean(axis=0)
    rotation = np.float32([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    moved = (corners - centre) @ np.float32([[1, 0], [shear, 1]]).T @ rotation.T + centre
    if rng.random() < 0.4:  # seen from the side
        moved += rng.uniform(-0.12, 0.12, (4, 2)).astype(np.float32) * np.float32([min(w, 4 * h), h])
    moved -= moved.min(axis=0)
    size = (int(moved[:, 0].max()) + 1, int(moved[:, 1].max()) + 1)
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    return [cv2.warpPerspective(m, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0) for m in layers]


def _detector_box(rng: np.random.Generator, extent: np.ndarray, fill: np.ndarray) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1): the word's box as a detector draws it, loose or tight, a little off."""
    ys, xs = np.nonzero(extent > 0.3)
    if ys.size == 0:
        ys, xs = np.nonzero(fill > 0.3)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    fy, _ = np.nonzero(fill > 0.3)
    h = max(4, (fy.max() - fy.min()) if fy.size else bottom - top)
    pads = rng.uniform(-0.04, 0.3, 4) * h
    pads[2:] += rng.uniform(0, 0.2, 2) * h  # wider at the ends
    y0, y1 = int(top - pads[0]), int(bottom + pads[1])
    x0, x1 = int(left - pads[2]), int(right + pads[3])
    rows, cols = extent.shape
    return max(0, y0), min(rows, max(y1, y0 + 4)), max(0, x0), min(cols, max(x1, x0 + 4))


def _luma(colour: np.ndarray) -> float:
    return float(colour @ np.float32([0.299, 0.587, 0.114]))


def _standing_out(rng: np.random.Generator, under: np.ndarray, least: float) -> np.ndarray:
    """A colour whose brightness differs from ``under``'s by at least ``least``."""
    for _ in range(20):
        colour = rng.uniform(0, 255, 3).astype(np.float32)
        if rng.random() < 0.4:  # white, black, red, yellow: what signs are mostly painted in
            colour = np.float32(_choice(rng, [(250, 250, 250), (15, 15, 15), (200, 30, 30), (250, 210, 30)]))
        if abs(_luma(colour) - _luma(under)) >= least:
            return colour
    return np.float32([255, 255, 255]) if _luma(under) < 128 else np.float32([0, 0, 0])


def paint_word(rng, ground: np.ndarray, fill, stroke, plate, cfg: SceneWordConfig) -> np.ndarray:
    """The word's colours over the background: plate, shadow, outline, then the letters."""
    image = ground
    under = ground.reshape(-1, 3).mean(axis=0)
    if plate is not None:
        plate_colour = _standing_out(rng, under, 30) if rng.random() < 0.7 else rng.uniform(0, 255, 3)
        image = image + (plate_colour - image) * plate[..., None]
        under = plate_colour
    least = rng.uniform(15, 40) if rng.random() < cfg.p_low_contrast else 70
    letters = _standing_out(rng, under, least)
    if rng.random() < cfg.p_shadow:
        dx, dy = (int(v) for v in rng.integers(1, max(2, fill.shape[0] // 12), 2))
        shadow = np.roll(np.roll(np.maximum(fill, stroke), dy, axis=0), dx, axis=1)
        shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(0.5, 2.0)) * rng.uniform(0.5, 0.9)
        image = image * (1 - shadow[..., None])
    if stroke.any():
        image = image + (_standing_out(rng, letters, 90) - image) * stroke[..., None]
    if rng.random() < 0.15:  # a gradient or a glossy fill
        shade = 1 + (degrade.smooth_field(fill.shape, rng, (2, 3)) - 0.5) * 0.6
        letters_map = np.clip(letters[None, None, :] * shade[..., None], 0, 255)
        image = image + (letters_map - image) * fill[..., None]
    else:
        image = image + (letters - image) * fill[..., None]
    return image


def _occlude(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """A pole, a wire or a leaf in front of part of the word."""
    h, w = image.shape[:2]
    colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
    if rng.random() < 0.5:
        x = int(rng.integers(0, w))
        cv2.line(image, (x, 0), (x + int(rng.integers(-h, h + 1)), h), colour, max(1, int(w * rng.uniform(0.01, 0.05))))
    else:
        centre = (int(rng.integers(0, w)), int(rng.choice([0, h])))
        cv2.ellipse(image, centre, (int(w * 0.08) + 1, int(h * 0.3) + 1), 0, 0, 360, colour, -1)
    return image


def _photograph(rng: np.random.Generator, image: np.ndarray, heights: tuple[int, int]) -> np.ndarray:
    """Light, size, blur, noise and JPEG as a camera gives them."""
    if rng.random() < 0.4:
        light = 0.55 + 0.9 * degrade.smooth_field(image.shape[:2], rng, (2, 3))
        image = image * light[..., None]
    if rng.random() < 0.08:  # a glare
        h, w = image.shape[:2]
        glare = np.zeros((h, w), np.float32)
        cv2.circle(glare, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(h * rng.uniform(0.3, 0.8)), 1.0, -1)
        image = image + 200 * cv2.GaussianBlur(glare, (0, 0), h * 0.3)[..., None] * rng.uniform(0.3, 0.8)
    image = np.clip(image, 0, 255).astype(np.uint8)
    h, w = image.shape[:2]
    lo, hi = heights
    height = int(rng.integers(lo, hi + 1))
    width = max(4, int(round(w * height / h)))
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 2.5) * h / max(height, 1) * 0.5)
    image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.1:
        k = int(rng.integers(2, 5))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        image = cv2.filter2D(image, -1, kernel)
    if rng.random() < 0.5:
        image = degrade.noise(image, rng, sigma=rng.uniform(2, 10))
    if rng.random() < 0.5:
        image = degrade.jpeg(image, rng, quality=int(rng.integers(20, 90)))
    return image
