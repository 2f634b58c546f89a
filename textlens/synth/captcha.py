"""Synthetic text CAPTCHAs in several styles, for training solvers and auditing schemes.

Styles (``STYLES``):

* ``pypi``: the PyPI ``captcha`` package's ``ImageCaptcha`` (rotated, warped glyphs, dots, an arc);
* ``lines``: glyphs crossed by random lines and arcs;
* ``dots``: glyphs in a field of dots and speckles;
* ``warp``: strongly rotated glyphs and a wavy warp of the whole image;
* ``color``: every glyph in its own colour and font on a tinted, gradient or transparent background;
* ``overlap``: glyphs squeezed so they touch and overlap;
* ``strike``: tight glyphs with a thick wavy line struck through them, then blurred;
* ``spaced``: small glyphs of one font far apart, each in its own (sometimes pale) colour, crossed
  by long thin lines.

Every style but ``pypi`` also draws most images with one decorative look for all their glyphs
(``GLYPH_EFFECTS``: outlined, bold, stencilled, pixelated, rough, striped, dotted, shadowed, wide or
narrow), so ordinary fonts stand in for the display fonts real schemes use.

``mixed`` picks a style per image. Every image is drawn from its own random generator
seeded by ``(seed, index)``, so a data set is reproducible and any image can be redrawn
alone. Output: ``img/000000.png`` ... and ``manifest.jsonl`` (``image``, ``text``, ``style``).
"""

from __future__ import annotations

import contextlib
import json
import random
import string
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from textlens.errors import TextlensError
from textlens.io.atomic import atomic_open, write_atomic

# Letters and digits without the pairs people confuse (0/O, 1/l/I): the usual CAPTCHA alphabet.
DEFAULT_ALPHABET = "".join(c for c in string.digits + string.ascii_letters if c not in "0O1lI")
Colour = tuple[int, ...]
Rng = np.random.Generator


@dataclass(frozen=True)
class CaptchaSynthConfig:
    """What ``synth_captchas`` renders; written beside the data as ``synth.json``."""

    count: int = 1000
    styles: tuple[str, ...] = ("mixed",)
    alphabet: str = DEFAULT_ALPHABET
    min_len: int = 4
    max_len: int = 6
    height: int = 60
    width: int | None = None  # None: fitted to the text (about 0.6 * height per character)
    fonts: tuple[str, ...] | None = None  # None: every usable font found on the system
    seed: int = 0

    def validate(self) -> None:
        unknown = [s for s in self.styles if s not in STYLES and s != "mixed"]
        if unknown or not self.styles:
            raise TextlensError(f"unknown captcha style(s) {unknown}: choose from {', '.join([*STYLES, 'mixed'])}")
        if self.count < 1:
            raise TextlensError(f"--count must be at least 1 (got {self.count})")
        if not 1 <= self.min_len <= self.max_len:
            raise TextlensError(f"need 1 <= --min-len <= --max-len (got {self.min_len}, {self.max_len})")
        if not self.alphabet or any(c.isspace() for c in self.alphabet):
            raise TextlensError("--alphabet must be non-empty and without spaces")
        if self.height < 16 or (self.width is not None and self.width < 16):
            raise TextlensError("captcha images must be at least 16 pixels high and wide")

    def style_pool(self) -> tuple[str, ...]:
        return tuple(STYLES) if "mixed" in self.styles else self.styles


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _fonts_for(alphabet: str, fonts: tuple[str, ...] | None) -> tuple[str, ...]:
    if fonts:
        return tuple(fonts)
    from textlens.synth.fonts import discover_fonts

    found = tuple(sorted(discover_fonts(alphabet)))  # sorted: the same choice on every run
    if not found:
        raise TextlensError(f"no installed font covers the alphabet {alphabet!r}; pass fonts explicitly")
    return found


def random_text(rng: np.random.Generator, alphabet: str, min_len: int, max_len: int) -> str:
    n = int(rng.integers(min_len, max_len + 1))
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), n))


