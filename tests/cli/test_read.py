"""`textlens read` in-process, with the test-double models of tests/layout/read_doubles.py."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from textlens.cli import main
from textlens.layout.orientation import rotate_image
from textlens.pipeline import Pipeline

sys.path.insert(0, str(Path(__file__).parents[1] / "layout"))
from read_doubles import BarDetector, BarRecognizer, draw_page, sample_lines  # noqa: E402

TEXT = "w1 w2 w3\nw4 w5\nw6 w7 w8\n\nw9 w0"  # the label and its value: one row, one line


@pytest.fixture
def loads(monkeypatch) -> list:
    """Replace model loading with the bar doubles; records each load."""
    loaded = []

    def from_config(cls, config=None):
        loaded.append(config)
        return Pipeline(BarDetector(), BarRecognizer(), config)

    monkeypatch.setattr(Pipeline, "from_config", classmethod(from_config))
    # The doubles exist in this process only: read here (worker processes: tests/test_workers.py).
    monkeypatch.setattr("textlens.cli.read._use_processes", lambda *args: False)
    return loaded


@pytest.fixture
def scan(tmp_path) -> Path:
    path = tmp_path / "scan.png"
    Image.fromarray(draw_page(sample_lines())[0]).save(path)
    return path


def test_default_is_text_on_stdout(loads, scan, capsysbinary):
    assert main(["read", str(scan)]) == 0
    assert capsysbinary.readouterr().out.decode() == TEXT + "\n"
    assert len(loads) == 1 and loads[0].orientation is True


@pytest.mark.parametrize(
    ("name", "fmt", "check"),
    [
        ("out.txt", "txt", lambda b: b.decode().strip() == TEXT),
        ("out.json", "json", lambda b: json.loads(b)["pages"][0]["blocks"][1]["lines"][1]["words"][0]["text"] == "w0"),
        ("out.tsv", "tsv", lambda b: b"w9" in b),
        ("out.hocr", "hocr", lambda b: b"ocrx_word" in b and b"w8" in b),
        ("out.alto.xml", "alto", lambda b: b"alto" in b.lower() and b"w7" in b),
        ("out.page.xml", "page", lambda b: b"PcGts" in b and b"w6" in b),
        ("out.pdf", "pdf", lambda b: b.startswith(b"%PDF")),
    ],
)
def test_every_format_is_written_atomically(loads, scan, tmp_path, name, fmt, check):
    out = tmp_path / "results" / name
    assert main(["read", str(scan), "-o", str(out)]) == 0
    assert check(out.read_bytes())
    assert [p.name for p in out.parent.iterdir()] == [name]  # no temporary files left behind
    # --format wins over the suffix
    forced = tmp_path / "forced.out"
    assert main(["read", str(scan), "-o", str(forced), "--format", fmt]) == 0
    assert check(forced.read_bytes())


def test_several_inputs_go_to_a_folder_one_file_each(loads, scan, tmp_path):
    other = tmp_path / "turned.png"
    Image.fromarray(rotate_image(draw_page(sample_lines())[0], 1)).save(other)
    out = tmp_path / "out"
    assert main(["read", str(scan), str(other), "-o", str(out), "--format", "json"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["scan.json", "turned.json"]
    turned = json.loads((out / "turned.json").read_text())
    assert turned["pages"][0]["orientation"] == 90
    assert turned["source"].endswith("turned.png")
    assert len(loads) == 1  # models loaded once for all inputs


def test_several_inputs_concatenate_on_stdout(loads, scan, capsysbinary):
    assert main(["read", str(scan), str(scan.parent)]) == 0  # the folder holds scan.png too: deduplicated
    assert capsysbinary.readouterr().out.decode() == TEXT + "\n"
    copy = scan.with_name("copy.png")
    copy.write_bytes(scan.read_bytes())
    assert main(["read", str(scan), str(copy)]) == 0
    captured = capsysbinary.readouterr()
    assert captured.out.decode() == (TEXT + "\n") * 2
    assert captured.err == b""  # no progress bar unless stderr is a terminal


def test_several_inputs_refuse_a_file_output(loads, scan, tmp_path, capsys):
    copy = scan.with_name("copy.png")
    copy.write_bytes(scan.read_bytes())
    assert main(["read", str(scan), str(copy), "-o", str(tmp_path / "all.txt")]) == 2
    assert "must be a folder" in capsys.readouterr().err


def test_stdin(loads, scan, monkeypatch, capsysbinary):
    class Stdin:
        buffer = io.BytesIO(scan.read_bytes())

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", Stdin())
    assert main(["read", "-", "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert document["source"] == "<stdin>"
    assert document["pages"][0]["blocks"][0]["lines"][0]["words"][0]["text"] == "w1"


def test_overlay_png_is_written(loads, scan, tmp_path):
    overlay = tmp_path / "overlay.png"
    assert main(["read", str(scan), "-o", str(tmp_path / "out.txt"), "--overlay", str(overlay)]) == 0
    drawn = np.asarray(Image.open(overlay))
    assert drawn.shape == (400, 640, 3)
    assert (np.abs(drawn.astype(int) - [0, 170, 0]).sum(axis=2) < 60).any()  # green line outlines


def test_missing_file_fails_fast_with_one_line(loads, tmp_path, capsys):
    assert main(["read", str(tmp_path / "nope.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("textlens: error:") and "nope.png" in err and err.count("\n") == 1
    assert loads == []  # failed before any model was loaded


def test_fail_fast_checks_every_input_before_models_load(loads, scan, tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image at all")
    assert main(["read", str(scan), str(bad), "--fail-fast"]) == 2
    assert "bad.png" in capsys.readouterr().err
    assert loads == []


def test_a_folder_with_bad_files_reads_every_good_one(loads, tmp_path, capsys):
    """20 images: 3 corrupt, 1 empty, 1 a 5 x 9 px letter -> 16 outputs, a read of the tiny one,
    4 one-line errors and exit code 3 (some failed)."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    page = Image.fromarray(draw_page(sample_lines())[0])
    good = [f"page{i:02d}.png" for i in range(15)]
    for name in good:
        page.save(folder / name)
    Image.new("L", (5, 9), 255).save(folder / "tiny.png")
    truncated = (folder / good[0]).read_bytes()[:300]
    bad = {
        "cut.png": truncated,
        "noise.jpg": bytes(range(256)) * 8,
        "text.png": b"not an image\n" * 9,
        "empty.png": b"",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)

    assert main(["read", str(folder), "-o", str(out), "--format", "json"]) == 3
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{Path(n).stem}.json" for n in [*good, "tiny.png"])
    assert all(json.loads((out / name).read_text())["pages"] for name in written)
    assert len(loads) == 1  # models loaded once
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("textlens: error:")]
    assert len(errors) == 4 and all(any(name in line for line in errors) for name in bad)
    assert err[-1] == "textlens: 4 of 20 inputs failed (named above)"


