"""Synthetic document pages with line-level quads, for training the text detector.

``render_page(rng)`` draws one page in a random style -- a ``document`` (headings,
paragraphs, one to three columns), a ``receipt`` (narrow, monospace, mostly upper case,
amounts right-aligned as separate segments, as SROIE labels them), a ``form`` (labels,
values, boxes and rules) or a ``table`` (ruled grid, one region per cell) -- then
photographs it: small rotation, perspective, a background around the paper, a shadow,
blur, noise and JPEG. It returns the RGB image and one quad per text segment, in the
image's pixel coordinates, clockwise from the top-left (``textlens.document`` convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.synth import corpus

STYLES = ("document", "receipt", "form", "table")
STYLE_WEIGHTS = (0.35, 0.3, 0.2, 0.15)


@dataclass
class SynthPage:
    """An RGB uint8 page and its text segments (``quads[i]`` is (4, 2) float32, ``texts[i]``)."""

    image: np.ndarray
    quads: list[np.ndarray] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    style: str = ""


@lru_cache(maxsize=1)
def _font_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(all fonts, monospace fonts) covering printable ASCII."""
    from textlens.synth.fonts import font_infos

    infos = font_infos()
    fonts = tuple(i.path for i in infos)
    mono = tuple(i.path for i in infos if i.mono) or fonts
    return fonts, mono


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(0, len(seq)))]


class _Canvas:
    """A paper sheet being drawn on; remembers the box of every text segment."""

    def __init__(self, width: int, height: int, rng: np.random.Generator) -> None:
        tone = int(rng.integers(215, 256))
        tint = rng.integers(-12, 6, 3) if rng.random() < 0.4 else np.zeros(3, int)
        color = tuple(int(np.clip(tone + t, 0, 255)) for t in tint)
        self.image = Image.new("RGB", (width, height), color)
        self.draw = ImageDraw.Draw(self.image)
        self.quads: list[np.ndarray] = []
        self.texts: list[str] = []
        self.ink = self._ink(rng)
        self.rng = rng

    @staticmethod
    def _ink(rng: np.random.Generator) -> tuple[int, int, int]:
        if rng.random() < 0.15:  # blue/red/grey inks and faded print
            return _pick(rng, [(20, 40, 140), (150, 20, 20), (90, 90, 90), (60, 60, 60)])
        v = int(rng.integers(0, 70))
        return (v, v, v)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    def text(self, x: float, y: float, text: str, font: ImageFont.FreeTypeFont, ink=None) -> tuple[float, float]:
        """Draw ``text`` with its top-left at (x, y); record its box; return (width, line height)."""
        text = text.strip()
        if not text:
            return 0.0, 0.0
        x0, y0, x1, y1 = self.draw.textbbox((x, y), text, font=font)
        if x1 <= x0 or y1 <= y0:
            return 0.0, 0.0
        self.draw.text((x, y), text, font=font, fill=ink or self.ink)
        pad = max(1.0, 0.08 * (y1 - y0))
        self.quads.append(
            np.array(
                [[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]], np.float32
            )
        )
        self.texts.append(text)
        ascent, descent = font.getmetrics()
        return float(x1 - x), float(ascent + descent)


def _fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """Drop words from the end until ``text`` fits in ``width`` pixels."""
    while text and font.getlength(text) > width:
        cut = text.rfind(" ")
        text = text[:cut] if cut > 0 else ""
    return text


def _document(rng: np.random.Generator) -> _Canvas:
    fonts, _ = _font_lists()
    w = int(rng.integers(600, 1300))
    h = int(w * rng.uniform(1.2, 1.5))
    c = _Canvas(w, h, rng)
    margin = int(w * rng.uniform(0.05, 0.12))
    cols = int(rng.choice([1, 1, 2, 2, 3]))
    gap = int(w * 0.04)
    col_w = (w - 2 * margin - (cols - 1) * gap) / cols
    body = _font(_pick(rng, fonts), int(rng.integers(10, 24) * w / 900 / (1 + 0.3 * (cols - 1))) + 6)
    head = _font(_pick(rng, fonts), int(body.size * rng.uniform(1.3, 2.4)))
    y = margin
    if rng.random() < 0.8:  # a title across the page
        _, lh = c.text(margin, y, _fit(corpus.words(rng), head, w - 2 * margin), head)
        y += lh * rng.uniform(1.3, 2.0)
    top = y
    spacing = rng.uniform(1.1, 1.8)
    for col in range(cols):
        x = margin + col * (col_w + gap)
        y = top
        while y < h - margin - body.size * 2:
            if rng.random() < 0.12:  # a heading or a blank line
                f = head if rng.random() < 0.5 else body
                c.text(x, y, _fit(corpus.words(rng), f, col_w), f)
                y += f.size * spacing * 1.3
                continue
            lines = int(rng.integers(2, 9))
            for i in range(lines):
                text = " ".join(corpus.sentence(rng) for _ in range(3))
                indent = body.size * 2 if i == 0 and rng.random() < 0.3 else 0
                limit = col_w - indent if i < lines - 1 else col_w * rng.uniform(0.2, 1.0)
                c.text(x + indent, y, _fit(text, body, limit), body)
                y += body.size * spacing
                if y > h - margin - body.size * 2:
                    break
            y += body.size * rng.uniform(0.3, 1.5)
    return c


