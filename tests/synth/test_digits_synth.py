"""Synthetic digit sequences: every look renders, labels say what is drawn, splits differ in style."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.digits import DIGIT_LOOKS, UNITS, _drawn_segments, _dseg_fonts, digit_text, render_digits

LABEL = re.compile(r"^-?[0-9][0-9.,:-]*( (" + "|".join(re.escape(u) for u in UNITS) + "))?$")


@pytest.mark.parametrize("look", DIGIT_LOOKS)
@pytest.mark.parametrize("split", ["train", "test"])
def test_every_look_renders_a_colour_crop_with_a_digit_label(look, split):
    rng = np.random.default_rng(3)
    for _ in range(4):
        image, label = render_digits(rng, split, look)
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert image.shape[0] >= 16 and image.shape[1] >= image.shape[0] * 0.5
        assert LABEL.match(label), label
        assert image.std() > 5  # something is drawn


def test_labels_cover_lengths_one_to_twelve_and_the_separators():
    rng = np.random.default_rng(0)
    labels = [digit_text(rng, look) for look in DIGIT_LOOKS for _ in range(300)]
    lengths = {sum(c.isdigit() for c in label) for label in labels}
    assert {1, 2, 6, 12} <= lengths and max(lengths) <= 12
    assert any("." in label for label in labels) and any(":" in label for label in labels)
    assert any("-" in label[1:] for label in labels)


def test_the_same_seed_gives_the_same_crop():
    a, la = render_digits(np.random.default_rng([5, 1]))
    b, lb = render_digits(np.random.default_rng([5, 1]))
    assert la == lb and np.array_equal(a, b)


def test_drawn_segments_light_exactly_the_segments_of_each_digit():
    lit_one, _ = _drawn_segments(np.random.default_rng(0), "1", 60)
    lit_eight, unlit_eight = _drawn_segments(np.random.default_rng(0), "8", 60)
    assert lit_eight.sum() > 2.5 * lit_one.sum()  # seven segments against two
    assert unlit_eight.sum() == 0  # an 8 leaves none unlit


def test_sixes_and_nines_are_drawn_with_and_without_their_tail_segment():
    shares = set()
    for seed in range(40):
        lit, unlit = _drawn_segments(np.random.default_rng(seed), "69", 60)
        shares.add(round(float(unlit.sum() / lit.sum()), 1))  # unlit: 2 of 14 segments, or 4 of 14
    assert min(shares) <= 0.2 and max(shares) >= 0.3


def test_the_held_out_segment_fonts_draw_segments_not_faces():
    fonts = _dseg_fonts()
    if not fonts:
        pytest.skip("the DSEG fonts are not installed")
    assert all("SEGG" not in Path(f).name.upper() for f in fonts)


def test_unknown_split_or_look_is_refused():
    with pytest.raises(TextlensError, match="split"):
        render_digits(np.random.default_rng(0), "dev")
    with pytest.raises(TextlensError, match="look"):
        render_digits(np.random.default_rng(0), "train", "neon")


def test_synth_digits_command_writes_a_manifest(tmp_path):
    assert main(["synth", "digits", "-n", "5", "-o", str(tmp_path), "--split", "test", "--look", "counter"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 5 and all((tmp_path / r["image"]).is_file() and r["text"].isdigit() for r in rows)
