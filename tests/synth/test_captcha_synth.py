"""Synthetic CAPTCHAs: every style renders, output is reproducible, the CLI writes a data set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.captcha import (
    GLYPH_EFFECTS,
    STYLES,
    CaptchaSynthConfig,
    decorate_glyph,
    random_text,
    render_captcha,
    synth_captchas,
)
from textlens.training.sources import load_crop, load_samples

matplotlib = pytest.importorskip("matplotlib")
FONTS = (str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"),)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_renders(style: str) -> None:
    image = render_captcha("aB3x", style, np.random.default_rng(0), fonts=FONTS, height=50, width=160)
    assert image.size == (160, 50)
    assert image.mode in ("RGB", "RGBA")
    grey = np.asarray(image.convert("L"))
    assert grey.std() > 5  # something was drawn


def _glyph_mask(char: str = "B", size: int = 40) -> np.ndarray:
    from PIL import ImageDraw, ImageFont

    mask = Image.new("L", (size + 20, size + 20), 0)
    ImageDraw.Draw(mask).text((10, 5), char, font=ImageFont.truetype(FONTS[0], size), fill=255)
    return np.asarray(mask)


@pytest.mark.parametrize("effect", GLYPH_EFFECTS)
def test_glyph_effects_keep_the_glyph_where_it_was(effect: str) -> None:
    ink = _glyph_mask()
    out, shadow = decorate_glyph(ink, effect, np.random.default_rng(0))
    assert out.dtype == np.uint8 and out.shape[0] == ink.shape[0]
    drawn = out > 127
    assert drawn.sum() > 0.1 * (ink > 127).sum()  # still visible
    if effect in ("wide", "narrow"):
        assert (out.shape[1] > ink.shape[1]) == (effect == "wide")
        return
    assert out.shape == ink.shape
    near = np.asarray(Image.fromarray(ink).filter(ImageFilter.MaxFilter(9))) > 127
    assert drawn[~near].sum() < 0.05 * drawn.sum()  # the look changes, not the place
    assert (shadow is not None) == (effect == "shadow")


def test_outline_effect_draws_around_the_strokes() -> None:
    ink = _glyph_mask()
    out, _ = decorate_glyph(ink, "outline", np.random.default_rng(0))
    assert ((out > 127) & (ink > 127)).sum() == 0 and (out > 127).sum() > 50


def test_auto_width_grows_with_text() -> None:
    rng = np.random.default_rng(1)
    short = render_captcha("ab", "lines", rng, fonts=FONTS, height=40)
    long = render_captcha("abcdefgh", "lines", rng, fonts=FONTS, height=40)
    assert short.height == long.height == 40 and long.width > short.width


def test_random_text_respects_alphabet_and_lengths() -> None:
    rng = np.random.default_rng(2)
    texts = [random_text(rng, "xyz", 2, 4) for _ in range(200)]
    assert set("".join(texts)) == set("xyz")
    assert {len(t) for t in texts} == {2, 3, 4}


def test_pypi_style_is_seeded_and_leaves_secrets_alone() -> None:
    import secrets

    import captcha.image

    a = render_captcha("abcd", "pypi", np.random.default_rng(5), fonts=FONTS)
    b = render_captcha("abcd", "pypi", np.random.default_rng(5), fonts=FONTS)
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert captcha.image.secrets is secrets


def test_synth_dataset_reproducible_and_loadable(tmp_path: Path) -> None:
    cfg = CaptchaSynthConfig(count=12, styles=("mixed",), alphabet="abc123", min_len=3, max_len=5, fonts=FONTS, seed=7)
    manifest = synth_captchas(cfg, tmp_path / "a")
    synth_captchas(cfg, tmp_path / "b")
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert len(rows) == 12 and all(set(r["text"]) <= set("abc123") and 3 <= len(r["text"]) <= 5 for r in rows)
    assert {r["style"] for r in rows} <= set(STYLES)
    for r in rows:
        assert (tmp_path / "a" / r["image"]).read_bytes() == (tmp_path / "b" / r["image"]).read_bytes()
    samples = load_samples(manifest)
    assert [s.text for s in samples] == [r["text"] for r in rows]
    assert load_crop(samples[0]).shape == (60, Image.open(samples[0].image).width)
    assert json.loads((tmp_path / "a" / "synth.json").read_text())["seed"] == 7
    other = synth_captchas(CaptchaSynthConfig(**{**cfg.__dict__, "seed": 8}), tmp_path / "c")
    assert other.read_text() != manifest.read_text()


def test_bad_config() -> None:
    with pytest.raises(TextlensError, match="unknown captcha style"):
        CaptchaSynthConfig(styles=("fancy",)).validate()
    with pytest.raises(TextlensError, match="min-len"):
        CaptchaSynthConfig(min_len=5, max_len=3).validate()


def test_cli_synth_captcha(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "caps"
    code = main(
        [
            "synth",
            "captcha",
            "--count",
            "4",
            "--out",
            str(out),
            "--style",
            "lines,strike",
            "--font",
            FONTS[0],
            "--alphabet",
            "xyz",
            "--min-len",
            "3",
            "--max-len",
            "3",
            "--width",
            "120",
            "--height",
            "40",
        ]
    )
    assert code == 0
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and {r["style"] for r in rows} <= {"lines", "strike"}
    assert Image.open(out / rows[0]["image"]).size == (120, 40)
    assert main(["synth", "captcha", "--count", "1", "--out", str(out), "--style", "nope"]) == 2
    assert "unknown captcha style" in capsys.readouterr().err