def test_missing_inputs_are_named_and_the_rest_read(loads, scan, tmp_path, capsysbinary):
    assert main(["read", str(tmp_path / "gone.png"), str(scan), str(tmp_path / "nothing*.png")]) == 3
    captured = capsysbinary.readouterr()
    assert captured.out.decode() == TEXT + "\n"
    assert captured.err.decode().count("textlens: error:") == 2
    # every input failed: nothing was done, exit 2
    assert main(["read", str(tmp_path / "gone.png"), str(tmp_path / "gone2.png")]) == 2


def test_a_page_that_fails_mid_read_loses_nothing_already_written(loads, scan, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    copy = scan.with_name("second.png")
    copy.write_bytes(scan.read_bytes())
    assert main(["read", str(scan), str(copy), "-o", str(out)]) == 0
    before = (out / "scan.txt").read_text()

    def broken(self, image, **kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr(Pipeline, "read_image", broken)
    assert main(["read", str(scan), str(copy), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError: detector exploded)" in err and "Traceback" not in err
    assert (out / "scan.txt").read_text() == before  # the earlier output is untouched
    assert main(["read", str(scan), str(copy), "-o", str(out), "--fail-fast"]) == 2


def test_bad_options_exit_2(loads, scan, tmp_path, capsys):
    assert main(["read", str(scan), "--format", "docx"]) == 2
    assert "docx" in capsys.readouterr().err
    assert main(["read", str(scan), "-o", str(tmp_path / "out.weird")]) == 2
    assert main(["read", str(scan), "--dpi", "1"]) == 2
    assert main(["read", str(scan), "--no-orientation"]) == 0
    assert loads[-1].orientation is False


def test_language_model_option_reaches_the_config(loads, scan):
    assert main(["read", str(scan)]) == 0
    assert loads[-1].lm == "auto"
    assert main(["read", str(scan), "--lm", "none"]) == 0
    assert loads[-1].lm == "none"


def test_jobs_default_to_one_per_thread_for_several_inputs(loads, scan, tmp_path, capsysbinary):
    copy = scan.with_name("copy.png")
    copy.write_bytes(scan.read_bytes())
    assert main(["read", str(scan)]) == 0
    assert loads[-1].jobs == 1  # one page: all threads on it
    assert main(["read", str(scan), str(copy), "--threads", "3"]) == 0
    assert loads[-1].jobs == 3 and loads[-1].model_threads() == 1
    assert capsysbinary.readouterr().out.decode().endswith((TEXT + "\n") * 2)  # in input order
    assert main(["read", str(scan), str(copy), "-j", "1"]) == 0
    assert loads[-1].jobs == 1
    assert main(["read", str(scan), "--jobs", "0"]) == 2
