"""The human-baseline tool: labels stay off the sheets, and transcriptions are scored like engines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

TEXTS = ["h3ll0", "w0rld", "abc1", "xyz", "qq7", "m00n", "k1te", "s4il", "tree", "pond", "lamp", "r1ng"]


@pytest.fixture
def data(tmp_path: Path, crop_set: Callable[[Path, list[str]], Path]) -> Path:
    return crop_set(tmp_path / "set", TEXTS)


def _write_reads(path: Path, reads: list[str]) -> Path:
    path.write_text("# a comment line\n" + "\n".join(reads) + "\n", encoding="utf-8")
    return path


def test_sheets_hold_the_whole_sample_ten_to_a_sheet(data: Path, tmp_path: Path) -> None:
    from benchmarks.human_read import main, sample

    assert main(["sheets", str(data), "--count", "12", "-o", str(tmp_path / "sheets")]) == 0
    sheets = sorted((tmp_path / "sheets").glob("*.png"))
    assert [p.name for p in sheets] == ["sheet00.png", "sheet01.png"]
    # 32-px crops plus a 6-px gap each: ten on the first sheet, two on the second.
    assert [Image.open(p).size for p in sheets] == [(780, 380), (780, 76)]
    assert sorted(item.text for item in sample(str(data), 12, 2026)) == sorted(TEXTS)


def test_the_same_seed_draws_the_same_sample(data: Path) -> None:
    from benchmarks.human_read import sample

    first = [item.text for item in sample(str(data), 5, 7)]
    assert first == [item.text for item in sample(str(data), 5, 7)]
    assert first != [item.text for item in sample(str(data), 5, 8)]


def test_score_counts_lookalike_swaps_and_unreadable_crops(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks.human_read import main, sample

    labels = [item.text for item in sample(str(data), len(TEXTS), 1)]
    reads = list(labels)
    with_zero = [i for i, label in enumerate(labels) if "0" in label]
    plain = [i for i, label in enumerate(labels) if not any(c in label for c in "01")]
    reads[with_zero[0]] = labels[with_zero[0]].replace("0", "o")  # a look-alike swap
    reads[with_zero[1]] = labels[with_zero[1]].upper()  # case does not count
    reads[plain[0]] = "?"
    reads[plain[1]] += "z"
    transcription = _write_reads(tmp_path / "r.txt", reads)
    assert main(["score", str(data), str(transcription), "--count", str(len(TEXTS)), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert f"whole-sequence accuracy, case-insensitive: {(len(TEXTS) - 3) / len(TEXTS):.1%}" in out
    assert "wrong only by 0/o or 1/i/l: 1 " in out
    assert "marked unreadable: 1" in out


def test_a_transcription_of_the_wrong_length_is_a_one_line_error(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks.human_read import main

    reads = _write_reads(tmp_path / "r.txt", ["one", "two"])
    assert main(["score", str(data), str(reads), "--count", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("human_read: ") and "has 2 transcriptions; the sample has 3 crops" in err
    assert "\n" not in err


def test_a_sample_larger_than_the_set_is_refused(data: Path, tmp_path: Path) -> None:
    from benchmarks.human_read import main

    assert main(["sheets", str(data), "--count", "50", "-o", str(tmp_path / "s")]) == 2
