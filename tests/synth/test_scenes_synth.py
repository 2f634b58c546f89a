"""Synthetic scene words: colour crops over photo patches that avoid the photos' own text."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.scenes import Backgrounds, SceneWordConfig, SceneWordSynthesizer, _luma, _standing_out, scene_text


def _photo_with_text_on_the_left(tmp_path: Path) -> Path:
    """A 400 x 200 photo: its left half (red) is 'text' per the manifest, its right half blue."""
    photo = np.zeros((200, 400, 3), np.uint8)
    photo[:, :200] = (0, 0, 255)  # BGR red
    photo[:, 200:] = (255, 0, 0)  # BGR blue
    cv2.imwrite(str(tmp_path / "photo.png"), photo)
    quad = [[0, 0], [200, 0], [200, 200], [0, 200]]
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(json.dumps({"image": "photo.png", "regions": [{"quad": quad, "text": "SHOP"}]}) + "\n")
    return manifest


def test_a_scene_word_is_a_colour_crop_of_its_label_at_a_scene_size() -> None:
    synth = SceneWordSynthesizer(config=SceneWordConfig(height=(12, 40)))
    for i in range(12):
        image, text = synth.sample(np.random.default_rng([4, i]))
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert 12 <= image.shape[0] <= 40 and image.shape[1] >= 4
        assert text and text == text.strip() and image.std() > 3
    again, label = synth.sample(np.random.default_rng([4, 0]))
    first, first_label = synth.sample(np.random.default_rng([4, 0]))
    assert label == first_label and np.array_equal(again, first)


def test_scene_texts_mix_cases_words_and_numbers() -> None:
    rng = np.random.default_rng(0)
    texts = [scene_text(rng) for _ in range(400)]
    assert any(t.isupper() for t in texts) and any(t.islower() for t in texts) and any(t.istitle() for t in texts)
    assert any(any(c.isdigit() for c in t) for t in texts)
    assert sum(" " not in t for t in texts) > 0.6 * len(texts)  # mostly single words


def test_letters_stand_out_from_what_lies_under_them() -> None:
    rng = np.random.default_rng(1)
    for under in (np.float32([20, 20, 20]), np.float32([240, 240, 240]), np.float32([120, 60, 200])):
        colour = _standing_out(rng, under, 70)
        assert abs(_luma(colour) - _luma(under)) >= 70


def test_background_patches_avoid_the_photos_own_text(tmp_path: Path) -> None:
    backgrounds = Backgrounds.load(_photo_with_text_on_the_left(tmp_path))
    rng = np.random.default_rng(2)
    from_photo = 0
    for _ in range(60):
        patch = backgrounds.patch(rng, 24, 60)
        assert patch.shape == (24, 60, 3)
        red = (patch[..., 0] > 200) & (patch[..., 1] < 40) & (patch[..., 2] < 40)
        blue = (patch[..., 2] > 200) & (patch[..., 0] < 40) & (patch[..., 1] < 40)
        assert not red.any()
        from_photo += bool(blue.all())
    assert from_photo > 30  # most patches come from the photo, a few are made up


def test_bad_background_sources_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TextlensError, match="no such folder or manifest"):
        Backgrounds.load(tmp_path / "missing")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"image": "a.png", "regions": [{"quad": 5}]}\n')
    with pytest.raises(TextlensError, match="broken.jsonl:1"):
        Backgrounds.load(broken)


def test_synth_words_writes_a_manifest_of_colour_crops(tmp_path: Path, capsys) -> None:
    out = tmp_path / "words"
    manifest = _photo_with_text_on_the_left(tmp_path)
    args = ["synth", "words", "-n", "6", "-o", str(out), "--seed", "3", "--backgrounds", str(manifest)]
    assert main(args) == 0
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all(row["text"] for row in rows)
    image = cv2.imread(str(out / rows[0]["image"]), cv2.IMREAD_UNCHANGED)
    assert image is not None and image.ndim == 3
    assert main(["synth", "words", "-n", "1", "-o", str(tmp_path / "x"), "--backgrounds", str(tmp_path / "no")]) == 2
    assert "no such folder or manifest" in capsys.readouterr().err
