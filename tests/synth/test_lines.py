from __future__ import annotations

import pickle

import numpy as np
import pytest

from textlens.recognition.charset import DEFAULT_CHARS
from textlens.synth.lines import LineSynthConfig, LineSynthesizer


@pytest.fixture(scope="module")
def synth() -> LineSynthesizer:
    return LineSynthesizer()


def test_shape_dtype_text(synth: LineSynthesizer) -> None:
    rng = np.random.default_rng(0)
    for _ in range(60):
        img, text = synth.sample(rng)
        assert img.dtype == np.uint8 and img.ndim == 2 and img.shape[0] == 32 and img.shape[1] >= 4
        assert text and text == text.strip() and "  " not in text
        assert set(text) <= set(DEFAULT_CHARS) and len(text) <= 48
        assert img.std() > 0, "something is drawn"
        assert img.shape[1] >= 8 * len(text), "wide enough for a stride-4 CTC model"


def test_deterministic(synth: LineSynthesizer) -> None:
    a = [synth.sample(np.random.default_rng(5)) for _ in range(2)]
    fresh = LineSynthesizer(fonts=synth.fonts).sample(np.random.default_rng(5))
    for img, text in (a[1], fresh):
        assert text == a[0][1] and np.array_equal(img, a[0][0])


def test_pickles_and_renders_the_same(synth: LineSynthesizer) -> None:
    clone = pickle.loads(pickle.dumps(synth))
    rng1, rng2 = np.random.default_rng(9), np.random.default_rng(9)
    for _ in range(5):
        (i1, t1), (i2, t2) = synth.sample(rng1), clone.sample(rng2)
        assert t1 == t2 and np.array_equal(i1, i2)


def test_height_charset_and_no_degradation() -> None:
    cfg = LineSynthConfig(height=48, max_chars=12, charset="0123456789.- ", degrade=0.0)
    synth = LineSynthesizer(cfg)
    rng = np.random.default_rng(1)
    for _ in range(30):
        img, text = synth.sample(rng)
        assert img.shape[0] == 48
        assert set(text) <= set(cfg.charset) and len(text) <= 12


def test_everything_on() -> None:
    # Every style knob at probability 1 must still give valid lines.
    names = [f for f in LineSynthConfig.__dataclass_fields__ if f.startswith("p_")]
    cfg = LineSynthConfig(**{n: 1.0 for n in names})
    synth = LineSynthesizer(cfg)
    rng = np.random.default_rng(2)
    for _ in range(10):
        img, text = synth.sample(rng)
        assert img.shape[0] == 32 and text


def test_explicit_fonts(synth: LineSynthesizer) -> None:
    one = LineSynthesizer(fonts=synth.fonts[:1])
    img, text = one.sample(np.random.default_rng(3))
    assert img.shape[0] == 32 and text


def test_tex_family_names_are_set_as_their_logos() -> None:
    """LaTeX as documents print it: a small A raised, the E lowered, the letters pulled together."""
    from PIL import ImageFont

    from textlens.synth.fonts import discover_fonts
    from textlens.synth.lines import _placements

    font = ImageFont.truetype(discover_fonts("LaTeX")[0], 40)
    runs, width = _placements(font, "see LaTeX and BibTeX.")
    texts = [text for _, _, text, _ in runs]
    assert "".join(texts) == "see LATEX and BibTEX."  # the glyphs drawn; the label stays LaTeX
    shifts = {(text, dy > 0, dy < 0) for _, dy, text, _ in runs}
    assert ("E", True, False) in shifts and ("A", False, True) in shifts  # E lowered, A raised
    small = [run_font.size for _, _, text, run_font in runs if text == "A"]
    assert small == [30]
    assert width < font.getlength("see LaTeX and BibTeX.")  # kerned together


def test_typeset_lines_use_old_style_figures_and_small_caps_where_the_font_has_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Books print 1986 with a descending 9 and names in small capitals: where a font has those
    OpenType features some lines are drawn with them (never receipt text), the label unchanged."""
    import textlens.synth.lines as lines
    from textlens.synth.fonts import discover_fonts, opentype_features

    with_both = [p for p in discover_fonts() if {"onum", "smcp"} <= opentype_features(p)]
    if not with_both:
        pytest.skip("no installed font has old-style figures and small capitals")
    path = with_both[0]
    synth = LineSynthesizer(LineSynthConfig(height=48, degrade=0.0))
    rng = np.random.default_rng(0)
    assert synth._features(rng, "Fell in 1986, said Smith", path, receipt=True) is None
    monkeypatch.setattr(lines, "P_OLD_STYLE_FIGURES", 1.0)
    monkeypatch.setattr(lines, "P_SMALL_CAPS", 1.0)
    assert synth._features(rng, "Fell in 1986, said Smith", path, receipt=False) == ["onum", "smcp"]
    assert synth._features(rng, "all lower case, no digit", path, receipt=False) is None
    assert synth._features(rng, "ALL CAPITALS 1986", path, receipt=False) == ["onum"]

    from PIL import ImageFont

    font = ImageFont.truetype(path, 40)
    plain = lines._text_width(font, "Small Capitals", 0.0)
    assert lines._text_width(font, "Small Capitals", 0.0, ["smcp"]) > plain  # small caps are wider
    assert opentype_features("/nonexistent/font.ttf") == frozenset()


def test_characters_new_to_a_model_are_drawn_in_the_fonts_that_have_them() -> None:
    from textlens.recognition.charset import Charset
    from textlens.synth.fonts import draws
    from textlens.synth.lines import with_symbol

    charset = Charset.default().extended(["₹"]).chars
    synth = LineSynthesizer(LineSynthConfig(charset=charset, extra_chars="₹", p_extra=1.0))
    rng = np.random.default_rng(3)
    lines = [synth.sample(rng) for _ in range(6)]
    assert all("₹" in text and image.shape[0] == 32 for image, text in lines)
    families = synth._families_drawing("₹")
    assert families and all(draws(path, "₹") for styles in families for path in styles)
    # where signs go: beside a number, or a word of its own
    for seed in range(20):
        text = with_symbol(np.random.default_rng(seed), "TOTAL 12.50 paid", "₹")
        assert text.replace("₹", "").split() == ["TOTAL", "12.50", "paid"] and text.count("₹") == 1
