"""Augmentation of real line crops: photometric jitter, the geometric warp and glyph splicing for CAPTCHAs."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.synth.fonts import discover_fonts
from textlens.synth.lines import LineSynthConfig, LineSynthesizer
from textlens.training.augment import augment_line, glyph_slices, splice_glyphs, warp_line


def _line() -> np.ndarray:
    gray, _ = LineSynthesizer(LineSynthConfig(charset="0123456789")).sample(np.random.default_rng(3))
    return gray


def test_warp_without_strength_only_pads_with_the_background() -> None:
    gray = _line()
    out = warp_line(gray, np.random.default_rng(0), strength=0.0)
    pad = (out.shape[0] - gray.shape[0]) // 2
    assert pad >= 1 and out.shape[1] == gray.shape[1] + 2 * pad
    inner = out[pad : pad + gray.shape[0], pad : pad + gray.shape[1]].astype(int)
    assert np.abs(inner - gray.astype(int)).max() <= 1  # the identity map, up to interpolation rounding
    border = int(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))
    assert abs(int(out[0, 0]) - border) <= 1


def test_warp_moves_strokes_but_keeps_the_ink() -> None:
    gray = _line()
    rng = np.random.default_rng(1)
    outs = [warp_line(gray, rng) for _ in range(5)]
    ink = int((gray < 128).sum())
    for out in outs:
        assert out.dtype == np.uint8 and out.shape[0] > gray.shape[0]
        assert 0.6 * ink < int((out < 128).sum()) < 1.6 * ink  # bent and sheared, not erased or smeared
    pad = (outs[0].shape[0] - gray.shape[0]) // 2
    inner = outs[0][pad : pad + gray.shape[0], pad : pad + gray.shape[1]]
    assert np.abs(inner.astype(int) - gray.astype(int)).mean() > 1.0  # it did change the glyphs
    # Seeded: the same generator state gives the same warp.
    assert np.array_equal(warp_line(gray, np.random.default_rng(9)), warp_line(gray, np.random.default_rng(9)))


def test_augment_keeps_height_and_type() -> None:
    gray = _line()
    rng = np.random.default_rng(2)
    for _ in range(10):
        out = augment_line(gray, rng, 1.0)
        assert out.dtype == np.uint8 and out.ndim == 2 and min(out.shape) >= 8


def _spaced(text: str, gap: int) -> np.ndarray:
    """``text`` in a 40-px font, glyphs ``gap`` pixels apart, crossed by a thin near-flat line."""
    font = ImageFont.truetype(discover_fonts()[0], 40)
    image = Image.new("L", (60 + len(text) * (30 + gap), 64), 255)
    draw = ImageDraw.Draw(image)
    x = 20
    for char in text:
        draw.text((x, 8), char, font=font, fill=0)
        x += int(draw.textlength(char, font=font)) + gap
    draw.line([(0, 40), (image.width - 1, 30)], fill=0, width=1)
    return np.asarray(image)


def test_glyph_slices_cut_well_spaced_glyphs_at_the_gaps() -> None:
    gray = _spaced("k4Hm", gap=25)
    pieces = glyph_slices(gray, "k4Hm")
    assert pieces is not None and [c for _, c in pieces] == list("k4Hm")
    assert sum(p.shape[1] for p, _ in pieces) == gray.shape[1]  # a partition of the columns
    for piece, _ in pieces:
        assert piece.shape[0] == gray.shape[0]
        assert (piece < 100).sum(axis=0).max() > 15  # a whole glyph, not a sliver of the line


def test_glyph_slices_refuse_touching_glyphs_or_a_wrong_label() -> None:
    assert glyph_slices(_spaced("k4Hm", gap=25), "k4H") is None
    assert glyph_slices(_spaced("mmmm", gap=-6), "mmmm") is None


def test_splice_glyphs_builds_new_strings_from_the_pieces() -> None:
    pieces = glyph_slices(_spaced("ab3", gap=25), "ab3")
    assert pieces is not None
    rng = np.random.default_rng(0)
    seen = set()
    for length in (2, 5):
        gray, text = splice_glyphs(pieces, rng, length, height=48)
        assert len(text) == length and set(text) <= set("ab3")
        assert gray.shape[0] == 48
        widths = {c: round(p.shape[1] * 48 / p.shape[0]) for p, c in pieces}
        assert gray.shape[1] == sum(widths[c] for c in text)
        seen.add(text)
    assert len(seen) == 2
