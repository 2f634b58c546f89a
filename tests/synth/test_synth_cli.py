from __future__ import annotations

import json
from pathlib import Path

import cv2

from textlens.cli import main


def _read(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def test_synth_lines_writes_manifest(tmp_path: Path) -> None:
    out = tmp_path / "lines"
    assert main(["synth", "lines", "--count", "12", "--out", str(out), "--seed", "3", "--height", "40"]) == 0
    rows = _read(out)
    assert len(rows) == 12 and len(list((out / "img").glob("*.png"))) == 12
    for row in rows:
        img = cv2.imread(str(out / row["image"]), cv2.IMREAD_UNCHANGED)
        assert img is not None and img.ndim == 2 and img.shape[0] == 40
        assert row["text"] and row["text"] == row["text"].strip()


def test_synth_lines_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["synth", "lines", "-n", "4", "-o", str(a), "--seed", "9"]) == 0
    assert main(["synth", "lines", "-n", "4", "-o", str(b), "--seed", "9"]) == 0
    assert _read(a) == _read(b)
    for row in _read(a):
        assert (a / row["image"]).read_bytes() == (b / row["image"]).read_bytes()


def test_synth_lines_bad_out(tmp_path: Path, capsys) -> None:
    f = tmp_path / "file.txt"
    f.write_text("x")
    assert main(["synth", "lines", "-n", "1", "-o", str(f)]) == 2
    assert "textlens: error:" in capsys.readouterr().err
