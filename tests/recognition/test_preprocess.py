"""Input preparation for specialised readers: colour-contrast grey and the text-band fit."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from textlens.recognition.preprocess import (
    contrast_gray,
    fit_to_ink,
    ink_box,
    to_gray,
    to_model_gray,
    vertical_variants,
)
from textlens.synth.fonts import discover_fonts


def _canvas(colour=(255, 255, 150), size=(400, 100), glyph_box=(120, 40, 280, 64)) -> np.ndarray:
    """A wide white canvas with a pale block of 'glyphs' and two thin noise lines."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    x0, y0, x1, y1 = glyph_box
    for x in range(x0, x1, 20):  # glyph-like strokes: 10 px wide, full band height
        draw.rectangle([x, y0, x + 9, y1], fill=colour)
    draw.line([(0, 5), (size[0] - 1, 12)], fill="black", width=1)  # near-horizontal noise line
    draw.line([(350, 0), (380, size[1] - 1)], fill="black", width=1)  # steep noise line
    return np.asarray(image)


def test_contrast_gray_keeps_pale_colours_dark():
    image = _canvas()
    luma, contrast = to_gray(image), contrast_gray(image)
    assert luma[50, 125] > 230  # pale yellow nearly vanishes under luma
    assert contrast[50, 125] < 160  # but is far from the white background
    assert contrast[0, 0] == 255  # the background stays white
    assert to_model_gray(image, "contrast").tolist() == contrast.tolist()


def test_contrast_gray_handles_dark_backgrounds_and_alpha():
    dark = np.zeros((20, 40, 3), np.uint8)
    dark[8:12, 10:30] = 255  # white text on black
    gray = contrast_gray(dark)
    assert gray[0, 0] == 255 and gray[10, 20] == 0
    rgba = np.zeros((20, 40, 4), np.uint8)  # fully transparent: white after compositing
    rgba[8:12, 10:30] = (0, 0, 255, 255)
    gray = contrast_gray(rgba)
    assert gray[0, 0] == 255 and gray[10, 20] == 0


def test_ink_box_finds_the_text_band_despite_noise_lines():
    gray = contrast_gray(_canvas())
    y0, y1, x0, x1 = ink_box(gray)
    assert 30 <= y0 <= 40 and 64 <= y1 <= 75  # the 24-px band plus a small margin, not the lines
    assert x0 <= 120 and x1 >= 270
    fitted = fit_to_ink(gray)
    assert fitted.shape == (y1 - y0, x1 - x0)


def test_ink_box_of_blank_or_tiny_images_is_the_whole_image():
    assert ink_box(np.full((50, 80), 255, np.uint8)) == (0, 50, 0, 80)
    assert ink_box(np.zeros((5, 5), np.uint8)) == (0, 5, 0, 5)


def test_ink_box_on_rendered_text_keeps_every_glyph():
    font = discover_fonts()[0]
    from PIL import ImageFont

    image = Image.new("L", (600, 120), 255)
    ImageDraw.Draw(image).text((150, 45), "Ab9 xyz", font=ImageFont.truetype(font, 28), fill=0)
    gray = np.asarray(image)
    y0, y1, x0, x1 = ink_box(gray)
    ink_rows, ink_cols = np.nonzero(gray < 128)
    assert y0 <= ink_rows.min() and y1 > ink_rows.max()
    assert x0 <= ink_cols.min() and x1 > ink_cols.max()
    assert y1 - y0 < 60  # far tighter than the 120-px canvas


def test_ink_box_keeps_a_faded_last_glyph():
    # CAPTCHA schemes fade single glyphs nearly into the background; cutting one off costs a
    # character the model can then never read.
    image = Image.new("RGB", (420, 90), "white")
    draw = ImageDraw.Draw(image)
    for x in (60, 120, 180, 240):
        draw.rectangle([x, 30, x + 14, 60], fill=(20, 20, 20))
    draw.rectangle([330, 30, 344, 60], fill=(236, 240, 242))  # colour distance 19 from white
    y0, y1, x0, x1 = ink_box(contrast_gray(np.asarray(image)))
    assert x0 <= 60 and x1 > 344
    assert 20 <= y0 <= 30 and 60 < y1 <= 72


def test_vertical_variants_keep_the_frame_grid():
    line = np.full((30, 120), 255, np.uint8)
    line[8:22, 10:110] = 0
    looser, tighter = vertical_variants(line, width=128, height=32)
    assert looser.shape == tighter.shape == (32, 128)
    assert looser[0].min() == 255 and looser[16, 20] == 0  # more white margin, same ink
    assert tighter[16, 20] == 0
