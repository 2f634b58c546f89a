"""The rendered Russian lines of benchmarks/script_lines.py: what they hold and how they look."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image


def test_russian_lines_are_printed_in_held_out_fonts_and_scanned_bilevel(tmp_path):
    from benchmarks.script_lines import RUSSIAN, render_russian
    from textlens.synth.fonts import discover_fonts, font_info
    from textlens.synth.lines import held_out_family

    folder = render_russian(tmp_path / "ru", count=4, seed=3)
    manifest = (folder / "manifest.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in manifest.splitlines()]
    assert len(rows) == 4
    for row in rows:
        assert any(c in RUSSIAN for c in row["text"])
        pixels = np.asarray(Image.open(folder / row["image"]))
        assert set(np.unique(pixels)) <= {0, 255} and pixels.shape[0] > 40  # bilevel, at 300 dpi
    used = {row["font"] for row in rows}
    paths = [p for p in discover_fonts() if Path(p).name in used]
    assert paths and all(held_out_family(font_info(p).family) for p in paths)
    again = render_russian(tmp_path / "ru", count=4, seed=3)  # kept, not drawn again
    assert (again / "manifest.jsonl").read_text(encoding="utf-8") == manifest
    other = render_russian(tmp_path / "ru", count=4, seed=4)  # another seed: drawn anew
    assert (other / "manifest.jsonl").read_text(encoding="utf-8") != manifest


def test_script_line_scores_compare_after_nfc_and_can_drop_accents():
    from benchmarks.script_lines import cer

    assert cer(["café"], ["cafe\u0301"], arabic=False) == 0.0  # NFC: é either way
    assert cer(["cafe"], ["café"], arabic=False) == 25.0
    assert cer(["cafe"], ["café"], arabic=False, accents=False) == 0.0
