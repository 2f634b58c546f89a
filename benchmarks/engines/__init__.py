"""Engine adapters. Each module defines ``Engine`` with the same small interface:

* ``Engine.unavailable() -> str | None``: why it cannot run here (``None`` when it can);
* ``Engine(threads, model)``: loads models (timed separately as "load");
* ``read_crops(paths) -> list[str]``: one text per single-line crop;
* ``read_page(path) -> (text, polygons)``: page text (lines joined by newlines, reading
  order) and line polygons as ``[[x, y], ...]`` in page pixels;
* ``version -> str``: shown in the results table.

Adapters are imported only inside their worker subprocess, after the thread variables
are set, so one engine's imports and thread pools never affect another's.
"""

from __future__ import annotations

import importlib

ENGINES = {
    "textlens": "benchmarks.engines.textlens_engine",
    "tesseract": "benchmarks.engines.tesseract",
    "rapidocr": "benchmarks.engines.rapidocr",
}


def engine_class(name: str) -> type:
    return importlib.import_module(ENGINES[name]).Engine
