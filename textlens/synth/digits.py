"""Synthetic digit sequences as meters, displays, plates and signs show them: the digits reader's data.

``render_digits(rng, split)`` -> (RGB uint8 crop, label). Looks (``DIGIT_LOOKS``):

* ``lcd``: seven-segment digits, dark segments on a grey-green or backlit glass, the unlit segments
  faintly visible; ``led``: lit segments (red, green, amber, blue) on black with a glow;
* ``counter``: a mechanical register (gas, water and electricity meters, odometers): one drum cell
  per digit, white on black or black on white, the last cells often red, digits a little off
  their row as the drums turn;
* ``plate``: digits stamped into metal or plastic (embossed: lit and shaded edges);
* ``sign``: house numbers and price boards: a plaque of one colour, a bold face, a frame;
* ``print``: digits printed on paper or a label (prices, serial numbers, dates, odometer slips).

Labels are 1 to 12 digits, with a decimal point or comma, a minus, a colon (clock times) or dashes
where such displays show them, and now and then a unit after them (kWh, m³, km, °C...).
``split="train"`` draws segments procedurally and text in the font families of the line
synthesizer's training split; ``split="test"`` draws segments with the DSEG fonts and text in the
held-out families, so test crops come in styles no training crop had.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.synth import degrade

DIGIT_LOOKS = ("lcd", "led", "counter", "plate", "sign", "print")
UNITS = ("kWh", "km", "m³", "L", "V", "A", "°C", "%", "kg", "bar", "rpm", "mi", "Hz", "W")
SEGMENT_CHARS = frozenset("0123456789-.: ")
# segments a..g (top, top right, bottom right, bottom, bottom left, top left, middle) lit per character
_SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg", "5": "acdfg", "6": "acdefg",
    "7": "abc", "8": "abcdefg", "9": "abcdfg", "-": "g", " ": "",
}  # fmt: skip


def digit_text(rng: np.random.Generator, look: str) -> str:
    """A label as a display of this look shows it."""
    r = rng.random()
    if look == "counter":
        return "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(4, 9))))
    if look in ("lcd", "led") and r < 0.15:
        return f"{int(rng.integers(0, 24)):02d}:{int(rng.integers(0, 60)):02d}"  # a clock
    if look in ("sign", "plate") and r < 0.6:
        return str(int(rng.integers(1, 10 ** int(rng.integers(1, 5)))))  # a house or bay number
    if look == "print" and r < 0.2:  # a serial number in groups
        return "-".join(
            "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(2, 5)))) for _ in range(rng.integers(2, 4))
        )
    length = int(rng.integers(1, 13))
    digits = "".join(str(d) for d in rng.integers(0, 10, length))
    if length > 1 and digits[0] == "0" and rng.random() < 0.6:
        digits = str(int(rng.integers(1, 10))) + digits[1:]
    if length > 1 and rng.random() < 0.45:  # a decimal point (a comma in some places)
        cut = int(rng.integers(max(1, length - 3), length))
        digits = digits[:cut] + ("," if look == "print" and rng.random() < 0.3 else ".") + digits[cut:]
    if rng.random() < 0.06:
        digits = "-" + digits
    return digits


def render_digits(rng: np.random.Generator, split: str = "train", look: str | None = None) -> tuple[np.ndarray, str]:
    """A crop of a digit sequence in a random look (or ``look``) and its label."""
    if split not in ("train", "test"):
        raise TextlensError(f"split {split!r}: use train or test")
    look = look or DIGIT_LOOKS[int(rng.integers(len(DIGIT_LOOKS)))]
    if look not in DIGIT_LOOKS:
        raise TextlensError(f"look {look!r}: use one of {', '.join(DIGIT_LOOKS)}")
    text = digit_text(rng, look)
    unit = UNITS[int(rng.integers(len(UNITS)))] if look not in ("counter", "sign") and rng.random() < 0.15 else ""
    draw = {"lcd": _lcd, "led": _led, "counter": _counter, "plate": _plate, "sign": _sign, "print": _print}[look]
    image = draw(rng, text, split)
    if unit:
        image = _with_unit(rng, image, unit, split)
    label = f"{text} {unit}" if unit else text
    return _photograph(rng, image), label


# --- the looks ----------------------------------------------------------------------------------


def _lcd(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    glass = np.array([rng.uniform(150, 215), rng.uniform(165, 225), rng.uniform(140, 200)])
    if rng.random() < 0.3:  # backlit: blue, green or amber glass
        glass = np.array([(90, 170, 230), (140, 220, 120), (240, 190, 80)][int(rng.integers(3))], float)
    ink = glass * rng.uniform(0.05, 0.3)
    ghost = rng.uniform(0.0, 0.12)  # unlit segments show faintly
    return _segments(rng, text, split, glass, ink, ghost, glow=0.0)


def _led(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    colours = ((255, 40, 30), (60, 255, 80), (255, 170, 30), (80, 160, 255), (240, 240, 240))
    lit = np.array(colours[int(rng.integers(len(colours)))], float)
    dark = np.array([rng.uniform(0, 35)] * 3) + rng.uniform(0, 15, 3)
    return _segments(rng, text, split, dark, lit, rng.uniform(0.0, 0.1), glow=rng.uniform(0.5, 2.5))


def _segments(rng, text: str, split: str, ground, ink, ghost: float, glow: float) -> np.ndarray:
    height = int(rng.integers(36, 90))
    if split == "test":
        mask, unlit = _dseg_mask(rng, text, height)
    else:
        mask, unlit = _drawn_segments(rng, text, height)
    mask = np.maximum(mask, ghost * unlit)
    if glow:
        mask = np.clip(mask + 0.6 * cv2.GaussianBlur(mask, (0, 0), glow * height / 40), 0, 1)
    return _compose(mask, ground, ink, rng)


def _drawn_segments(rng: np.random.Generator, text: str, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Seven-segment digits drawn as polygons: width, stroke, gaps, slant, segment ends and glyph forms vary."""
    style = _SegmentStyle(
        width=height * rng.uniform(0.4, 0.8),
        stroke=height * rng.uniform(0.05, 0.17),
        gap_share=rng.uniform(0.02, 0.45),
        slant=math.tan(math.radians(rng.uniform(0, 12))),
        bevel=rng.uniform(0.1, 1.0),  # pointed (1) to square (0) segment ends
        rounded=rng.random() < 0.3,
    )
    forms = dict(_SEGMENTS)  # the 6, 7 and 9 displays draw with or without their tail segment
    if rng.random() < 0.35:
        forms["6"] = "cdefg"
    if rng.random() < 0.35:
        forms["9"] = "abcfg"
    if rng.random() < 0.3:
        forms["7"] = "abcf"
    pitch = style.width * rng.uniform(1.15, 1.5)
    stroke, slant = style.stroke, style.slant
    margin = int(height * 0.3)
    cells = [c for c in text if c not in ".:"]
    canvas_w = int(margin * 2 + pitch * len(cells) + height * 0.3 * text.count(":") + 4)
    lit = Image.new("L", (canvas_w, height + 2 * margin), 0)
    off = Image.new("L", lit.size, 0)
    draw_lit, draw_off = ImageDraw.Draw(lit), ImageDraw.Draw(off)
    x = float(margin)
    for c in text:
        if c == ".":
            _point(draw_lit, x - pitch * 0.12, margin + height - stroke / 2, stroke * 0.6, slant, margin + height)
            continue
        if c == ":":
            for y in (margin + height * 0.3, margin + height * 0.7):
                _point(draw_lit, x + height * 0.1, y, stroke * 0.55, slant, margin + height)
            x += height * 0.3
            continue
        for segment in "abcdefg":
            draw = draw_lit if segment in forms.get(c, "") else draw_off
            _draw_segment(draw, segment, x, margin, height, style)
        x += pitch
    return np.asarray(lit, np.float32) / 255, np.asarray(off, np.float32) / 255


