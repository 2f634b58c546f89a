"""A tiny end-to-end detector run: synthetic page manifest -> train -> resume -> export -> eval."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import torch

from textlens.cli import main
from textlens.detection.model import DetectorConfig
from textlens.errors import TextlensError
from textlens.synth.pages import render_page
from textlens.training.detector import (
    DetectorTrainConfig,
    db_loss,
    load_checkpoint,
    load_pages,
    sample_crop,
    split_pages,
    train_detector,
)

TINY = DetectorConfig(
    channels=(8, 8, 16, 16, 24), blocks=(1, 1, 1, 1), expansion=2, fpn_channels=16, head_channels=8, long_side=256
)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    """Six synthetic pages written as a page manifest (one region marked don't-care)."""
    root = tmp_path_factory.mktemp("pages")
    (root / "img").mkdir()
    rng = np.random.default_rng(0)
    lines = []
    for i in range(6):
        page = render_page(rng, style=["receipt", "document"][i % 2], degrade=0.5)
        name = f"img/p{i}.png"
        cv2.imwrite(str(root / name), page.image[..., ::-1])
        regions = [{"quad": q.reshape(-1).round(1).tolist(), "text": t} for q, t in zip(page.quads, page.texts)]
        regions[0]["text"] = "###"
        lines.append(json.dumps({"image": name, "regions": regions}))
    path = root / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_load_and_split_pages(manifest):
    pages = load_pages(manifest)
    assert len(pages) == 6 and pages[0].ignore[0] and not any(pages[0].ignore[1:])
    train, val = split_pages(pages, 3)
    assert len(val) == 1 and len(train) == 5  # at most a fifth of the pages are held out
    assert not {p.image for p in train} & {p.image for p in val}


def test_multiline_regions_become_dont_care():
    from textlens.training.detector import is_multiline

    line = np.array([[0, 0], [200, 0], [200, 20], [0, 20]], np.float32)
    block = np.array([[0, 0], [200, 0], [200, 60], [0, 60]], np.float32)
    text = "x" * 30  # ~30 characters fit a 200 x 20 line
    assert not is_multiline(line, text, 20.0)
    assert is_multiline(block, text * 3, 20.0)  # three lines of text in one tall box
    assert not is_multiline(block, "BIG TITLE", 20.0)  # a tall single line: large type


def test_crops_keep_polygons_aligned(manifest):
    page = load_pages(manifest)[1]
    image = cv2.imread(page.image)[..., ::-1]
    cfg = DetectorTrainConfig(model=TINY, crop=128, rotate90=1.0)
    crop, polys, ignore = sample_crop(image, list(page.polygons), list(page.ignore), np.random.default_rng(3), cfg)
    assert crop.shape == (128, 128, 3) and crop.dtype == np.uint8
    assert len(polys) == len(ignore) and polys


def test_loss_is_finite_and_decreases_for_perfect_output():
    gt = torch.zeros(1, 1, 32, 32)
    gt[..., 10:20, 5:25] = 1
    batch = {
        "gt": gt,
        "mask": torch.ones_like(gt),
        "thresh": torch.full_like(gt, 0.3),
        "thresh_mask": torch.ones_like(gt),
    }
    bad = {"prob": torch.full_like(gt, 0.5), "thresh": torch.full_like(gt, 0.5), "binary": torch.full_like(gt, 0.5)}
    good = {"prob": gt.clamp(0.01, 0.99), "thresh": torch.full_like(gt, 0.3), "binary": gt}
    assert db_loss(good, batch)["loss"] < db_loss(bad, batch)["loss"]
    assert torch.isfinite(db_loss(bad, batch)["loss"])


def test_train_resume_export_eval(manifest, tmp_path, capsys):
    out = tmp_path / "run"
    cfg = DetectorTrainConfig(
        out_dir=str(out),
        data=[f"{manifest}@1"],
        synth_ratio=0.3,
        synth_pool=2,
        model=TINY,
        crop=96,
        batch_size=2,
        max_steps=2,
        val_pages=1,
        resume=False,
    )
    result = train_detector(cfg, log=lambda _: None)
    assert result.steps == 2 and (out / "last.pt").exists() and result.best_checkpoint.exists()
    state = load_checkpoint(out / "last.pt")
    assert state["model_config"]["channels"] == list(TINY.channels) and state["history"]
    held_out = list(out.glob("heldout-*.jsonl"))  # the pages training never saw, for `eval detector`
    assert len(held_out) == 1 and len(held_out[0].read_text().splitlines()) == 1

    cfg.max_steps, cfg.resume = 3, True
    assert train_detector(cfg, log=lambda _: None).steps == 3
    assert train_detector(cfg, log=lambda _: None).steps == 3  # budget used up: a re-run changes nothing

    onnx = tmp_path / "tiny-det.onnx"
    assert (
        main(["export", "detector", str(out / "best.pt"), "--out", str(onnx), "--tune", "--tune-long-sides", "256,320"])
        == 0
    )
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "tiny-det" and len(info["sha256"]) == 64 and onnx.exists()
    assert {"unclip_ratio", "box_thresh", "hmean"} <= set(info["tuned"])  # tuned on the held-out page
    assert info["postprocess"]["long_side"] in (256, 320)

    assert main(["eval", "detector", "--data", str(manifest), "--model", str(onnx), "--limit", "2"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert {"precision", "recall", "hmean", "seconds_per_page"} <= set(metrics)


def test_cli_user_errors(manifest, tmp_path, capsys):
    (tmp_path / "last.pt").write_bytes(b"x")
    assert main(["train", "detector", "--data", str(manifest), "--out", str(tmp_path)]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["eval", "detector", "--data", str(tmp_path / "nope.jsonl"), "--model", "x.onnx"]) == 2
    with pytest.raises(TextlensError):
        load_checkpoint(tmp_path / "last.pt")
    with pytest.raises(TextlensError, match="sroie-test"):
        train_detector(DetectorTrainConfig(data=["/data/sroie-test/manifest.jsonl"]))


def test_a_shipped_onnx_detector_is_a_starting_point_for_training(manifest, tmp_path):
    import numpy as np
    import onnxruntime as ort
    import torch

    from textlens.models.registry import resolve_model
    from textlens.training.onnx_init import detector_from_onnx

    path = resolve_model("doc-dbnet", "detector")
    model = detector_from_onnx(path).eval()
    x = np.random.default_rng(0).normal(size=(1, 3, 64, 96)).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ours = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, session.run(None, {session.get_inputs()[0].name: x})[0], atol=1e-5)

    out = tmp_path / "run"
    cfg = DetectorTrainConfig(
        out_dir=str(out),
        data=[f"{manifest}@1"],
        synth_ratio=0.0,
        crop=96,
        batch_size=2,
        max_steps=2,
        val_pages=1,
        resume=False,
        init="doc-dbnet",
    )
    assert train_detector(cfg, log=lambda _: None).steps == 2
    state = load_checkpoint(out / "last.pt")
    assert state["model_config"]["channels"] == list(model.config.channels)
    bn = state["state_dict"]["backbone.stem.1.running_var"]
    assert torch.allclose(bn, torch.full_like(bn, 1 - 1e-5))  # folded batch norms stay fixed


def test_an_int8_or_foreign_model_cannot_start_training(tmp_path):
    from textlens.models.registry import resolve_model
    from textlens.training.onnx_init import detector_from_onnx

    with pytest.raises(TextlensError, match="INT8"):
        detector_from_onnx(resolve_model("doc-dbnet-int8", "detector"))
    with pytest.raises(TextlensError, match="not a textlens detector"):
        detector_from_onnx(resolve_model("latin-crnn", "recognizer"))
