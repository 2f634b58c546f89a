"""Augmentation of real line crops: photometric jitter and the geometric warp for CAPTCHAs."""

from __future__ import annotations

import numpy as np

from textlens.synth.lines import LineSynthConfig, LineSynthesizer
from textlens.training.augment import augment_line, warp_line


def _line() -> np.ndarray:
    gray, _ = LineSynthesizer(LineSynthConfig(charset="0123456789")).sample(np.random.default_rng(3))
    return gray


def test_warp_without_strength_only_pads_with_the_background() -> None:
    gray = _line()
    out = warp_line(gray, np.random.default_rng(0), strength=0.0)
    pad = (out.shape[0] - gray.shape[0]) // 2
    assert pad >= 1 and out.shape[1] == gray.shape[1] + 2 * pad
    inner = out[pad : pad + gray.shape[0], pad : pad + gray.shape[1]].astype(int)
    assert np.abs(inner - gray.astype(int)).max() <= 1  # the identity map, up to interpolation rounding
    border = int(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))
    assert abs(int(out[0, 0]) - border) <= 1


def test_warp_moves_strokes_but_keeps_the_ink() -> None:
    gray = _line()
    rng = np.random.default_rng(1)
    outs = [warp_line(gray, rng) for _ in range(5)]
    ink = int((gray < 128).sum())
    for out in outs:
        assert out.dtype == np.uint8 and out.shape[0] > gray.shape[0]
        assert 0.6 * ink < int((out < 128).sum()) < 1.6 * ink  # bent and sheared, not erased or smeared
    pad = (outs[0].shape[0] - gray.shape[0]) // 2
    inner = outs[0][pad : pad + gray.shape[0], pad : pad + gray.shape[1]]
    assert np.abs(inner.astype(int) - gray.astype(int)).mean() > 1.0  # it did change the glyphs
    # Seeded: the same generator state gives the same warp.
    assert np.array_equal(warp_line(gray, np.random.default_rng(9)), warp_line(gray, np.random.default_rng(9)))


def test_augment_keeps_height_and_type() -> None:
    gray = _line()
    rng = np.random.default_rng(2)
    for _ in range(10):
        out = augment_line(gray, rng, 1.0)
        assert out.dtype == np.uint8 and out.ndim == 2 and min(out.shape) >= 8
