"""A real `textlens serve` process for the package's tests, and pages drawn by our synthesizer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from textlens.synth.pages import render_page

sys.path.insert(0, str(Path(__file__).parent))
from server_process import Server, png_bytes, start_server, stop_server  # noqa: E402


@pytest.fixture(scope="package")
def server(tmp_path_factory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("serve"), "--max-pages", "4", "--max-upload-mb", "3")
    yield running
    log = stop_server(running)
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="package")
def page_image() -> np.ndarray:
    """A clean synthetic receipt-like page (the same every run)."""
    return render_page(np.random.default_rng(7), style="receipt", degrade=0.0).image


@pytest.fixture(scope="package")
def page_png(page_image) -> bytes:
    return png_bytes(page_image)
