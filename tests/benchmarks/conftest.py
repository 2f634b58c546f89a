"""Shared by the benchmark tests: benchmarks/ on the import path, and tiny crop sets drawn here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # benchmarks/ is a top-level folder of the repo, not part of the installed package.
    monkeypatch.syspath_prepend(str(ROOT))


def _draw_crop_set(folder: Path, texts: list[str]) -> Path:
    (folder / "img").mkdir(parents=True)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for i, text in enumerate(texts):
            image = Image.new("RGB", (24 + 8 * len(text), 32), "white")
            ImageDraw.Draw(image).text((10, 10), text, fill="black")
            image.save(folder / "img" / f"{i}.png")
            manifest.write(json.dumps({"image": f"img/{i}.png", "text": text}) + "\n")
    return folder


@pytest.fixture
def crop_set() -> Callable[[Path, list[str]], Path]:
    """``crop_set(folder, texts)``: a crop set of ``texts`` drawn black on white, its folder."""
    return _draw_crop_set
