"""The benchmark harness end to end on tiny sets it draws itself (engines may be missing)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw


def test_crop_set_runs_and_writes_one_table(tmp_path: Path, crop_set: Callable[[Path, list[str]], Path]) -> None:
    from benchmarks.run import main

    data = crop_set(tmp_path / "tiny-lines", ["HELLO", "WORLD 42"])
    out = tmp_path / "results" / "tiny.md"
    assert main(["--data", str(data), "--engines", "tesseract", "--out", str(out)]) == 0
    table = out.read_text(encoding="utf-8")
    assert table.startswith("### tiny-lines: 2 crops, 1 thread(s) per engine")
    assert "| CER % (ci) | CER % |" in table
    row = next(line for line in table.splitlines() if line.startswith("| tesseract"))
    assert "not installed" in row or row.count("|") == 10  # scored, or says why not
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["tiny-lines"]["kind"] == "crops"


@pytest.mark.skipif(importlib.util.find_spec("rapidocr_onnxruntime") is not None, reason="RapidOCR importable here")
def test_missing_engine_is_a_row_not_a_crash(tmp_path: Path, crop_set: Callable[[Path, list[str]], Path]) -> None:
    from benchmarks.run import main

    data = crop_set(tmp_path / "tiny", ["A"])
    out = tmp_path / "t.md"
    args = ["--data", str(data), "--engines", "rapidocr", "--bench-venv", str(tmp_path / "none"), "--out", str(out)]
    assert main(args) == 0
    assert "| rapidocr | not installed" in out.read_text(encoding="utf-8")


def test_page_set_runs_textlens_end_to_end_with_word_boxes(tmp_path: Path) -> None:
    import numpy as np

    from benchmarks.run import main
    from textlens.synth.pages import render_page

    page = render_page(np.random.default_rng(2), style="receipt", degrade=0.0)
    Image.fromarray(page.image).save(tmp_path / "p.png")
    regions = [{"quad": [float(v) for v in q.reshape(-1)], "text": t} for q, t in zip(page.quads, page.texts)]
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"image": "p.png", "text": "", "regions": regions}) + "\n")
    out = tmp_path / "pages.md"
    assert main(["--data", str(tmp_path), "--engines", "textlens", "--out", str(out)]) == 0
    row = next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| textlens"))
    assert "failed" not in row and row.count("|") == 13, row


def test_page_set_scoring_of_a_perfect_prediction(tmp_path: Path) -> None:
    from benchmarks.dataset import load_set
    from benchmarks.run import score

    regions = [
        {"quad": [0, 0, 50, 0, 50, 10, 0, 10], "text": "TOTAL 1.00"},
        {"quad": [0, 20, 50, 20, 50, 30, 0, 30], "text": "###"},
    ]
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"image": "p.png", "text": "TOTAL 1.00\n###", "regions": regions}) + "\n", encoding="utf-8"
    )
    bench = load_set(tmp_path)
    assert bench.kind == "pages"
    pred = {
        "text": "Total 1.00",
        "polygons": [[[0, 0], [50, 0], [50, 10], [0, 10]], [[0, 20], [50, 20], [50, 30], [0, 30]]],
    }
    scores = score(bench, [pred])
    # '###' is neither in the reference text nor a false positive when detected
    assert scores["cer_ci"] == 0.0 and scores["cer"] == pytest.approx(4 / 10)
    assert scores["bow_f1"] == 1.0 and scores["det_hmean"] == 1.0


def test_word_level_sets_score_word_boxes_where_an_engine_gives_them(tmp_path: Path) -> None:
    from benchmarks.dataset import load_set
    from benchmarks.run import score, word_level

    regions = [
        {"quad": [0, 0, 20, 0, 20, 10, 0, 10], "text": "OPEN"},
        {"quad": [30, 0, 50, 0, 50, 10, 30, 10], "text": "24h"},
    ]
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"image": "p.png", "text": "", "regions": regions}) + "\n")
    bench = load_set(tmp_path)
    line = [[[0, 0], [50, 0], [50, 10], [0, 10]]]
    words = [[[0, 0], [20, 0], [20, 10], [0, 10]], [[30, 0], [50, 0], [50, 10], [30, 10]]]
    assert word_level(bench)
    assert score(bench, [{"text": "OPEN 24h", "polygons": line, "word_polygons": words}])["det_hmean"] == 1.0
    assert score(bench, [{"text": "OPEN 24h", "polygons": line}])["det_hmean"] == 0.0  # lines only: no match


def test_bad_data_folder_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.run import main

    assert main(["--data", str(tmp_path / "nope"), "--engines", "tesseract"]) == 2
    assert "benchmarks: error:" in capsys.readouterr().err


def test_scene_paste_reads_large_words_on_photo_like_pages(tmp_path):
    from benchmarks import scene_paste

    signs = ["HOTEL", "OPEN", "CITY", "PARK", "BAKERY", "EXIT", "SALE", "MARKET", "TAXI", "GARDEN", "STOP", "CAFE"]
    words = [f"{sign}{i}" for i in range(3) for sign in signs]  # 36: the held-out 10% holds 3
    folder = tmp_path / "signs"
    (folder / "img").mkdir(parents=True)
    from PIL import ImageFont

    from textlens.synth.fonts import discover_fonts

    font = ImageFont.truetype(discover_fonts("".join(words))[0], 26)
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for i, text in enumerate(words):
            image = Image.new("RGB", (20 + int(font.getlength(text)), 36), "white")
            ImageDraw.Draw(image).text((10, 3), text, fill="black", font=font)
            image.save(folder / "img" / f"{i}.png")
            manifest.write(json.dumps({"image": f"img/{i}.png", "text": text}) + "\n")
    out = tmp_path / "scene.md"
    assert scene_paste.main(["--data", str(folder), "--pages", "2", "--threads", "1", "--out", str(out)]) == 0
    row = out.read_text().splitlines()[2].split("|")
    pages, words_on_pages, detected, read = int(row[2]), int(row[3]), float(row[4]), float(row[5])
    assert (pages, words_on_pages) == (2, 6)
    assert detected == 100.0 and read >= 50.0  # clean black-on-white words, 60 px tall
    assert scene_paste.main(["--data", str(tmp_path / "missing"), "--pages", "1"]) == 2