def _receipt(rng: np.random.Generator) -> _Canvas:
    fonts, mono = _font_lists()
    face = _pick(rng, mono) if rng.random() < 0.75 else _pick(rng, fonts)
    w = int(rng.integers(320, 620))
    size = int(w / rng.uniform(24, 40))
    font = _font(face, max(size, 9))
    big = _font(face if rng.random() < 0.6 else _pick(rng, fonts), int(font.size * rng.uniform(1.2, 2.0)))
    n_lines = int(rng.integers(20, 60))
    spacing = rng.uniform(1.15, 1.7)
    h = int(n_lines * font.size * spacing + 4 * big.size + 80)
    c = _Canvas(w, h, rng)
    margin = int(w * rng.uniform(0.04, 0.1))
    inner = w - 2 * margin
    y = margin
    for _ in range(int(rng.integers(1, 4))):  # centred header
        f = big if rng.random() < 0.5 else font
        text = _fit(corpus.receipt_line(rng).upper(), f, inner)
        tw = f.getlength(text)
        c.text((w - tw) / 2, y, text, f)
        y += f.size * spacing
    y += font.size
    while y < h - margin - font.size:
        r = rng.random()
        line = corpus.receipt_line(rng)
        line = line.upper() if rng.random() < 0.8 else line
        if r < 0.45:  # label ... amount: two segments, amount right-aligned
            amount = corpus.price(rng) if rng.random() < 0.7 else corpus.amount(rng)
            label = _fit(line, font, inner * rng.uniform(0.35, 0.7))
            c.text(margin, y, label, font)
            c.text(w - margin - font.getlength(amount), y, amount, font)
        elif r < 0.55:  # dashed separator (not text)
            ch = _pick(rng, "-=*.")
            c.draw.text((margin, y), ch * int(inner / max(font.getlength(ch), 1)), font=font, fill=c.ink)
        elif r < 0.65:  # centred line
            text = _fit(line, font, inner)
            c.text((w - font.getlength(text)) / 2, y, text, font)
        else:
            c.text(margin, y, _fit(line, font, inner), font)
        y += font.size * spacing
    return c


def _form(rng: np.random.Generator) -> _Canvas:
    fonts, _ = _font_lists()
    w = int(rng.integers(650, 1100))
    h = int(w * rng.uniform(1.2, 1.45))
    c = _Canvas(w, h, rng)
    font = _font(_pick(rng, fonts), int(rng.integers(11, 22) * w / 850) + 4)
    value_font = _font(_pick(rng, fonts), font.size)
    margin = int(w * 0.07)
    y = margin
    head = _font(_pick(rng, fonts), int(font.size * 1.8))
    c.text(margin, y, _fit(corpus.words(rng).upper(), head, w - 2 * margin), head)
    y += head.size * 2
    while y < h - margin - font.size * 3:
        x = margin
        while x < w - margin - 100:
            label = _fit(corpus.words(rng).title()[:24] + ":", font, min(w * 0.3, w - margin - x))
            if not label:
                break
            lw, _ = c.text(x, y, label, font)
            vx = x + lw + font.size * rng.uniform(0.5, 1.5)
            box_w = min(w - margin - vx, font.size * rng.uniform(6, 18))
            if box_w < font.size * 3:
                break
            if rng.random() < 0.5:
                c.draw.rectangle([vx - 3, y - 3, vx + box_w, y + font.size * 1.3], outline=c.ink)
            else:
                c.draw.line([vx, y + font.size * 1.25, vx + box_w, y + font.size * 1.25], fill=c.ink)
            if rng.random() < 0.8:
                value = corpus.sample_text(rng, max_chars=30)
                c.text(vx + 2, y + 1, _fit(value, value_font, box_w - 4), value_font)
            x = vx + box_w + font.size * 2
            if rng.random() < 0.5:
                break
        y += font.size * rng.uniform(2.0, 3.2)
    return c


