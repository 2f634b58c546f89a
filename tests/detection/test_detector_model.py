"""The detector network: shapes, config round trip, and ONNX Runtime parity with PyTorch."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from textlens.detection.model import DBNet, DetectorConfig
from textlens.errors import TextlensError

TINY = DetectorConfig(channels=(8, 8, 16, 16, 24), blocks=(1, 1, 1, 1), expansion=2, fpn_channels=16, head_channels=8)


def test_output_shapes():
    torch.manual_seed(0)
    model = DBNet(TINY).eval()
    x = torch.randn(2, 3, 96, 160)
    with torch.no_grad():
        prob = model(x)
    assert prob.shape == (2, 1, 96, 160)
    assert float(prob.min()) >= 0 and float(prob.max()) <= 1
    out = model.train().forward_train(x)
    assert set(out) == {"prob", "thresh", "binary"}
    assert all(v.shape == (2, 1, 96, 160) for v in out.values())


def test_config_round_trip_and_validation():
    data = json.loads(json.dumps(TINY.to_dict()))
    assert DetectorConfig.from_dict(data) == TINY
    with pytest.raises(TextlensError):
        DetectorConfig.from_dict({**data, "bogus": 1})
    with pytest.raises(TextlensError):
        DetectorConfig(long_side=1000).validate()


def test_default_model_is_small():
    n = sum(p.numel() for p in DBNet().parameters())
    assert n < 1_000_000  # < 4 MB in fp32


def test_onnx_matches_pytorch(tmp_path):
    pytest.importorskip("onnx")
    from textlens.detection.export import export_model
    from textlens.runtime.session import create_session, model_metadata

    torch.manual_seed(0)
    model = DBNet(TINY)
    # Non-trivial batch-norm statistics, so parity covers them too.
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model.forward_train(torch.randn(2, 3, 64, 64))
    model.eval()
    path = export_model(model, tmp_path / "tiny.onnx", "tiny")
    session = create_session(path, threads=1)
    meta = model_metadata(session)
    assert meta["textlens_kind"] == "detector" and meta["name"] == "tiny"
    assert DetectorConfig.from_dict(meta["config"]) == TINY
    for shape in [(1, 3, 64, 96), (1, 3, 160, 128)]:  # dynamic height and width
        x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        got = session.run(None, {"image": x})[0]
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, atol=1e-4)
