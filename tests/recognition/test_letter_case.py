from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.recognition.decoding import CharHit, build_line
from textlens.recognition.letter_case import FRAME_SHIFT, letter_heights, settle_case
from textlens.synth.fonts import discover_fonts

STRIDE = 4


def _font() -> ImageFont.FreeTypeFont:
    serif = [f for f in discover_fonts() if "Serif" in f] or discover_fonts()
    if not serif:
        pytest.skip("no fonts installed")
    return ImageFont.truetype(serif[0], 22)


def _line(glyphs: list[tuple[str, int]], text: str) -> tuple[np.ndarray, list[CharHit]]:
    """A 32-px line drawn glyph by glyph (each lowered by its offset in px), and CTC hits whose
    frames sit where a recognizer's would: a frame before the glyph's middle column."""
    font = _font()
    image = Image.new("L", (24 * len(glyphs) + 16, 32), 255)
    draw = ImageDraw.Draw(image)
    x, hits = 6, []
    for (glyph, drop), char in zip(glyphs, text):
        draw.text((x, 3 + drop), glyph, font=font, fill=0)
        width = int(font.getlength(glyph))
        frame = int((x + width / 2) // STRIDE - FRAME_SHIFT)
        hits.append(CharHit(char, 0.9, frame, frame))
        x += width + 2
    return np.asarray(image), hits


def _settled(line: np.ndarray, hits: list[CharHit]) -> str:
    result = build_line(hits, STRIDE, 0)
    return settle_case(result, line, STRIDE, STRIDE, 0).text


def test_the_lowered_capital_of_the_tex_logo_read_as_lower_case_is_raised():
    line, hits = _line([("T", 0), ("E", 5), ("X", 0)], "TeX")
    heights = letter_heights(line, hits, STRIDE)
    assert heights[1] is not None and heights[1] >= 0.88 * heights[0]
    assert _settled(line, hits) == "TEX"


def test_a_lower_case_letter_between_capitals_stays_when_it_is_small():
    line, hits = _line([("T", 0), ("e", 0), ("X", 0)], "TeX")
    assert _settled(line, hits) == "TeX"


def test_lower_case_outside_capitals_and_lines_without_capitals_stay():
    line, hits = _line([("T", 0), ("E", 5), ("x", 0)], "Tex")
    assert _settled(line, hits) == "Tex"  # not between two capitals
    line, hits = _line([("o", 0), ("n", 0), ("e", 0)], "one")
    result = build_line(hits, STRIDE, 0)
    assert settle_case(result, line, STRIDE, STRIDE, 0) is result  # nothing to measure against