def _table(rng: np.random.Generator) -> _Canvas:
    fonts, _ = _font_lists()
    w = int(rng.integers(650, 1200))
    h = int(w * rng.uniform(0.8, 1.4))
    c = _Canvas(w, h, rng)
    font = _font(_pick(rng, fonts), int(rng.integers(10, 20) * w / 850) + 4)
    margin = int(w * 0.06)
    cols = int(rng.integers(2, 7))
    weights = rng.uniform(0.6, 2.0, cols)
    edges = margin + np.concatenate([[0], np.cumsum(weights / weights.sum() * (w - 2 * margin))])
    row_h = font.size * rng.uniform(1.6, 2.4)
    y = float(margin)
    if rng.random() < 0.7:
        title = _font(_pick(rng, fonts), int(font.size * 1.6))
        c.text(margin, y, _fit(corpus.words(rng), title, w - 2 * margin), title)
        y += title.size * 2
    ruled = rng.random() < 0.7
    top = y
    while y + row_h < h - margin:
        for i in range(cols):
            cell_w = edges[i + 1] - edges[i] - font.size
            text = corpus.amount(rng) if i and rng.random() < 0.5 else corpus.words(rng)
            text = _fit(text, font, cell_w)
            if text and rng.random() < 0.92:
                x = edges[i] + font.size / 2
                if i and rng.random() < 0.5:  # right-aligned numbers
                    x = edges[i + 1] - font.size / 2 - font.getlength(text)
                c.text(x, y + (row_h - font.size) / 2, text, font)
        y += row_h
        if ruled:
            c.draw.line([edges[0], y, edges[-1], y], fill=c.ink)
    if ruled:
        for e in edges:
            c.draw.line([e, top, e, y], fill=c.ink)
    return c


_RENDERERS = {"document": _document, "receipt": _receipt, "form": _form, "table": _table}


def _background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A desk/table-like background: a colour with a gradient and noise, sometimes a texture."""
    base = rng.integers(20, 200, 3).astype(np.float32)
    gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :, None] * rng.uniform(-40, 40)
    gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None, None] * rng.uniform(-40, 40)
    small = rng.normal(0, rng.uniform(5, 30), (max(h // 16, 2), max(w // 16, 2), 3)).astype(np.float32)
    texture = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(base + gx + gy + texture, 0, 255)


def _photograph(page: np.ndarray, quads: list[np.ndarray], rng: np.random.Generator, strength: float):
    """Rotate/warp the sheet onto a background, add shadow, blur, noise, JPEG."""
    h, w = page.shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src.copy()
    warp = False
    if rng.random() < 0.6 * strength:  # perspective jitter: each corner moves a little
        dst += rng.uniform(-1, 1, (4, 2)).astype(np.float32) * max(w, h) * 0.04 * strength
        warp = True
    if rng.random() < 0.7 * strength:  # small rotation of the sheet
        angle = float(rng.normal(0, 2.0) * strength)
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        dst = (np.hstack([dst, np.ones((4, 1), np.float32)]) @ rot.T).astype(np.float32)
        warp = True
    if warp or rng.random() < 0.3 * strength:  # the sheet on a desk, with a visible border
        border = int(max(w, h) * rng.uniform(0.0, 0.08)) + 4
        dst -= dst.min(axis=0)
        dst += rng.uniform(0, border, 2).astype(np.float32)
        out_w = int(dst[:, 0].max() + rng.uniform(0, border)) + 1
        out_h = int(dst[:, 1].max() + rng.uniform(0, border)) + 1
        matrix = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(
            page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
        )
        alpha = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, (out_w, out_h))[..., None]
        back = _background(rng, out_w, out_h)
        image = warped.astype(np.float32) * alpha + back * (1 - alpha)
        quads = [cv2.perspectiveTransform(q[None], matrix)[0] for q in quads]
    else:
        image = page.astype(np.float32)
    ih, iw = image.shape[:2]
    if rng.random() < 0.4 * strength:  # a soft shadow or uneven lighting
        cx, cy = rng.uniform(0, iw), rng.uniform(0, ih)
        yy, xx = np.mgrid[0:ih, 0:iw].astype(np.float32)
        d = np.hypot(xx - cx, yy - cy) / max(iw, ih)
        light = 1.0 - rng.uniform(0.1, 0.45) * np.clip(1.0 - d * rng.uniform(0.8, 2.5), 0, 1)
        if rng.random() < 0.5:
            light = 1.3 - light
        image *= np.clip(light, 0.4, 1.2)[..., None]
    if rng.random() < 0.3 * strength:
        k = int(rng.choice([3, 5]))
        image = cv2.GaussianBlur(image, (k, k), rng.uniform(0.4, 1.2))
    if rng.random() < 0.4 * strength:
        image += rng.normal(0, rng.uniform(2, 12), image.shape).astype(np.float32)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.3 * strength:
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 90))])
        if ok:
            image = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return image, [q.astype(np.float32) for q in quads]


def render_page(rng: np.random.Generator, style: str | None = None, degrade: float = 1.0) -> SynthPage:
    """One synthetic page: RGB uint8 image + text-segment quads (see the module docstring).

    ``degrade`` scales how often and how strongly the photographing effects apply (0 = a
    clean, straight scan).
    """
    if style is None:
        style = STYLES[int(rng.choice(len(STYLES), p=STYLE_WEIGHTS))]
    if style not in _RENDERERS:
        raise ValueError(f"unknown page style {style!r}; choose from {', '.join(STYLES)}")
    canvas = _RENDERERS[style](rng)
    page = np.asarray(canvas.image)
    image, quads = _photograph(page, canvas.quads, rng, degrade)
    return SynthPage(image, quads, list(canvas.texts), style)
