"""The shipped font model: its family list, and faces it names on clean lines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.apps.fonts import classifier, identify_font
from textlens.typeface.families import text_faces


def _line(family: str, text: str = "Quick zephyrs blow, vexing daft Jim 1984") -> np.ndarray:
    path = next(i.path for i in text_faces()[family] if not i.italic and i.weight == 400)
    font = ImageFont.truetype(path, 40)
    image = Image.new("L", (int(font.getlength(text)) + 30, 64), 250)
    ImageDraw.Draw(image).text((15, 10), text, font=font, fill=15)
    return np.asarray(image)


def test_the_shipped_model_covers_at_least_a_hundred_families():
    model = classifier()
    assert len(model.families) >= 100 and len(model.classes) >= 90
    assert set(model.kinds) == {"serif", "sans", "mono", "script", "display"}


@pytest.mark.parametrize(("family", "kind"), [("DejaVu Sans Mono", "mono"), ("DejaVu Serif", "serif")])
def test_a_clean_line_is_named_and_its_kind_told(family, kind):
    guess = identify_font(_line(family), top=5)
    assert guess.kind == kind
    assert any(family in families for families in guess.families)
