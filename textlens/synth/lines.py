"""Synthetic text-line images for training the recognizer: ``LineSynthesizer().sample(rng)``.

A line of text (``corpus``) is drawn with a random font family and style at about twice the
output height (receipt-like text mostly in monospace, sometimes as a dot-matrix or blocky
bitmap printer font), cropped the way real line crops are (tight as in scanned-line sets,
detector-like, or loose and off-centre with fragments of the neighbouring lines), given ink
effects (thermal fading, bleed/erosion, under/strike-through lines), composed onto paper,
resized to the output height and degraded (``degrade``: blur, noise, JPEG, low resolution,
binarisation, illumination, shadows).

The synthesizer holds only its config and font paths, so it pickles cheaply into DataLoader
workers; fonts and word lists are loaded lazily and cached per process. Output is
deterministic given the numpy ``rng`` (and the installed fonts).
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.recognition.charset import DEFAULT_CHARS, RTL_SCRIPTS, normalize_text
from textlens.synth import degrade
from textlens.synth.corpus import sample_source
from textlens.synth.fonts import PRINTABLE_ASCII, FontInfo, discover_fonts, draws, font_info, opentype_features

# Shares of the lines (not receipts) whose font has the feature that are drawn with it: old-style
# figures where the line has a digit, small capitals where it mixes capitals and lower case.
P_OLD_STYLE_FIGURES = 0.3
P_SMALL_CAPS = 0.08

# Sources whose text is typically printed by receipt/invoice printers in monospace fonts.
_RECEIPT_SOURCES = frozenset({"receipt", "short", "address", "price", "code", "numbers", "date", "separator"})


@dataclass
class LineSynthConfig:
    """What lines look like. Probabilities are per line; ``degrade`` scales the degradations."""

    height: int = 32
    max_chars: int = 48
    charset: str = DEFAULT_CHARS
    render_scale: tuple[float, float] = (1.3, 2.1)  # render line-box height / output height
    source_weights: dict[str, float] | None = None  # corpus.SOURCES weight overrides
    script: str = "latin"  # script group (SCRIPT_CHARS): which fonts can draw it
    # "all" font families, or a fixed split of them: "train" (7 in 8) for training, "test" (the rest)
    # for test lines in fonts a model never saw (family names hashed: the same split on every machine)
    font_split: str = "all"
    # characters new to a model (``train recognizer --extend-charset``) that the corpus never writes:
    # this share of lines gets one of them, drawn in the fonts that have it, where any does
    extra_chars: str = ""
    p_extra: float = 0.3
    degrade: float = 1.0
    # Narrow lines are stretched to this many output pixels per character: a stride-4 CTC
    # model needs >= 2 frames per label (the trainer drops narrower lines). 0 disables.
    min_char_width: float = 8.0
    # crop
    p_tight: float = 0.3  # ink fills the whole height (uw3-style)
    p_loose: float = 0.25  # big, uneven margins
    p_neighbours: float = 0.35  # fragments of the lines above/below (when margins allow)
    p_cut_side: float = 0.05  # first/last glyph partly cut off
    # style
    p_mono_receipt: float = 0.65  # receipt-like text in a monospace font
    p_mono: float = 0.12  # any other text in a monospace font
    p_italic: float = 0.15  # italic style when the family has one (x0.2 for receipt text)
    p_dot_matrix: float = 0.15  # receipt text printed as dots (x0.15 for other text)
    p_bitmap: float = 0.12  # receipt text in a blocky bitmap printer font (x0.15 for other text)
    p_char_spacing: float = 0.12
    p_stretch: float = 0.35  # horizontal scale 0.7-1.3
    p_low_contrast: float = 0.1
    p_invert: float = 0.03
    p_texture: float = 0.3
    # geometry
    p_rotate: float = 0.3
    max_rotate_deg: float = 3.0
    p_shear: float = 0.08
    p_perspective: float = 0.1
    # ink
    p_thermal: float = 0.12
    p_ink_morph: float = 0.15
    p_underline: float = 0.03
    p_strike: float = 0.01
    # image
    p_illumination: float = 0.15
    p_shadow: float = 0.04
    p_low_res: float = 0.15
    p_blur: float = 0.3
    p_motion_blur: float = 0.05
    p_binarize: float = 0.08
    p_print_scan: float = 0.1  # a bilevel scan of the print-out, made at render resolution
    p_noise: float = 0.35
    p_speckle: float = 0.05
    p_jpeg: float = 0.2

    def __post_init__(self) -> None:
        if self.height < 8:
            raise TextlensError(f"line height {self.height} is too small; use 8 or more")
        if self.max_chars < 1:
            raise TextlensError("max_chars must be at least 1")
        if not self.charset.strip():
            raise TextlensError("charset has no printable characters")


@dataclass
class _Canvas:
    """Ink mask of the drawn line(s) and where the main line sits, in render pixels."""

    mask: np.ndarray
    x0: float
    baseline: float
    ascent: float
    descent: float
    text_w: float
    size: float  # font size in render pixels
    neighbours: bool = False  # lines drawn above/below the main one


@lru_cache(maxsize=1024)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def with_symbol(rng: np.random.Generator, text: str, symbol: str) -> str:
    """``text`` with ``symbol`` put where signs go: before or after a number (a currency, a unit),
    or as a word of its own; attached to its neighbour or spaced."""
    words = text.split()
    numbers = [i for i, w in enumerate(words) if any(c.isdigit() for c in w)]
    space = " " if rng.random() < 0.4 else ""
    if numbers and rng.random() < 0.7:
        i = numbers[int(rng.integers(len(numbers)))]
        words[i] = f"{symbol}{space}{words[i]}" if rng.random() < 0.6 else f"{words[i]}{space}{symbol}"
    else:
        words.insert(int(rng.integers(len(words) + 1)), symbol)
    return " ".join(words)


def _fit_to_font(text: str, info: FontInfo, charset: str) -> str:
    """Replace characters the font lacks by their base letter (é -> e), else drop them."""
    if all(c in info.chars or c == " " for c in text):
        return text
    out = []
    for c in text:
        if c in info.chars or c == " ":
            out.append(c)
            continue
        base = unicodedata.normalize("NFKD", c)[:1]
        if base and base in info.chars and base in charset:
            out.append(base)
    return normalize_text("".join(out))


# Letters a font must have to draw a script group's lines (fonts of the other groups must cover ASCII).
SCRIPT_FONT_PROBE = {"arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهويةءأإآؤئى،0123456789"}
# Sources whose lines are (partly) in another script, and letters a font must have to draw them.
_POLYTONIC = "αβγδεζηθικλμνξοπρςστυφχψωΑΩἀἁἐὶὸῶᾳῷ"
_SOURCE_LETTERS = {
    "greek": _POLYTONIC,
    "commentary": _POLYTONIC,
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяЖЩЯёіїєґ",
}


def held_out_family(family: str) -> bool:
    """Whether a font family belongs to the test split (one in eight, by a hash of its name)."""
    return zlib.crc32(family.lower().encode("utf-8")) % 8 == 0


class LineSynthesizer:
    """Random realistic text lines: ``sample(rng) -> (grey uint8 image of config.height, text)``."""

    def __init__(self, config: LineSynthConfig | None = None, fonts: list[str] | None = None) -> None:
        self.config = config or LineSynthConfig()
        probe = SCRIPT_FONT_PROBE.get(self.config.script, PRINTABLE_ASCII)
        self.fonts = list(fonts) if fonts is not None else discover_fonts(probe)
        if not self.fonts:
            raise TextlensError("no usable fonts found; run scripts/install-fonts.sh or install matplotlib")
        self._families: tuple[list[list[str]], list[list[str]]] | None = None  # lazily, per process
        self._script_families: dict[str, list[list[str]]] = {}
        self._symbol_families: dict[str, list[list[str]]] = {}  # per extra character: styles that draw it

    def __getstate__(self) -> dict:
        return {
            "config": self.config,
            "fonts": self.fonts,
            "_families": None,
            "_script_families": {},
            "_symbol_families": {},
        }

    # -- public ----------------------------------------------------------------------------

    def sample(self, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        cfg = self.config
        if cfg.extra_chars and rng.random() < cfg.p_extra:
            drawn = self._sample_extra(rng)
            if drawn is not None:
                return drawn
        for _ in range(10):
            source, text = sample_source(rng, cfg.max_chars, cfg.charset, cfg.source_weights)
            path = self._pick_font(rng, source)
            text = _fit_to_font(text, font_info(path), cfg.charset)
            if text:
                return self._render(rng, text, path, source), text
        raise TextlensError("could not render a line: the fonts do not cover the charset")

    def render_text(self, rng: np.random.Generator, text: str, path: str) -> np.ndarray:
        """``text`` drawn in the font file ``path`` with this synthesizer's crops and degradations."""
        return self._render(rng, text, path, "words")

    def sample_in(self, rng: np.random.Generator, path: str) -> tuple[np.ndarray, str]:
        """A random line drawn in the font file ``path`` (font identification's samples)."""
        cfg = self.config
        info = font_info(path)
        for _ in range(10):
            source, text = sample_source(rng, cfg.max_chars, cfg.charset, cfg.source_weights)
            if any(c.isalpha() for c in text) and not any(c.islower() for c in info.chars):
                text = text.upper()  # caps-only and segment faces
            text = _fit_to_font(text, info, cfg.charset)
            if text.strip():
                return self._render(rng, text, path, source), text
        raise TextlensError(f"{path}: could not draw a line in this font")

    # -- internals -------------------------------------------------------------------------

    def _sample_extra(self, rng: np.random.Generator) -> tuple[np.ndarray, str] | None:
        """A line holding one of ``extra_chars`` in a font that draws it (None: no font does)."""
        cfg = self.config
        symbol = cfg.extra_chars[int(rng.integers(len(cfg.extra_chars)))]
        families = self._families_drawing(symbol)
        if not families:
            return None
        styles = families[int(rng.integers(len(families)))]
        path = styles[int(rng.integers(len(styles)))]
        source, text = sample_source(rng, cfg.max_chars - 2, cfg.charset, cfg.source_weights)
        text = with_symbol(rng, _fit_to_font(text, font_info(path), cfg.charset), symbol)
        return self._render(rng, text, path, source), text

    def _font_families(self) -> tuple[list[list[str]], list[list[str]]]:
        """(all families, monospace families), each a list of style paths."""
        if self._families is None:
            groups: dict[str, list[str]] = {}
            for p in self.fonts:
                groups.setdefault(font_info(p).family or p, []).append(p)
            split = self.config.font_split
            fams = [groups[k] for k in sorted(groups) if split == "all" or (split == "test") == held_out_family(k)]
            if not fams:
                raise TextlensError(f"no font family of the {split!r} split can draw these lines")
            mono = [f for f in fams if font_info(f[0]).mono]
            self._families = (fams, mono)
        return self._families

    def _families_drawing(self, symbol: str) -> list[list[str]]:
        """Each family's styles whose character map has ``symbol`` (families without one left out)."""
        if symbol not in self._symbol_families:
            drawing = ([p for p in styles if draws(p, symbol)] for styles in self._font_families()[0])
            self._symbol_families[symbol] = [styles for styles in drawing if styles]
        return self._symbol_families[symbol]

    def _families_with(self, letters: str) -> list[list[str]]:
        """The families whose regular style has every one of ``letters``."""
        if letters not in self._script_families:
            need = set(letters)
            self._script_families[letters] = [f for f in self._font_families()[0] if need <= font_info(f[0]).chars]
        return self._script_families[letters]

    def _pick_font(self, rng: np.random.Generator, source: str) -> str:
        # Family first, then style: otherwise Noto's 64 styles per family would dominate.
        cfg = self.config
        fams, mono = self._font_families()
        receipt = source in _RECEIPT_SOURCES
        pool = mono if mono and rng.random() < (cfg.p_mono_receipt if receipt else cfg.p_mono) else fams
        if source in _SOURCE_LETTERS:
            # a Latin-only font would drop every Greek or Cyrillic letter of the line
            pool = self._families_with(_SOURCE_LETTERS[source]) or pool
        styles = pool[int(rng.integers(0, len(pool)))]
        # Upright by default: half the styles are italic, but little real text is.
        want_italic = rng.random() < cfg.p_italic * (0.2 if receipt else 1.0)
        chosen = [p for p in styles if font_info(p).italic == want_italic] or styles
        return chosen[int(rng.integers(0, len(chosen)))]

    def _p(self, rng: np.random.Generator, p: float) -> bool:
        return bool(rng.random() < p * self.config.degrade)

    def _render(self, rng: np.random.Generator, text: str, path: str, source: str) -> np.ndarray:
        cfg = self.config
        receipt = source in _RECEIPT_SOURCES
        render_h = cfg.height * rng.uniform(*cfg.render_scale)
        size = max(8, 4 * round(render_h * 0.2))  # ~0.8 x line height, in steps of 4 (font cache)
        r = rng.random()
        mode = "tight" if r < cfg.p_tight else "loose" if r < cfg.p_tight + cfg.p_loose else "normal"

        canvas = self._draw(rng, text, path, size, mode, receipt)
        box = self._reference_box(rng, canvas, mode)
        mask, box = self._warp(rng, canvas, box, mode)
        mask = self._crop(rng, mask, box, canvas.size, mode, canvas.neighbours)
        mask = self._ink_effects(rng, mask, font_info(path).weight)
        grey = self._compose(rng, mask)
        scanned = self._p(rng, cfg.p_print_scan)
        if scanned:  # before shrinking to the output height: a scan sees the print finer than that
            grey = degrade.print_scan(grey, rng)

        h, w = grey.shape
        stretch = rng.uniform(0.7, 1.3) if rng.random() < cfg.p_stretch else 1.0
        out_w = max(4, int(round(w * cfg.height / h * stretch)), math.ceil(cfg.min_char_width * len(text)))
        grey = cv2.resize(grey, (out_w, cfg.height), interpolation=cv2.INTER_AREA)
        return self._image_effects(rng, grey, scanned)

    def _draw(self, rng: np.random.Generator, text: str, path: str, size: int, mode: str, receipt: bool) -> _Canvas:
        """Draw the line (and maybe its neighbours one line pitch above/below) on a mask."""
        cfg = self.config
        # Printer looks: draw small without anti-aliasing, then each pixel becomes a dot or a block.
        scale = 1.0 if receipt else 0.15
        pixel = None
        r = rng.random()
        if r < cfg.p_dot_matrix * scale:
            pixel = "dots"
        elif r < (cfg.p_dot_matrix + cfg.p_bitmap) * scale:
            pixel = "blocks"
        factor = int(rng.integers(3, 6)) if pixel else 1
        draw_size = max(10, int(round(size / factor * rng.uniform(0.9, 1.3)))) if pixel else size
        font = _font(path, draw_size)
        ascent, descent = font.getmetrics()
        # Letter-spaced text is drawn glyph by glyph: keep it to short lines (receipt headers).
        # (never joined scripts: glyph by glyph, Arabic letters would lose their joining forms)
        spaced = len(text) <= 24 and rng.random() < cfg.p_char_spacing and cfg.script not in RTL_SCRIPTS
        spacing = draw_size * rng.uniform(0.05, 0.35) if spaced else 0.0
        # TeX, LaTeX, BibTeX... set as their logos (E lowered, A small and raised), as documents print them
        logos = not spacing and bool(TEX_LOGO.search(text)) and rng.random() < P_TEX_LOGO
        if logos:
            spacing = -1.0  # the glyph-by-glyph layout of _placements
        features = None if spacing or pixel else self._features(rng, text, path, receipt)
        text_w = _text_width(font, text, spacing, features)
        pitch = draw_size * rng.uniform(1.05, 1.5)
        safe = int(draw_size * 0.8 + 4)
        base_y = int(safe + pitch) if mode != "tight" else safe + ascent
        width = int(text_w + 2 * safe)
        height = int(base_y + (pitch if mode != "tight" else descent) + safe)
        img = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(img)
        if pixel:
            draw.fontmode = "1"
        _draw_text(draw, (safe, base_y), text, font, spacing, features)
        neighbours = mode != "tight" and rng.random() < cfg.p_neighbours
        if neighbours:
            for sign in (-1, 1):
                if rng.random() < 0.6:
                    # Only the part over the crop is ever seen: render about that much.
                    other = sample_source(rng, len(text) + 4, cfg.charset, cfg.source_weights)[1]
                    other = _fit_to_font(other, font_info(path), cfg.charset)
                    dx = rng.uniform(-0.3, 0.3) * text_w
                    _draw_text(draw, (safe + dx, base_y + sign * pitch), other, font, 0.0)
        mask = np.asarray(img, dtype=np.float32) * np.float32(1.0 / 255.0)
        if pixel:
            mask = _pixels_to_print(mask, factor, pixel, rng)
        f = float(factor)
        return _Canvas(mask, safe * f, base_y * f, ascent * f, descent * f, text_w * f, draw_size * f, neighbours)

    def _features(self, rng: np.random.Generator, text: str, path: str, receipt: bool) -> list[str] | None:
        """OpenType looks of typeset books and papers, where the font has them: old-style figures
        (1986 with a descending 9, read "1g86" by a model that never saw them) and small capitals
        for the lower-case letters of a line that also has capitals (its label keeps the case)."""
        if receipt:
            return None
        available = opentype_features(path)
        chosen = []
        if "onum" in available and any(c.isdigit() for c in text) and rng.random() < P_OLD_STYLE_FIGURES:
            chosen.append("onum")
        if (
            "smcp" in available
            and any(c.isupper() for c in text)
            and any(c.islower() for c in text)
            and rng.random() < P_SMALL_CAPS
        ):
            chosen.append("smcp")
        return chosen or None

    def _reference_box(self, rng: np.random.Generator, c: _Canvas, mode: str) -> np.ndarray:
        """The main line's box: its ink (tight) or the font's line box, as a detector draws it."""
        if mode == "tight":
            left, top, right, bottom = _ink_box(
                c.mask, c.x0, c.baseline - c.ascent, c.x0 + c.text_w, c.baseline + c.descent
            )
        else:
            top = c.baseline - c.ascent * rng.uniform(0.85, 1.0)
            bottom = c.baseline + c.descent * rng.uniform(0.7, 1.0)
            left, right = c.x0, c.x0 + c.text_w
        return np.float32([[left, top], [right, top], [right, bottom], [left, bottom]])

    def _warp(self, rng: np.random.Generator, c: _Canvas, box: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
        """Rotate/shear/perspective about the line centre; the box follows the transform."""
        m = self._warp_matrix(rng, box, c.text_w)
        if m is None:
            return c.mask, box
        h, w = c.mask.shape
        mask = cv2.warpPerspective(c.mask, m, (w, h), flags=cv2.INTER_LINEAR)
        box = cv2.perspectiveTransform(box[None], m)[0]
        if mode == "tight":
            (x0, y0), (x1, y1) = box.min(0), box.max(0)
            left, top, right, bottom = _ink_box(mask, x0, y0, x1, y1)
            box = np.float32([[left, top], [right, bottom]])
        return mask, box

    def _crop(
        self, rng: np.random.Generator, mask: np.ndarray, box: np.ndarray, size: float, mode: str, neighbours: bool
    ) -> np.ndarray:
        """Cut the line out with margins drawn from the crop style (render pixels)."""
        if mode == "tight":
            m_top, m_bot = rng.uniform(0, 0.05, 2) * size
            m_left, m_right = rng.uniform(0, 0.15, 2) * size
        elif mode == "loose":
            m_top, m_bot = rng.uniform(0.1, 0.5, 2) * size
            m_left, m_right = rng.uniform(0.05, 1.0, 2) * size
        else:
            m_top, m_bot = rng.uniform(0.0, 0.2, 2) * size
            m_left, m_right = rng.uniform(0.0, 0.4, 2) * size
        if neighbours:  # show fragments of the other lines, never whole lines
            m_top, m_bot = min(m_top, 0.25 * size), min(m_bot, 0.25 * size)
        (bx0, by0), (bx1, by1) = box.min(0), box.max(0)
        if rng.random() < self.config.p_cut_side:
            cut = rng.uniform(0.1, 0.4) * size
            bx0, bx1 = (bx0 + cut, bx1) if rng.random() < 0.5 else (bx0, bx1 - cut)
        y0, y1 = int(round(by0 - m_top)), int(round(by1 + m_bot))
        x0, x1 = int(round(bx0 - m_left)), int(round(bx1 + m_right))
        return _crop(mask, x0, y0, x1, y1)

    def _warp_matrix(self, rng: np.random.Generator, box: np.ndarray, text_w: float) -> np.ndarray | None:
        cfg = self.config
        h = float(box[:, 1].max() - box[:, 1].min())
        cx, cy = box.mean(0)
        m = np.eye(3, dtype=np.float64)
        changed = False
        if self._p(rng, cfg.p_rotate):
            # Long lines are deskewed/rectified in real crops: limit the drift to ~30% of height.
            limit = min(cfg.max_rotate_deg, math.degrees(math.atan(0.3 * h / max(text_w, 1))))
            a = math.radians(rng.uniform(-limit, limit))
            m = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]]) @ m
            changed = True
        if self._p(rng, cfg.p_shear):
            m = np.array([[1, rng.uniform(-0.3, 0.3), 0], [0, 1, 0], [0, 0, 1]]) @ m
            changed = True
        if self._p(rng, cfg.p_perspective):
            # Corners jitter in units of the half box size, x less for long lines.
            sx, sy = max(text_w / 2, 1.0), max(h / 2, 1.0)
            src = np.float32([[-1, -1], [1, -1], [1, 1], [-1, 1]])
            jit = rng.uniform(-0.06, 0.06, (4, 2)) * np.array([min(1.0, 4 * h / max(text_w, 1)), 1.0])
            p = cv2.getPerspectiveTransform(src, (src + jit).astype(np.float32)).astype(np.float64)
            scale = np.diag([1 / sx, 1 / sy, 1.0])
            m = np.linalg.inv(scale) @ p @ scale @ m
            changed = True
        if not changed:
            return None
        to_c = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
        back = np.array([[1, 0, cx], [0, 1, cy], [0, 0, 1]])
        return back @ m @ to_c

    def _ink_effects(self, rng: np.random.Generator, mask: np.ndarray, weight: int) -> np.ndarray:
        cfg = self.config
        if mask.size == 0:
            return mask
        before = mask
        if self._p(rng, cfg.p_ink_morph):
            # Bleed up to ~1 output pixel (bold faces never: they would blot); erosion by
            # 1 render pixel only, or small marks such as the dot of an i disappear.
            bleed = weight < 600 and rng.random() < 0.5
            radius = int(rng.integers(1, max(2, mask.shape[0] // 40) + 1)) if bleed else 1
            mask = degrade.ink_morph(mask, rng, radius=radius, bleed=bleed)
        if self._p(rng, cfg.p_underline) or self._p(rng, cfg.p_strike):
            mask = degrade.rule_line(mask, rng, y=int(mask.shape[0] * rng.uniform(0.45, 0.95)))
        if self._p(rng, cfg.p_thermal):
            mask = degrade.thermal_fade(mask, rng)
        # Never let the effects erase the text the label promises.
        if float(mask.sum()) < 0.3 * float(before.sum()):
            return before
        return mask

    def _compose(self, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
        """Ink on paper: grey levels, paper texture, rare light-on-dark."""
        cfg = self.config
        bg = rng.uniform(205, 255) if rng.random() < 0.85 else rng.uniform(120, 215)
        fg = rng.uniform(0, 70) if rng.random() < 0.8 else rng.uniform(40, 130)
        if self._p(rng, cfg.p_low_contrast):
            fg = bg - rng.uniform(40, 90)
        fg = min(fg, bg - 35)
        if rng.random() < cfg.p_invert:
            bg, fg = 255 - bg, 255 - fg
        texture = rng.uniform(3, 20) if self._p(rng, cfg.p_texture) else 0.0
        paper = degrade.paper(mask.shape, rng, bg, texture)
        return np.clip(paper + (fg - paper) * mask, 0, 255).astype(np.uint8)

    def _image_effects(self, rng: np.random.Generator, img: np.ndarray, scanned: bool = False) -> np.ndarray:
        cfg = self.config
        # Binarise first: thresholding after a shadow would turn the shadow into a black blob.
        binary = scanned or self._p(rng, cfg.p_binarize)
        if binary:
            img = img if scanned else degrade.binarize(img, rng)
        else:
            if self._p(rng, cfg.p_illumination):
                img = degrade.illumination(img, rng)
            if self._p(rng, cfg.p_shadow):
                img = degrade.shadow(img, rng)
        if self._p(rng, cfg.p_low_res):
            img = degrade.low_resolution(img, rng, factor=rng.uniform(0.45, 0.8))
        if self._p(rng, cfg.p_blur):
            img = degrade.gaussian_blur(img, rng, sigma=rng.uniform(0.3, 1.0 if binary else 1.1))
        if self._p(rng, cfg.p_motion_blur):
            img = degrade.motion_blur(img, rng, length=int(rng.integers(2, 4)))
        if self._p(rng, cfg.p_noise):
            img = degrade.noise(img, rng, sigma=rng.uniform(2, 12))
        if self._p(rng, cfg.p_speckle):
            img = degrade.speckle(img, rng, amount=rng.uniform(0.001, 0.01))
        if self._p(rng, cfg.p_jpeg):
            img = degrade.jpeg(img, rng, quality=int(rng.integers(20, 80)))
        return img


def _text_width(font: ImageFont.FreeTypeFont, text: str, spacing: float, features: list[str] | None = None) -> float:
    """Advance width of the line; ``spacing`` < 0: TeX-family names set as logos."""
    if spacing < 0:
        return _placements(font, text)[1]
    if not spacing:
        return float(font.getlength(text, features=features))
    return float(sum(_advance(font, c) for c in text) + spacing * (len(text) - 1))


def _draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font,
    spacing: float,
    features: list[str] | None = None,
) -> None:
    x, y = xy
    if spacing < 0:
        for dx, dy, run, run_font in _placements(font, text)[0]:
            draw.text((x + dx, y + dy), run, fill=255, font=run_font, anchor="ls")
        return
    if not spacing:
        draw.text((x, y), text, fill=255, font=font, anchor="ls", features=features)
        return
    for c in text:  # letter-spaced (receipt headers): one glyph at a time
        if c != " ":
            draw.text((x, y), c, fill=255, font=font, anchor="ls")
        x += _advance(font, c) + spacing


# TeX-family names as LaTeX sets them: T, E lowered half an ex and pulled in, X pulled in (TeX), after
# an L with a small A raised to the cap height (LaTeX).
TEX_LOGO = re.compile(r"(La)?TeX")
P_TEX_LOGO = 0.8  # share of lines with such a name that draw the logo (else plain letters)


def _placements(font: ImageFont.FreeTypeFont, text: str) -> tuple[list[tuple[float, float, str, object]], float]:
    """(x, baseline shift, text, font) runs of ``text`` with its TeX-family names as logos, and the width."""
    em = float(font.size)
    cap = -float(font.getbbox("T", anchor="ls")[1])
    ex = -float(font.getbbox("x", anchor="ls")[1])
    small = _font(font.path, max(6, int(round(0.75 * font.size))))
    runs: list[tuple[float, float, str, object]] = []
    x, done = 0.0, 0
    for match in TEX_LOGO.finditer(text):
        plain = text[done : match.start()]
        runs.append((x, 0.0, plain, font))
        x += float(font.getlength(plain))
        if match.group(1):  # La: L, then a small A raised so its top meets the T's
            runs.append((x, 0.0, "L", font))
            x += _advance(font, "L") - 0.36 * em
            runs.append((x, -0.25 * cap, "A", small))
            x += float(small.getlength("A")) - 0.15 * em
        runs.append((x, 0.0, "T", font))
        x += _advance(font, "T") - 0.1667 * em
        runs.append((x, 0.5 * ex, "E", font))
        x += _advance(font, "E") - 0.125 * em
        runs.append((x, 0.0, "X", font))
        x += _advance(font, "X")
        done = match.end()
    runs.append((x, 0.0, text[done:], font))
    x += float(font.getlength(text[done:]))
    return [r for r in runs if r[2]], x


@lru_cache(maxsize=65536)
def _advance(font: ImageFont.FreeTypeFont, char: str) -> float:
    return float(font.getlength(char))


@lru_cache(maxsize=64)
def _dot_stamp(factor: int, diameter_pct: int) -> np.ndarray:
    """A ``factor`` x ``factor`` cell holding one round printer dot."""
    yy, xx = np.mgrid[0:factor, 0:factor].astype(np.float32) + 0.5
    r = factor * diameter_pct / 200.0
    c = factor / 2.0
    return (((yy - c) ** 2 + (xx - c) ** 2) <= r * r + 0.25).astype(np.float32)


def _pixels_to_print(mask: np.ndarray, factor: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """Blow a non-anti-aliased glyph bitmap up by ``factor``: each pixel a dot or a block."""
    on = (mask > 0.5).astype(np.float32)
    if kind == "dots":
        stamp = _dot_stamp(factor, int(rng.integers(70, 115)))
        out = np.kron(on, stamp)
    else:
        out = cv2.resize(on, (on.shape[1] * factor, on.shape[0] * factor), interpolation=cv2.INTER_NEAREST)
    return cv2.GaussianBlur(out, (0, 0), factor * rng.uniform(0.1, 0.3))


def _ink_box(mask: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """Ink bounding box inside the region (x0, y0)-(x1, y1), or the region when it holds no ink."""
    h, w = mask.shape
    xi0, yi0 = max(0, int(x0) - 2), max(0, int(y0) - 2)
    xi1, yi1 = min(w, int(math.ceil(x1)) + 2), min(h, int(math.ceil(y1)) + 2)
    region = mask[yi0:yi1, xi0:xi1] > 0.25
    rows, cols = np.flatnonzero(region.any(1)), np.flatnonzero(region.any(0))
    if rows.size == 0:
        return float(x0), float(y0), float(x1), float(y1)
    return float(xi0 + cols[0]), float(yi0 + rows[0]), float(xi0 + cols[-1] + 1), float(yi0 + rows[-1] + 1)


def _crop(mask: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Crop with zero padding where the box leaves the canvas; at least 2x2."""
    h, w = mask.shape
    x1, y1 = max(x1, x0 + 2), max(y1, y0 + 2)
    out = np.zeros((y1 - y0, x1 - x0), np.float32)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = mask[sy0:sy1, sx0:sx1]
    return out
