"""The ONNX Runtime predictor: loading, input handling, coordinates in original pixels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from textlens.detection.model import DBNet, DetectorConfig
from textlens.detection.preprocess import input_size, prepare
from textlens.errors import TextlensError

TINY = DetectorConfig(
    channels=(8, 8, 16, 16, 24), blocks=(1, 1, 1, 1), expansion=2, fpn_channels=16, head_channels=8, long_side=256
)


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory):
    pytest.importorskip("onnx")
    from textlens.detection.export import export_model

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("det") / "tiny-det.onnx"
    return export_model(DBNet(TINY), path, "tiny-det")


def test_input_size_policy():
    assert input_size(1000, 463, 1024) == (1024, 480)
    assert input_size(100, 3000, 1024) == (32, 1024)
    tensor, (sx, sy) = prepare(np.zeros((1000, 463, 3), np.uint8), 1024, (0, 0, 0), (1, 1, 1))
    assert tensor.shape == (1, 3, 1024, 480) and tensor.dtype == np.float32
    assert sx == pytest.approx(463 / 480) and sy == pytest.approx(1000 / 1024)


def test_predict_returns_regions_in_image_coordinates(tiny_onnx):
    from textlens.detection.predictor import DetectedRegion, Detector

    det = Detector.load(tiny_onnx, threads=1)
    assert det.info.kind == "detector" and det.info.name == "tiny-det" and len(det.info.sha256) == 64
    det.postprocess.box_thresh = 0.0  # an untrained model: accept anything it finds
    det.postprocess.bin_thresh = 0.01
    image = np.full((300, 500, 3), 255, np.uint8)
    regions = det.predict(image)
    assert all(isinstance(r, DetectedRegion) for r in regions)
    for r in regions:
        assert all(0 <= x <= 500 and 0 <= y <= 300 for x, y in r.polygon)
    assert det.predict(np.full((300, 500), 255, np.uint8)) is not None  # grey input


def test_refuses_non_detector_models(tmp_path):
    from textlens.detection.predictor import Detector

    bad = tmp_path / "x.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(TextlensError):
        Detector.load(bad)
    with pytest.raises(TextlensError):
        Detector.load(tmp_path / "missing.onnx")
