"""Book spines: a rendered shelf read left to right, titles running down and up their spines."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from textlens.apps.spines import read_spines
from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.shelves import render_shelf


@pytest.fixture(scope="module")
def shelf():
    image, truth = render_shelf(np.random.default_rng(11), "train")
    return image, truth, read_spines(image)


def test_the_shelf_renderer_knows_every_spine_and_its_direction():
    image, truth = render_shelf(np.random.default_rng(2), "test", size=(900, 600))
    assert image.shape == (600, 900, 3) and image.dtype == np.uint8
    assert len(truth) >= 5 and all(t.text.strip() for t in truth)
    lefts = [min(x for x, _ in t.polygon) for t in truth]
    assert lefts == sorted(lefts)  # left to right
    with pytest.raises(TextlensError, match="split"):
        render_shelf(np.random.default_rng(0), "dev")


def test_most_spines_are_read_left_to_right(shelf):
    _, truth, spines = shelf
    centres = [(s.box[0] + s.box[2]) / 2 for s in spines]
    assert centres == sorted(centres)
    readings = {k: [] for k in range(len(truth))}
    for spine in spines:
        x0, y0, x1, y1 = spine.box
        for k, t in enumerate(truth):
            if cv2.pointPolygonTest(np.float32(t.polygon), ((x0 + x1) / 2, (y0 + y1) / 2), False) >= 0:
                readings[k].append(spine)
                break
    errors = sum(
        Levenshtein.distance(" ".join(s.text for s in readings[k]).lower(), t.text.lower()) for k, t in enumerate(truth)
    )
    assert errors <= 0.15 * sum(len(t.text) for t in truth)
    for k, t in enumerate(truth):  # each spine read says which way its text runs
        assert all(s.downwards == t.downwards for s in readings[k] if s.text.lower() == t.text.lower())


def test_title_before_author_whichever_way_the_text_runs(shelf):
    _, truth, spines = shelf
    two_line = [t for t in truth if len(t.text.split()) >= 3]
    assert two_line
    found = {s.text.lower() for s in spines}
    assert sum(t.text.lower() in found for t in two_line) >= len(two_line) // 2


def test_a_blank_shelf_has_no_spines():
    assert read_spines(np.full((300, 500, 3), 90, np.uint8)) == []
    with pytest.raises(TextlensError, match="uint8"):
        read_spines(np.zeros((4, 4), np.float32))


def test_spines_command_prints_json(tmp_path, capsys):
    image, truth = render_shelf(np.random.default_rng(5), "train", size=(700, 500))
    Image.fromarray(image).save(tmp_path / "shelf.png")
    assert main(["spines", str(tmp_path / "shelf.png"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["image"].endswith("shelf.png") and result["spines"]
    assert {"text", "box", "direction", "lines", "confidence"} <= set(result["spines"][0])