def _dark(rng: np.random.Generator, hi: int = 110) -> Colour:
    return tuple(int(v) for v in rng.integers(0, hi, 3))


def _light(rng: np.random.Generator, lo: int = 200) -> Colour:
    return tuple(int(v) for v in rng.integers(lo, 256, 3))


def _vivid(rng: np.random.Generator) -> Colour:
    hue = int(rng.integers(0, 180))
    hsv = np.array([[[hue, int(rng.integers(150, 256)), int(rng.integers(60, 200))]]], np.uint8)
    return tuple(int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)[0, 0])


def _glyph(
    char: str, font: ImageFont.FreeTypeFont, colour: Colour, angle: float, effect: str = "plain", rng: Rng | None = None
) -> Image.Image:
    """One character on a transparent tile, drawn with ``effect``, rotated, cropped to its ink."""
    left, top, right, bottom = font.getbbox(char)
    pad = 4 + (bottom - top) // 6  # room for outlines and shadows
    mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(mask).text((pad - left, pad - top), char, font=font, fill=255)
    ink = np.asarray(mask)
    shadow = None
    if effect != "plain" and rng is not None:
        ink, shadow = decorate_glyph(ink, effect, rng)
    tile = _coloured(ink, colour)
    if shadow is not None:
        dx, dy = shadow
        under = _coloured(np.roll(ink, (dy, dx), axis=(0, 1)), tuple(int(c * 0.45) for c in colour[:3]))
        tile = Image.alpha_composite(under, tile)
    if angle:
        tile = tile.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    box = tile.getbbox()
    return tile.crop(box) if box else tile


def _coloured(ink: np.ndarray, colour: Colour) -> Image.Image:
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[:, :, :3] = colour[:3]
    rgba[:, :, 3] = ink
    return Image.fromarray(rgba, "RGBA")


# Decorative-font looks made from ordinary fonts: the shapes CAPTCHA schemes pick their fonts for
# (outlined, stencilled, pixelated, hatched, shadowed, stretched), none changing which character it is.
GLYPH_EFFECTS = ("outline", "bold", "stencil", "pixel", "rough", "striped", "dotted", "shadow", "wide", "narrow")


def _pick_effect(rng: Rng, plain: float = 0.4) -> str:
    """One look for a whole image (a scheme draws an image in one font)."""
    return "plain" if rng.random() < plain else GLYPH_EFFECTS[int(rng.integers(len(GLYPH_EFFECTS)))]


