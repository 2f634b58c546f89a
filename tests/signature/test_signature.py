"""Signature verification: preprocessing, metrics, a tiny training run exported and verified with ONNX."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from textlens.errors import TextlensError
from textlens.eval.verification import equal_error_rate, roc_points
from textlens.signature.preprocess import HEIGHT, WIDTH, normalise
from textlens.signature.verifier import score, spread
from textlens.synth.signatures import render_signature


def test_a_signature_is_cropped_centred_and_scaled_keeping_its_proportions():
    page = np.full((400, 900), 250, np.uint8)
    page[300:380, 600:860] = render_signature(3, size=(80, 260))
    out = normalise(page)
    assert out.shape == (HEIGHT, WIDTH) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0 and out.max() > 0.5
    ys, xs = np.nonzero(out > 0.2)
    assert abs((xs.min() + xs.max()) / 2 - WIDTH / 2) < 8 and abs((ys.min() + ys.max()) / 2 - HEIGHT / 2) < 8
    assert xs.max() - xs.min() > 0.9 * (WIDTH - 4)  # the wide signature fills the width


def test_a_blank_page_has_no_signature():
    with pytest.raises(TextlensError, match="no signature"):
        normalise(np.full((100, 200), 240, np.uint8))


def test_equal_error_rate_of_separate_and_of_mixed_scores():
    eer, threshold = equal_error_rate(np.array([0.1, 0.2, 0.3]), np.array([0.6, 0.7, 0.9]))
    assert eer == 0.0 and 0.3 <= threshold < 0.6
    rng = np.random.default_rng(0)
    same = rng.normal(0, 1, 4000)
    eer, _ = equal_error_rate(same, rng.normal(0, 1, 4000))
    assert 0.45 < eer < 0.55
    _, far, frr = roc_points(same, same + 1)
    assert np.all(np.diff(far) >= 0) and np.all(np.diff(frr) <= 0)


def test_the_score_is_in_units_of_the_references_spread():
    refs = np.eye(3, 4, dtype=np.float32)
    assert spread(refs) == pytest.approx(1.0)
    query = refs[0]
    assert score(query, refs) < score(np.array([0, 0, 0, 1], np.float32), refs)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A few minutes' worth of nothing: 40 steps on 12 synthetic writers, exported to ONNX."""
    pytest.importorskip("torch")
    from textlens.training.signatures import SignatureTrainConfig, export_onnx, train

    root = tmp_path_factory.mktemp("signatures")
    (root / "img").mkdir()
    lines = []
    for writer in range(12):
        for sample in range(8):
            forged = sample >= 6
            name = f"img/w{writer}_{'f' if forged else 'g'}{sample}.png"
            Image.fromarray(render_signature(writer, forged=forged, sample=sample)).save(root / name)
            lines.append(json.dumps({"image": name, "writer": f"{writer:03d}", "genuine": not forged}))
    (root / "manifest.jsonl").write_text("\n".join(lines + ["not json", '{"image": "img/missing.png"}']) + "\n")
    config = SignatureTrainConfig(
        manifests=[str(root / "manifest.jsonl")], out=str(root / "run"), val_writers=4, references=3,
        steps=40, val_every=20, threads=1, batch_writers=4, per_writer=2,
    )  # fmt: skip
    best = train(config)
    model = export_onnx(root / "run" / "best.pt", root / "sig.onnx")
    return best, model, root


def test_training_holds_writers_out_and_the_export_verifies_without_torch(trained):
    from textlens.signature.verifier import SignatureVerifier

    best, model, root = trained
    assert 0.0 <= best["eer"] <= 1.0 and "threshold" in best
    summary = json.loads((root / "run" / "summary.json").read_text())
    assert len(summary["validation_writers"]) == 4
    verifier = SignatureVerifier(model, threads=1)
    refs = [render_signature(100, sample=s) for s in range(3)]
    result = verifier.verify(render_signature(100, sample=7), refs)
    assert result.threshold == pytest.approx(best["threshold"]) and "equal-error-rate" in result.meaning
    assert isinstance(result.genuine, bool) and result.score >= 0
    embedded = verifier.embed(refs)
    assert embedded.shape[0] == 3 and np.allclose(np.linalg.norm(embedded, axis=1), 1.0, atol=1e-4)


def test_a_signature_on_a_transparent_background_is_read_as_ink_on_paper():
    grey = render_signature(4)
    rgba = np.zeros((*grey.shape, 4), np.uint8)
    rgba[..., 3] = 255 - grey  # the ink is opaque, the paper transparent (black underneath)
    transparent, opaque = normalise(rgba), normalise(grey)
    assert np.abs(transparent - opaque).mean() < 0.005 and np.abs(transparent - opaque).max() < 0.2
