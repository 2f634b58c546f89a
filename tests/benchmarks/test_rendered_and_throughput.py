"""The rendered page set (known reading order) and the whole-process throughput harness."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("wordfreq")


def test_rendered_pages_are_a_bilevel_page_set_with_one_region_per_line(tmp_path: Path) -> None:
    from benchmarks.dataset import load_set
    from benchmarks.rendered_pages import main

    assert main(["--out", str(tmp_path), "--pages", "2", "--seed", "3"]) == 0
    bench = load_set(tmp_path)
    assert bench.kind == "pages" and len(bench.items) == 2
    for item in bench.items:
        image = Image.open(item.image)
        assert image.mode == "1" and image.size == (2480, 3508) and round(image.info["dpi"][0]) == 300
        assert item.text == "\n".join(r["text"] for r in item.regions)  # reading order = region order
        pixels = np.asarray(image.convert("L"))
        for region in item.regions[:5]:
            x0, y0, x1, y1 = (int(v) for v in (region["quad"][0], region["quad"][1], *region["quad"][4:6]))
            assert (pixels[y0:y1, x0:x1] == 0).any()  # ink where each line is said to be
    first = json.loads((tmp_path / "manifest.jsonl").read_text().splitlines()[0])
    assert main(["--out", str(tmp_path / "again"), "--pages", "2", "--seed", "3"]) == 0
    assert json.loads((tmp_path / "again" / "manifest.jsonl").read_text().splitlines()[0]) == first  # seeded


def test_throughput_measures_whole_processes_and_their_memory(tmp_path: Path) -> None:
    from benchmarks.throughput import run_measured

    script = "import time; x = bytearray(80 * 2**20); time.sleep(0.3)"
    wall, cpu, memory = run_measured([[sys.executable, "-c", script]] * 2, env={"PATH": "/usr/bin:/bin"})
    assert 0.3 <= wall < 10 and cpu >= 0
    assert memory.tree_peak >= 160 and memory.process_peak >= 80  # two 80 MB processes at once