def decorate_glyph(ink: np.ndarray, effect: str, rng: Rng) -> tuple[np.ndarray, tuple[int, int] | None]:
    """``ink`` (0..255 glyph mask) redrawn with ``effect``; the second value is a shadow offset."""
    h, w = ink.shape
    size = max(h, 8)
    k = max(1, round(size / 28))
    solid = (ink > 127).astype(np.uint8)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    if effect == "outline":
        return (cv2.dilate(solid, disk) - solid) * 255, None
    if effect == "bold":
        return cv2.dilate(ink, disk), None
    if effect == "stencil":
        out = ink.copy()
        for _ in range(int(rng.integers(1, 3))):
            y = int(rng.uniform(0.3, 0.7) * h)
            out[y : y + max(1, size // 14)] = 0
        return out, None
    if effect == "pixel":
        cells = int(rng.integers(13, 19))  # over the padded tile: the glyph gets 8 to 12 rows
        f = max(size / cells, 1.0)
        small = cv2.resize(ink, (max(1, int(w / f)), max(1, int(h / f))), interpolation=cv2.INTER_AREA)
        blocks = np.where(small > max(30, 0.4 * int(small.max())), 255, 0).astype(np.uint8)  # thin strokes stay
        return cv2.resize(blocks, (w, h), interpolation=cv2.INTER_NEAREST), None
    if effect == "rough":
        noisy = cv2.GaussianBlur(ink, (0, 0), 0.8 * k).astype(np.float32) + rng.normal(0, 40, ink.shape)
        return cv2.medianBlur(np.where(noisy > 110, 255, 0).astype(np.uint8), 3), None
    if effect in ("striped", "dotted"):
        pitch = int(rng.integers(2, 4)) * k + 1
        ys, xs = np.mgrid[0:h, 0:w]
        keep = (ys % pitch) < max(1, pitch // 2 + 1)
        if effect == "dotted":
            keep &= (xs % pitch) < max(1, pitch // 2 + 1)
        thick = cv2.dilate(ink, disk)  # thin strokes would vanish between the stripes
        return np.where(keep, thick, 0).astype(np.uint8), None
    if effect == "shadow":
        return ink, (int(rng.integers(1, 3)) * k, int(rng.integers(1, 3)) * k)
    if effect in ("wide", "narrow"):
        scale = rng.uniform(1.3, 1.8) if effect == "wide" else rng.uniform(0.5, 0.75)
        return cv2.resize(ink, (max(1, int(w * scale)), h), interpolation=cv2.INTER_AREA), None
    raise ValueError(f"unknown glyph effect {effect!r}")


@dataclass
class _Layout:
    """How glyphs are drawn and placed for one image."""

    fonts: list[str]
    size: tuple[float, float]  # font size as a fraction of the image height
    angle: float  # max rotation in degrees
    spacing: tuple[float, float]  # gap between glyphs as a fraction of the glyph width
    jitter: float = 0.12  # vertical jitter as a fraction of the height
    colours: Callable[[np.random.Generator], Colour] = _dark
    effect: str = "plain"  # a GLYPH_EFFECTS look for every glyph


def _text_layer(text: str, rng: np.random.Generator, height: int, lay: _Layout) -> Image.Image:
    """The text as a transparent RGBA layer ``height`` pixels high, glyphs side by side."""
    glyphs = []
    for char in text:
        font = _font(lay.fonts[int(rng.integers(len(lay.fonts)))], max(8, int(height * rng.uniform(*lay.size))))
        angle = float(rng.uniform(-lay.angle, lay.angle))
        glyphs.append(_glyph(char, font, lay.colours(rng), angle, lay.effect, rng))
    gaps = [int(g.width * rng.uniform(*lay.spacing)) for g in glyphs[:-1]] + [0]
    width = max(sum(g.width + gap for g, gap in zip(glyphs, gaps, strict=True)), 1)
    layer_h = max(g.height for g in glyphs) + int(2 * lay.jitter * height)
    layer = Image.new("RGBA", (width + 2, layer_h), (0, 0, 0, 0))
    x = 1
    for g, gap in zip(glyphs, gaps, strict=True):
        room = layer_h - g.height
        y = int(np.clip(room / 2 + rng.normal(0, lay.jitter * height), 0, room))
        layer.alpha_composite(g, (x, y))
        x += g.width + gap
    return layer


def _background(rng: np.random.Generator, size: tuple[int, int], kind: str) -> Image.Image:
    w, h = size
    if kind == "transparent":
        return Image.new("RGBA", size, (255, 255, 255, 0))
    if kind == "gradient":
        a, b = np.array(_light(rng, 170), np.float32), np.array(_light(rng, 220), np.float32)
        t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
        if rng.random() < 0.5:
            t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        grad = np.broadcast_to(a + (b - a) * t, (h, w, 3))
        return Image.fromarray(np.ascontiguousarray(grad).astype(np.uint8), "RGB").convert("RGBA")
    return Image.new("RGBA", size, (*_light(rng), 255))


def _place(layer: Image.Image, canvas: Image.Image, rng: np.random.Generator) -> tuple[int, int, int, int]:
    """Paste ``layer`` into ``canvas`` (scaled down to fit); returns the text box."""
    cw, ch = canvas.size
    margin = max(2, ch // 12)
    scale = min(1.0, (cw - 2 * margin) / layer.width, (ch - 2 * margin) / layer.height)
    if scale < 1.0:
        layer = layer.resize((max(1, int(layer.width * scale)), max(1, int(layer.height * scale))), Image.LANCZOS)
    x = int(rng.integers(margin, max(margin, cw - margin - layer.width) + 1))
    y = int(rng.integers(margin, max(margin, ch - margin - layer.height) + 1))
    canvas.alpha_composite(layer, (x, y))
    return x, y, x + layer.width, y + layer.height


def _canvas_width(text: str, width: int | None, height: int) -> int:
    return width if width is not None else int(height * (0.6 * len(text) + 0.8))


def _lines(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: tuple[int, int], n: int, colour=None) -> None:
    w, h = size
    for _ in range(n):
        pts = [(float(rng.uniform(0, w)), float(rng.uniform(0, h))) for _ in range(2)]
        draw.line(pts, fill=colour or (*_dark(rng, 160), 255), width=int(rng.integers(1, 3)))


def _arcs(draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: tuple[int, int], n: int, colour=None) -> None:
    w, h = size
    for _ in range(n):
        x0, y0 = float(rng.uniform(-w / 4, w / 2)), float(rng.uniform(-h / 2, h / 2))
        box = [x0, y0, x0 + float(rng.uniform(w / 3, w)), y0 + float(rng.uniform(h / 2, 1.5 * h))]
        start = float(rng.uniform(0, 360))
        draw.arc(box, start, start + float(rng.uniform(60, 200)), fill=colour or (*_dark(rng, 160), 255), width=2)


def _wave(image: Image.Image, rng: np.random.Generator, amplitude: float) -> Image.Image:
    """Displace rows and columns along sine waves (a rubber-sheet warp)."""
    arr = np.asarray(image)
    h, w = arr.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    px, py = rng.uniform(0.6 * h, 2.0 * h, 2)
    fx, fy = rng.uniform(0, 2 * np.pi, 2)
    map_x = xs + amplitude * 0.5 * np.sin(2 * np.pi * ys / py + fy)
    map_y = ys + amplitude * np.sin(2 * np.pi * xs / px + fx)
    out = cv2.remap(
        arr, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Image.fromarray(out)


# --------------------------------------------------------------------------- styles


def _render_lines(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(
        fonts=[fonts[int(rng.integers(len(fonts)))]],
        size=(0.7, 0.95),
        angle=15,
        spacing=(-0.05, 0.15),
        effect=_pick_effect(rng),
    )
    canvas = _background(rng, (_canvas_width(text, width, height), height), "solid")
    colour = (*_dark(rng), 255)
    lay.colours = lambda _rng: colour
    _place(_text_layer(text, rng, height, lay), canvas, rng)
    draw = ImageDraw.Draw(canvas)
    _lines(draw, rng, canvas.size, int(rng.integers(3, 9)), colour if rng.random() < 0.5 else None)
    _arcs(draw, rng, canvas.size, int(rng.integers(1, 4)), colour if rng.random() < 0.5 else None)
    return canvas.convert("RGB")


def _render_dots(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(fonts=fonts, size=(0.65, 0.9), angle=12, spacing=(0.0, 0.25), effect=_pick_effect(rng))
    canvas = _background(rng, (_canvas_width(text, width, height), height), "solid")
    _place(_text_layer(text, rng, height, lay), canvas, rng)
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    for _ in range(int(w * h * rng.uniform(0.003, 0.012))):
        x, y, r = float(rng.uniform(0, w)), float(rng.uniform(0, h)), float(rng.uniform(0.5, 2.2))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(*_dark(rng, 200), 255))
    out = np.asarray(canvas.convert("RGB")).copy()
    salt = rng.random(out.shape[:2])
    out[salt < 0.01] = 255
    out[salt > 0.99] = 0
    return Image.fromarray(out)


def _render_warp(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(fonts=fonts, size=(0.7, 1.0), angle=35, spacing=(0.0, 0.2), jitter=0.15, effect=_pick_effect(rng))
    canvas = _background(rng, (_canvas_width(text, width, height), height), "gradient")
    _place(_text_layer(text, rng, height, lay), canvas, rng)
    _arcs(ImageDraw.Draw(canvas), rng, canvas.size, int(rng.integers(0, 3)))
    return _wave(canvas.convert("RGB"), rng, amplitude=float(rng.uniform(0.04, 0.1) * height))


def _render_color(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(
        fonts=fonts, size=(0.55, 0.95), angle=25, spacing=(0.1, 0.8), colours=_vivid, effect=_pick_effect(rng)
    )
    kind = ("solid", "gradient", "transparent")[int(rng.integers(3))]
    canvas = _background(rng, (_canvas_width(text, width, height), height), kind)
    _place(_text_layer(text, rng, height, lay), canvas, rng)
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(0, 5))):
        _lines(draw, rng, canvas.size, 1, (*_vivid(rng), 255))
    return canvas if kind == "transparent" else canvas.convert("RGB")


def _render_overlap(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(
        fonts=[fonts[int(rng.integers(len(fonts)))]],
        size=(0.75, 1.0),
        angle=20,
        spacing=(-0.35, -0.1),
        effect=_pick_effect(rng),
    )
    canvas = _background(rng, (_canvas_width(text, width, height), height), "solid")
    _place(_text_layer(text, rng, height, lay), canvas, rng)
    return canvas.convert("RGB").filter(ImageFilter.GaussianBlur(float(rng.uniform(0.0, 0.8))))


def _render_strike(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    lay = _Layout(
        fonts=[fonts[int(rng.integers(len(fonts)))]],
        size=(0.7, 0.9),
        angle=8,
        spacing=(-0.15, 0.05),
        effect=_pick_effect(rng),
    )
    canvas = _background(rng, (_canvas_width(text, width, height), height), "gradient")
    colour = (*_dark(rng, 80), 255)
    lay.colours = lambda _rng: colour
    x0, y0, x1, y1 = _place(_text_layer(text, rng, height, lay), canvas, rng)
    # A wavy stroke across the text, in the text's colour (so it cannot be filtered by colour).
    xs = np.linspace(x0 - 0.05 * (x1 - x0), x1 + 0.05 * (x1 - x0), 40)
    mid, amp = rng.uniform(y0 + 0.3 * (y1 - y0), y0 + 0.7 * (y1 - y0)), rng.uniform(0.03, 0.15) * height
    ys = mid + amp * np.sin(np.linspace(0, rng.uniform(1.0, 3.0) * np.pi, 40) + rng.uniform(0, np.pi))
    stroke = list(zip(xs.tolist(), ys.tolist(), strict=True))
    ImageDraw.Draw(canvas).line(stroke, fill=colour, width=int(rng.integers(2, 5)))
    return canvas.convert("RGB").filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))


def _pastel_or_vivid(rng: Rng) -> Colour:
    """Mostly vivid colours, a quarter of them washed out (pale glyphs hide from thresholding)."""
    colour = _vivid(rng)
    if rng.random() < 0.25:
        mix = float(rng.uniform(0.3, 0.7))
        colour = tuple(int(c + (255 - c) * mix) for c in colour)
    return colour


def _render_spaced(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    font = fonts[int(rng.integers(len(fonts)))]
    lay = _Layout(
        fonts=[font],
        size=(0.3, 0.6),
        angle=20,
        spacing=(0.4, 2.2),
        jitter=0.05,
        colours=_pastel_or_vivid,
        effect=_pick_effect(rng),
    )
    layer = _text_layer(text, rng, height, lay)
    room = int(rng.uniform(1.0, 1.5) * layer.width) + 2 * height // 6
    kind = "transparent" if rng.random() < 0.5 else "solid"
    canvas = _background(rng, (width or max(room, height), height), kind)
    _place(layer, canvas, rng)
    draw = ImageDraw.Draw(canvas)
    w, h = canvas.size
    for _ in range(int(rng.integers(0, 7))):
        # Long, nearly flat, thin dark strokes running across several glyphs.
        x0, x1 = sorted(rng.uniform(0, w, 2).tolist())
        x1 = max(x1, x0 + 0.3 * w)
        y0, y1 = rng.uniform(0, h, 2).tolist()
        draw.line([(x0, y0), (x1, y1)], fill=(*_dark(rng, 60), 255), width=1)
    return canvas if kind == "transparent" else canvas.convert("RGB")


class _SeededSecrets(random.Random):
    """Stands in for the ``secrets`` module (which cannot be seeded) inside ``captcha.image``."""

    def randbelow(self, n: int) -> int:
        return self.randrange(n)

    def randbits(self, k: int) -> int:
        return self.getrandbits(k)


@contextlib.contextmanager
def _seeded_captcha_module(seed: int) -> Iterator[None]:
    import captcha.image as module

    original = module.secrets
    module.secrets = _SeededSecrets(seed)  # type: ignore[assignment]
    try:
        yield
    finally:
        module.secrets = original


def _render_pypi(text: str, rng: Rng, fonts: list[str], width: int | None, height: int) -> Image.Image:
    try:
        from captcha.image import ImageCaptcha
    except ImportError:
        raise TextlensError("the 'pypi' style needs the captcha package: pip install 'textlens[train]'") from None
    chosen = [fonts[int(i)] for i in rng.choice(len(fonts), size=min(3, len(fonts)), replace=False)]
    sizes = tuple(int(height * f) for f in (0.7, 0.83, 0.93))
    generator = ImageCaptcha(width=_canvas_width(text, width, height), height=height, fonts=chosen, font_sizes=sizes)
    with _seeded_captcha_module(int(rng.integers(1 << 62))):
        return generator.generate_image(text).convert("RGB")


Renderer = Callable[[str, np.random.Generator, list[str], "int | None", int], Image.Image]
STYLES: dict[str, Renderer] = {
    "pypi": _render_pypi,
    "lines": _render_lines,
    "dots": _render_dots,
    "warp": _render_warp,
    "color": _render_color,
    "overlap": _render_overlap,
    "strike": _render_strike,
    "spaced": _render_spaced,
}


# --------------------------------------------------------------------------- public API


def render_captcha(
    text: str,
    style: str,
    rng: np.random.Generator,
    *,
    fonts: list[str] | tuple[str, ...] | None = None,
    width: int | None = None,
    height: int = 60,
) -> Image.Image:
    """One CAPTCHA image of ``text`` (RGB, or RGBA for transparent backgrounds)."""
    if style not in STYLES:
        raise TextlensError(f"unknown captcha style {style!r}: choose from {', '.join(STYLES)}")
    return STYLES[style](text, rng, list(_fonts_for(text, tuple(fonts) if fonts else None)), width, height)


def synth_captchas(config: CaptchaSynthConfig, out_dir: str | Path) -> Path:
    """Render ``config.count`` CAPTCHAs into ``out_dir``; returns the manifest path."""
    config.validate()
    out = Path(out_dir)
    (out / "img").mkdir(parents=True, exist_ok=True)
    fonts = list(_fonts_for(config.alphabet, config.fonts))
    pool = config.style_pool()
    manifest = out / "manifest.jsonl"
    with atomic_open(manifest) as handle:
        for i in range(config.count):
            rng = np.random.default_rng([config.seed, i])  # per image: reproducible, order-free
            style = pool[int(rng.integers(len(pool)))]
            text = random_text(rng, config.alphabet, config.min_len, config.max_len)
            image = STYLES[style](text, rng, fonts, config.width, config.height)
            name = f"img/{i:06d}.png"
            image.save(out / name)
            handle.write(json.dumps({"image": name, "text": text, "style": style}, ensure_ascii=False) + "\n")
    meta = {**asdict(config), "fonts": fonts if config.fonts else "system", "count": config.count}
    write_atomic(out / "synth.json", json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    return manifest
