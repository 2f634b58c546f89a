"""The made-up CAPTCHA schemes: deterministic, labelled the way `train recognizer` reads them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _fonts() -> None:
    from benchmarks.made_up_captchas import DARK_FONTS, FONT_DIR, RIPPLE_FONTS

    if not all((FONT_DIR / name).is_file() for name in RIPPLE_FONTS + DARK_FONTS):
        pytest.skip("the Debian fonts of scripts/install-fonts.sh are not installed")


def test_ripple_is_a_folder_of_images_named_by_their_codes(tmp_path: Path) -> None:
    from benchmarks.made_up_captchas import RIPPLE_CHARS, render_ripple, write_ripple
    from textlens.training.sources import load_sources

    write_ripple(tmp_path / "r", seed=3, count=4)
    samples = load_sources([str(tmp_path / "r")])[0]
    assert len(samples) == 4
    assert all(5 <= len(s.text) <= 6 and set(s.text) <= set(RIPPLE_CHARS) for s in samples)
    assert all(Image.open(s.image).size == (180, 60) for s in samples)
    import random

    first, again = render_ripple("ab3de", random.Random(1)), render_ripple("ab3de", random.Random(1))
    np.testing.assert_array_equal(first, again)
    assert first.min() < 100 < first.max()  # dark glyphs on a light background


def test_dark_is_a_manifest_of_mixed_case_codes(tmp_path: Path) -> None:
    from benchmarks.made_up_captchas import DARK_CHARS, main

    assert main(["dark", str(tmp_path / "d"), "--scale", "0.002"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "d" / "train" / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(len(r["text"]) == 6 and set(r["text"]) <= set(DARK_CHARS) for r in rows)
    image = np.asarray(Image.open(tmp_path / "d" / "train" / rows[0]["image"]))
    assert image.shape == (70, 200, 3)
    assert np.median(image) < 100  # a dark background
    assert (tmp_path / "d" / "test" / "manifest.jsonl").exists()


def test_a_missing_font_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import made_up_captchas

    monkeypatch.setattr(made_up_captchas, "FONT_DIR", tmp_path / "no-fonts")
    assert made_up_captchas.main(["ripple", str(tmp_path / "r"), "--scale", "0.002"]) == 2
    assert "install-fonts.sh" in capsys.readouterr().err


def test_pypi_codes_follow_the_seed(tmp_path: Path) -> None:
    pytest.importorskip("captcha")
    from benchmarks.made_up_captchas import PYPI_CHARS, write_pypi

    write_pypi(tmp_path / "a", seed=5, count=3)
    write_pypi(tmp_path / "b", seed=5, count=3)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert all(len(n) == len("XXXXX.png") and set(n[:5]) <= set(PYPI_CHARS) for n in names)
    assert Image.open(tmp_path / "a" / names[0]).size == (160, 60)