@dataclass(frozen=True)
class _SegmentStyle:
    """How one display draws its segments (lengths in pixels)."""

    width: float
    stroke: float
    gap_share: float  # the gap between two segments, as a share of the stroke
    slant: float
    bevel: float
    rounded: bool


def _draw_segment(
    draw: ImageDraw.ImageDraw, segment: str, x0: float, y0: float, h: float, style: _SegmentStyle
) -> None:
    """One segment of a digit box at (x0, y0): a bevelled hexagon, or a bar with round ends."""
    t, gap = style.stroke, style.stroke * style.gap_share
    half = t / 2
    mid, w = y0 + h / 2, style.width
    spans = {  # (horizontal?, fixed coordinate, start, end)
        "a": (True, y0 + half, x0, x0 + w),
        "g": (True, mid, x0, x0 + w),
        "d": (True, y0 + h - half, x0, x0 + w),
        "f": (False, x0 + half, y0, mid),
        "b": (False, x0 + w - half, y0, mid),
        "e": (False, x0 + half, mid, y0 + h),
        "c": (False, x0 + w - half, mid, y0 + h),
    }
    horizontal, fixed, start, end = spans[segment]
    start, end = start + gap + half, end - gap - half
    bottom = y0 + h

    def slanted(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [(px + style.slant * (bottom - py), py) for px, py in points]

    if style.rounded:
        ends = [(start, fixed), (end, fixed)] if horizontal else [(fixed, start), (fixed, end)]
        ends = slanted(ends)
        draw.line(ends, fill=255, width=max(1, round(t)))
        for px, py in ends:
            draw.ellipse([px - half, py - half, px + half, py + half], fill=255)
        return
    tip = half * style.bevel
    if horizontal:
        points = [(start, fixed), (start + tip, fixed - half), (end - tip, fixed - half), (end, fixed),
                  (end - tip, fixed + half), (start + tip, fixed + half)]  # fmt: skip
    else:
        points = [(fixed, start), (fixed + half, start + tip), (fixed + half, end - tip), (fixed, end),
                  (fixed - half, end - tip), (fixed - half, start + tip)]  # fmt: skip
    draw.polygon(slanted(points), fill=255)


def _point(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, slant: float, bottom: float) -> None:
    x += slant * (bottom - y)
    draw.ellipse([x - r, y - r, x + r, y + r], fill=255)


def _dseg_mask(rng: np.random.Generator, text: str, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Held-out segment styles: the DSEG7 fonts, their "8" behind each digit as the unlit segments."""
    fonts = _dseg_fonts()
    if not fonts:
        return _drawn_segments(rng, text, height)
    font = ImageFont.truetype(fonts[int(rng.integers(len(fonts)))], height)
    unlit = "".join("8" if c in "0123456789- " else c for c in text)
    lit_mask, unlit_mask = _text_mask(text, font), _text_mask(unlit, font)
    width = max(lit_mask.shape[1], unlit_mask.shape[1])
    return tuple(np.pad(m, ((0, 0), (0, width - m.shape[1]))) for m in (lit_mask, unlit_mask))


@lru_cache(maxsize=1)
def _dseg_fonts() -> list[str]:
    from textlens.synth.fonts import every_text_face

    # DSEG7 SEGG-CHAN draws faces, not segments: no display shows digits so, no reader could read them
    faces = every_text_face("0123456789")
    return sorted(i.path for i in faces if i.family.startswith("DSEG7") and "SEGG" not in i.family.upper())


def _counter(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    font = _font(rng, split, bold=rng.random() < 0.5)
    size = int(rng.integers(30, 70))
    face = ImageFont.truetype(font, size)
    cell_w, cell_h = int(size * rng.uniform(0.75, 1.0)), int(size * rng.uniform(1.15, 1.5))
    border = int(size * rng.uniform(0.05, 0.2))
    dark_cells = rng.random() < 0.7
    red_from = len(text) - int(rng.integers(1, 3)) if rng.random() < 0.4 else len(text)
    frame = np.array([rng.uniform(20, 220)] * 3)
    image = np.empty((cell_h + 2 * border, border + len(text) * (cell_w + border), 3), np.float32)
    image[:] = frame
    for i, c in enumerate(text):
        cell = np.array((25, 25, 25) if dark_cells else (235, 235, 230), np.float32)
        ink = np.array((240, 240, 240) if dark_cells else (20, 20, 20), np.float32)
        if i >= red_from:
            cell, ink = np.array((200, 30, 30), np.float32), np.array((245, 245, 245), np.float32)
        x = border + i * (cell_w + border)
        glyph = _text_mask(c, face)
        shift = int(rng.normal(0, 0.06) * cell_h)  # the drum is a little ahead or behind
        patch = np.zeros((cell_h, cell_w), np.float32)
        _paste_centred(patch, glyph, dy=shift)
        shade = 1 - 0.35 * np.abs(np.linspace(-1, 1, cell_h))[:, None] ** 2  # the drum's curve
        image[border : border + cell_h, x : x + cell_w] = (cell + (ink - cell) * patch[..., None]) * shade[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


def _plate(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    face = ImageFont.truetype(_font(rng, split, bold=True), int(rng.integers(36, 90)))
    mask = _pad(_text_mask(text, face), 0.3)
    metal = rng.uniform(90, 220)
    base = metal + degrade.smooth_field(mask.shape, rng, (2, 6)) * rng.uniform(-40, 40)
    base += rng.normal(0, rng.uniform(1, 6), mask.shape)  # brushed or painted surface
    depth = max(1, int(mask.shape[0] * 0.03))
    lit = np.roll(np.roll(mask, -depth, 0), -depth, 1)
    shaded = np.roll(np.roll(mask, depth, 0), depth, 1)
    surface = base + 60 * (lit - shaded) * rng.uniform(0.6, 1.2)
    if rng.random() < 0.5:  # painted digits
        surface = surface + (rng.uniform(0, 60) - surface) * mask * rng.uniform(0.6, 1.0)
    grey = np.clip(surface, 0, 255)
    tint = rng.uniform(0.9, 1.1, 3)
    return np.clip(grey[..., None] * tint, 0, 255).astype(np.uint8)


def _sign(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    face = ImageFont.truetype(_font(rng, split, bold=rng.random() < 0.7), int(rng.integers(36, 100)))
    mask = _pad(_text_mask(text, face), rng.uniform(0.2, 0.5))
    plaque = rng.uniform(0, 255, 3)
    ink = 255 - plaque if rng.random() < 0.7 else rng.uniform(0, 255, 3)
    if np.abs(ink - plaque).sum() < 200:
        ink = np.where(plaque > 127, 15.0, 240.0)
    image = _compose(mask, plaque, ink, rng)
    if rng.random() < 0.6:  # a frame
        t = max(2, int(mask.shape[0] * 0.05))
        inset = int(t * rng.uniform(1, 2))
        cv2.rectangle(image, (inset, inset), (image.shape[1] - inset, image.shape[0] - inset), ink.tolist(), t)
    return image


def _print(rng: np.random.Generator, text: str, split: str) -> np.ndarray:
    face = ImageFont.truetype(_font(rng, split, bold=rng.random() < 0.3), int(rng.integers(24, 70)))
    mask = _pad(_text_mask(text, face), rng.uniform(0.1, 0.4))
    paper = np.array([rng.uniform(200, 255)] * 3) * rng.uniform(0.9, 1.0, 3)
    if rng.random() < 0.25:  # a price label
        labels = ((250, 230, 60), (255, 255, 255), (250, 120, 40), (200, 230, 250))
        paper = np.array(labels[int(rng.integers(len(labels)))], float)
    ink = rng.uniform(0, 70, 3)
    if rng.random() < 0.15:
        ink = np.array((200.0, 20.0, 20.0))
    return _compose(mask, paper, ink, rng)


# --- shared pieces ------------------------------------------------------------------------------


def _font(rng: np.random.Generator, split: str, bold: bool = False) -> str:
    families = _families(split)
    styles = families[int(rng.integers(len(families)))]
    from textlens.synth.fonts import font_info

    chosen = [p for p in styles if (font_info(p).weight >= 600) == bold and not font_info(p).italic] or styles
    return chosen[int(rng.integers(len(chosen)))]


@lru_cache(maxsize=2)
def _families(split: str) -> list[list[str]]:
    from textlens.synth.fonts import discover_fonts, font_info
    from textlens.synth.lines import held_out_family

    groups: dict[str, list[str]] = {}
    for path in discover_fonts():
        family = font_info(path).family
        if held_out_family(family) == (split == "test"):
            groups.setdefault(family, []).append(path)
    if not groups:
        raise TextlensError(f"no font family of the {split!r} split is installed")
    return [groups[k] for k in sorted(groups)]


def _text_mask(text: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    """Ink mask of ``text`` (float32, 0..1)."""
    box = font.getbbox(text, anchor="ls")
    width, height = int(box[2] - min(box[0], 0)) + 4, int(font.size * 1.3) + 4
    image = Image.new("L", (width, height), 0)
    ImageDraw.Draw(image).text((2 - min(box[0], 0), 2 + font.size), text, font=font, fill=255, anchor="ls")
    return np.asarray(image, np.float32) / 255


def _pad(mask: np.ndarray, fraction: float) -> np.ndarray:
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    if rows.size:
        mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    m = max(2, int(mask.shape[0] * fraction))
    return np.pad(mask, m)


def _paste_centred(target: np.ndarray, glyph: np.ndarray, dy: int = 0) -> None:
    rows, cols = np.flatnonzero(glyph.any(1)), np.flatnonzero(glyph.any(0))
    if not rows.size:
        return
    glyph = glyph[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1][: target.shape[0], : target.shape[1]]
    y = (target.shape[0] - glyph.shape[0]) // 2 + dy
    x = (target.shape[1] - glyph.shape[1]) // 2
    y0, y1 = max(0, y), min(target.shape[0], y + glyph.shape[0])
    target[y0:y1, x : x + glyph.shape[1]] = glyph[y0 - y : y1 - y]


def _compose(mask: np.ndarray, ground, ink, rng: np.random.Generator) -> np.ndarray:
    mask = _pad(mask, 0.15) if mask.any() else mask
    shade = 1 + (degrade.smooth_field(mask.shape, rng, (2, 4)) - 0.5) * rng.uniform(0, 0.3)
    ground = np.asarray(ground, np.float32) * shade[..., None]
    image = ground + (np.asarray(ink, np.float32) - ground) * mask[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


def _with_unit(rng: np.random.Generator, image: np.ndarray, unit: str, split: str) -> np.ndarray:
    """The unit printed after the number, smaller, in the display's colours."""
    face = ImageFont.truetype(_font(rng, split), max(10, int(image.shape[0] * rng.uniform(0.25, 0.45))))
    mask = _pad(_text_mask(unit, face), 0.2)
    ground = image[:, -2:].reshape(-1, 3).mean(0)
    ink = np.where(ground > 127, 20.0, 235.0)
    label = _compose(mask, ground, ink, rng)
    height = image.shape[0]
    if label.shape[0] > height:
        label = cv2.resize(label, (max(1, label.shape[1] * height // label.shape[0]), height))
    canvas = np.empty((height, label.shape[1], 3), np.uint8)
    canvas[:] = ground.astype(np.uint8)
    top = int(rng.uniform(0.2, 1.0) * (height - label.shape[0]))
    canvas[top : top + label.shape[0]] = label
    return np.concatenate([image, canvas], axis=1)


def _photograph(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    """Set in a scene and photographed: a margin of surroundings, tilt, perspective, light, blur, noise."""
    h, w = image.shape[:2]
    m = int(h * rng.uniform(0.05, 0.35))
    scene = rng.uniform(0, 255, 3) * (1 + (degrade.smooth_field((h + 2 * m, w + 2 * m), rng, (3, 5))[..., None] - 0.5))
    scene[m : m + h, m : m + w] = image
    out = np.clip(scene, 0, 255).astype(np.uint8)
    channels = [out[..., i] for i in range(3)]
    seed = int(rng.integers(1 << 31))
    transforms = []
    if rng.random() < 0.6:
        transforms.append(lambda c, r: degrade.rotate(c, r, max_deg=6.0))
    if rng.random() < 0.5:
        transforms.append(lambda c, r: degrade.perspective(c, r, amount=0.06))
    for transform in transforms:  # the same geometry on every channel
        channels = [transform(c, np.random.default_rng(seed)) for c in channels]
        seed += 1
    out = np.stack(channels, axis=2)
    if rng.random() < 0.3:
        grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        factor = degrade.illumination(grey, rng).astype(np.float32) / np.maximum(grey.astype(np.float32), 1)
        out = np.clip(out * factor[..., None], 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.6) * max(1.0, h / 60))
    if rng.random() < 0.3:
        scale = rng.uniform(0.3, 0.7)
        small = cv2.resize(out, (max(4, int(out.shape[1] * scale)), max(4, int(out.shape[0] * scale))))
        out = cv2.resize(small, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        out = degrade.noise(out, rng, sigma=rng.uniform(2, 10))
    if rng.random() < 0.4:
        out = degrade.jpeg(out, rng, quality=int(rng.integers(25, 85)))
    return out
