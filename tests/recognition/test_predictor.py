"""The ONNX line recognizer with the shipped model: batching and the low-confidence re-read."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.recognition.predictor import Recognizer
from textlens.synth.fonts import discover_fonts

LINES = ["TOTAL 12.50", "Thank you, come again"]


def _render(text: str) -> np.ndarray:
    font = ImageFont.truetype(discover_fonts(text)[0], 28)
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right - left + 16, bottom - top + 12), 255)
    ImageDraw.Draw(image).text((8 - left, 6 - top), text, font=font, fill=0)
    return np.asarray(image)


class CountingSession:
    """Wraps an ONNX Runtime session and counts the line images it is given."""

    def __init__(self, inner) -> None:
        self.inner, self.images = inner, 0

    def run(self, outputs, feeds):
        self.images += next(iter(feeds.values())).shape[0]
        return self.inner.run(outputs, feeds)


@pytest.mark.parametrize(("retry_below", "images_run"), [(None, 2), (0.0, 2), (1.0, 6)])
def test_unsure_lines_are_read_again_with_two_margin_variants(retry_below, images_run):
    recognizer = Recognizer.load(threads=1, retry_below=retry_below)
    recognizer.session = CountingSession(recognizer.session)
    results = recognizer.predict([_render(text) for text in LINES])
    assert [r.text.casefold() for r in results] == [text.casefold() for text in LINES]
    assert recognizer.session.images == images_run
    assert all(0.0 < r.confidence <= 1.0 for r in results)
    assert [w.text.casefold() for w in results[1].words] == ["thank", "you,", "come", "again"]


def test_retry_threshold_is_validated():
    with pytest.raises(TextlensError, match="retry_below"):
        Recognizer.load(retry_below=1.5)


def test_shipped_recognizer_comes_with_its_language_model(tmp_path):
    from textlens.models.registry import resolve_model

    assert Recognizer.load(threads=1).lm is not None
    assert Recognizer.load("latin-crnn", threads=1, lm="none").lm is None
    by_path = resolve_model("latin-crnn", "recognizer")
    assert Recognizer.load(by_path, threads=1).lm is None  # a file path brings no LM unless one is named
    with_lm = Recognizer.load(by_path, threads=1, lm="latin-lm")
    assert with_lm.lm is not None and with_lm.lm.lm.order >= 3
    with pytest.raises(TextlensError, match="no such model file"):
        Recognizer.load(threads=1, lm=tmp_path / "missing.npz")


def test_language_model_guides_only_the_unsure_lines():
    guided = Recognizer.load(threads=1, retry_below=1.0)  # every line counts as unsure
    calls = []
    original = guided.lm.scores
    guided.lm.scores = lambda prefix: calls.append(prefix) or original(prefix)
    results = guided.predict([_render(text) for text in LINES])
    assert [r.text.casefold() for r in results] == [text.casefold() for text in LINES]
    assert calls  # the beam consulted the LM
    calls.clear()
    Recognizer.load(threads=1, retry_below=None).predict([_render(LINES[0])])
    assert not calls


@pytest.mark.parametrize("turns", [1, -1])
def test_a_word_turned_a_quarter_reads_the_right_way(turns):
    upright = _render("SALE")
    crop = np.ascontiguousarray(np.rot90(upright, turns))  # a vertical sign, either way round
    recognizer = Recognizer.load(threads=1)
    result = recognizer.predict([crop])[0]
    assert result.text.casefold() == "sale"
    assert [(w.x0, w.x1) for w in result.words] == [(0.0, float(crop.shape[1]))]  # the word spans the crop
    recognizer.turn_tall = False
    assert recognizer.predict([crop])[0].text.casefold() != "sale"


def test_a_narrow_upright_glyph_stays_as_read():
    recognizer = Recognizer.load(threads=1)
    one = _render("1")
    ink = np.flatnonzero((one < 128).any(axis=0))
    one = np.ascontiguousarray(one[:, ink[0] - 4 : ink[-1] + 5])  # a tight box, as a detector gives
    assert one.shape[0] >= 1.5 * one.shape[1]  # tall enough to be tried turned
    assert recognizer.predict([one])[0].text == "1"
