"""Synthetic scene photos: real photos with new signs painted in, every new word's quad labelled."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.synth.scene_photos import ScenePhotoConfig, ScenePhotoSynthesizer
from textlens.synth.scenes import load_photo_pages

SHOP_QUAD = [20, 20, 180, 20, 180, 70, 20, 70]


def _street(tmp_path: Path) -> Path:
    """A 640 x 360 'photo' (smooth colour gradients plus noise) whose top-left corner holds the
    labelled word SHOP, and its page manifest."""
    rng = np.random.default_rng(0)
    ys, xs = np.mgrid[0:360, 0:640]
    photo = np.stack([xs * 0.3 + 40, ys * 0.4 + 60, 200 - xs * 0.2], axis=-1) + rng.normal(0, 4, (360, 640, 3))
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    cv2.rectangle(photo, (20, 20), (180, 70), (250, 250, 250), -1)
    cv2.putText(photo, "SHOP", (30, 62), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0, 0, 0), 3)
    cv2.imwrite(str(tmp_path / "street.png"), photo)
    manifest = tmp_path / "manifest.jsonl"
    regions = [{"quad": SHOP_QUAD, "text": "SHOP"}, {"quad": [400, 300, 440, 300, 440, 320, 400, 320], "text": "###"}]
    manifest.write_text(json.dumps({"image": "street.png", "text": "SHOP", "regions": regions}) + "\n")
    return manifest


def _quad_mask(quad, shape) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.int32(np.reshape(quad, (4, 2)))], 1)
    return mask.astype(bool)


def test_new_words_are_painted_inside_their_quads_away_from_the_photos_own_text(tmp_path: Path) -> None:
    manifest = _street(tmp_path)
    background = cv2.cvtColor(cv2.imread(str(tmp_path / "street.png")), cv2.COLOR_BGR2RGB)
    synth = ScenePhotoSynthesizer(load_photo_pages([manifest]), ScenePhotoConfig(signs=(3, 4), height=(14, 40)))
    added = 0
    for i in range(6):
        photo, regions = synth.sample(np.random.default_rng([5, i]))
        assert photo.shape == background.shape and photo.dtype == np.uint8
        # the photo's own regions come first, unchanged, and its pixels under them are untouched
        assert regions[0] == {"quad": [float(v) for v in SHOP_QUAD], "text": "SHOP"} and regions[1]["text"] == "###"
        shop = _quad_mask(SHOP_QUAD, photo.shape[:2])
        assert np.abs(photo[shop].astype(int) - background[shop].astype(int)).mean() < 6  # noise only
        for region in regions[2:]:
            quad = np.reshape(region["quad"], (4, 2))
            assert region["text"].strip() == region["text"] and " " not in region["text"]  # one word each
            assert (quad >= -1).all() and (quad[:, 0] <= 641).all() and (quad[:, 1] <= 361).all()
            inside = _quad_mask(region["quad"], photo.shape[:2])
            assert not (inside & shop).any()
            changed = np.abs(photo.astype(int) - background.astype(int)).max(axis=2) > 40
            assert changed[inside].mean() > 0.05  # ink lies in the word's quad
            added += 1
    assert added >= 6


def test_the_same_generator_gives_the_same_photo(tmp_path: Path) -> None:
    synth = ScenePhotoSynthesizer(load_photo_pages([_street(tmp_path)]))
    first, first_regions = synth.sample(np.random.default_rng([1, 2]))
    again, again_regions = synth.sample(np.random.default_rng([1, 2]))
    assert np.array_equal(first, again) and first_regions == again_regions


def test_bad_photo_sources_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TextlensError, match="no such folder or manifest"):
        load_photo_pages([tmp_path / "missing"])
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"image": "a.png", "regions": [{"quad": [1, 2, 3], "text": "x"}]}\n')
    with pytest.raises(TextlensError, match="broken.jsonl:1"):
        load_photo_pages([broken])
    (tmp_path / "empty").mkdir()
    with pytest.raises(TextlensError, match="no background photos"):
        load_photo_pages([tmp_path / "empty"])


def test_synth_scenes_writes_a_page_manifest_the_detector_trainer_reads(tmp_path: Path, capsys) -> None:
    from textlens.training.detector import load_pages

    out = tmp_path / "scenes"
    assert main(["synth", "scenes", "-n", "3", "-o", str(out), "--backgrounds", str(_street(tmp_path))]) == 0
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and all(row["image"].endswith(".jpg") for row in rows)
    assert all(row["text"].split("\n") == [r["text"] for r in row["regions"]] for row in rows)
    pages = load_pages(out / "manifest.jsonl")
    assert len(pages) == 3 and all(len(page.polygons) == len(row["regions"]) for page, row in zip(pages, rows))
    assert main(["synth", "scenes", "-n", "1", "-o", str(tmp_path / "x"), "--backgrounds", str(tmp_path / "no")]) == 2
    assert "no such folder or manifest" in capsys.readouterr().err
