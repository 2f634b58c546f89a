"""`textlens export int8`: an INT8 recognizer calibrated on rendered lines reads like the float one."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("onnx")

from textlens.cli import main  # noqa: E402
from textlens.recognition.predictor import Recognizer  # noqa: E402
from textlens.runtime.session import create_session, model_metadata  # noqa: E402
from textlens.synth.lines import LineSynthConfig, LineSynthesizer  # noqa: E402


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lines")
    synth = LineSynthesizer(LineSynthConfig(max_chars=24))
    rng = np.random.default_rng(11)
    texts = []
    for i in range(12):
        image, text = synth.sample(rng)
        Image.fromarray(image).save(folder / f"line{i:02d}.png")
        texts.append(text)
    return folder, texts


def test_int8_recognizer_keeps_its_metadata_and_reads_like_the_float_one(lines, tmp_path, capsys):
    folder, _ = lines
    out = tmp_path / "rec-int8.onnx"
    assert main(["export", "int8", "latin-crnn", "-o", str(out), "--lines", str(folder), "--name", "mine"]) == 0
    assert "recognizer, calibrated on" in capsys.readouterr().out
    meta = model_metadata(create_session(out, 1))
    assert meta["textlens_kind"] == "recognizer" and meta["name"] == "mine" and meta["quantized"] == "int8"
    ops = {node.op_type for node in __import__("onnx").load(str(out)).graph.node}
    assert {"QuantizeLinear", "DynamicQuantizeLSTM"} <= ops and "LSTM" not in ops

    crops = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.iterdir())]
    floats = Recognizer.load("latin-crnn", threads=1, lm="none").predict(crops)
    int8 = Recognizer.load(out, threads=1, lm="none").predict(crops)
    from rapidfuzz.distance import Levenshtein

    distance = sum(Levenshtein.distance(a.text, b.text) for a, b in zip(floats, int8))
    assert distance <= 0.02 * sum(len(a.text) for a in floats) + 1


def test_export_int8_refuses_what_it_cannot_quantize(tmp_path, capsys):
    lm = tmp_path / "x.onnx"
    lm.write_bytes(b"not a model")
    assert main(["export", "int8", str(lm), "-o", str(tmp_path / "y.onnx")]) == 2
    assert "not a" in capsys.readouterr().err
    assert main(["export", "int8", "latin-crnn", "-o", str(tmp_path / "y.onnx")]) == 2
    assert "no calibration inputs" in capsys.readouterr().err
