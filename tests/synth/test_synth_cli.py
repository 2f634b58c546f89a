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


def test_synth_lines_in_arabic_are_labelled_in_reading_order_without_harakat(tmp_path: Path) -> None:
    from textlens.recognition.charset import ARABIC_MARKS

    out = tmp_path / "arabic"
    assert main(["synth", "lines", "-n", "6", "-o", str(out), "--script", "arabic", "--fonts", "all"]) == 0
    texts = [row["text"] for row in _read(out)]
    assert all(not set(t) & set(ARABIC_MARKS) for t in texts)
    assert sum(t.split()[0] in ("في", "من", "على", "أن", "إلى") for t in texts) >= 1 or any("ال" in t for t in texts)


def test_synth_lines_refuses_an_unknown_script_or_font_split(tmp_path: Path, capsys) -> None:
    assert main(["synth", "lines", "-n", "1", "-o", str(tmp_path / "x"), "--script", "klingon"]) == 2
    assert "--script" in capsys.readouterr().err
    assert main(["synth", "lines", "-n", "1", "-o", str(tmp_path / "y"), "--fonts", "some"]) == 2
    assert "--fonts" in capsys.readouterr().err


def test_pure_script_lines_are_all_in_that_script(tmp_path: Path) -> None:
    import unicodedata

    out = tmp_path / "cyrillic"
    assert main(["synth", "lines", "-n", "8", "-o", str(out), "--script", "cyrillic", "--pure"]) == 0
    for row in _read(out):
        assert any("CYRILLIC" in unicodedata.name(c, "") for c in row["text"]), row["text"]
