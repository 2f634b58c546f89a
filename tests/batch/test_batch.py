"""`textlens batch` on a small local Ray instance: outputs, resume, provenance, failures, atomic writes,
and workers that die mid-page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from textlens.batch import BatchConfig, run_batch
from textlens.io.exporters import export_document
from textlens.pipeline import Pipeline, PipelineConfig
from textlens.synth.pages import render_page

ray = pytest.importorskip("ray", reason="Ray is not installed (the batch extra)")
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def local_ray():
    import os

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    try:
        # Workers import the test's crashing reader from this folder.
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
            runtime_env={"env_vars": {"PYTHONPATH": str(HERE), "OMP_WAIT_POLICY": "PASSIVE"}},
        )
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Ray cannot start here: {exc}")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def pages() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    return [render_page(rng, style="receipt", degrade=0.0).image for _ in range(3)]


@pytest.fixture
def inputs(tmp_path, pages) -> Path:
    """a.png, sub/b.jpg, sub/doc.pdf (3 pages) and a corrupt bad.png."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    pictures = [Image.fromarray(p) for p in pages]
    pictures[0].save(folder / "a.png")
    pictures[1].save(folder / "sub" / "b.jpg", quality=95)
    pictures[0].save(folder / "sub" / "doc.pdf", save_all=True, append_images=pictures[1:], resolution=100)
    (folder / "bad.png").write_bytes(b"not an image")
    return folder


def config(out: Path, **read) -> BatchConfig:
    return BatchConfig(out, formats=("json", "txt"), read={"orientation": False, **read}, workers=2)


def failures(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]


def test_outputs_mirror_the_inputs_and_match_the_library(local_ray, inputs, tmp_path):
    out = tmp_path / "out"
    summary = run_batch([str(inputs)], config(out))
    assert (summary.done, summary.failed, summary.pages) == (3, 1, 5)
    outputs = sorted(str(p.relative_to(out)) for p in out.rglob("*.json") if ".textlens-batch" not in p.parts)
    assert outputs == ["a.json", "sub/b.json", "sub/doc.json"]
    assert [f["input"] for f in failures(out)] == [str(inputs / "bad.png")]
    # the library at the workers' settings (one thread per model): ONNX Runtime's sums may round
    # differently with another thread count, and a line read at a near tie can come out otherwise
    expected = Pipeline.from_config(PipelineConfig(orientation=False, threads=1)).read(str(inputs / "sub" / "doc.pdf"))
    assert (out / "sub" / "doc.txt").read_bytes() == export_document(expected, "txt")
    document = json.loads((out / "sub" / "doc.json").read_text())
    assert [p["index"] for p in document["pages"]] == [0, 1, 2]
    assert {m["kind"] for m in document["provenance"]["models"]} >= {"detector", "recognizer"}
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]  # atomic writes leave nothing behind


def test_rerun_reads_only_what_is_missing_changed_or_read_differently(local_ray, inputs, tmp_path):
    out = tmp_path / "out"
    run_batch([str(inputs)], config(out))
    again = run_batch([str(inputs)], config(out))
    assert (again.skipped, again.done, again.pages) == (3, 0, 0)
    (out / "sub" / "b.txt").unlink()
    assert run_batch([str(inputs)], config(out)).pages == 1  # only b.jpg again
    Image.open(inputs / "a.png").rotate(180).save(inputs / "a.png")  # a changed input
    assert run_batch([str(inputs)], config(out)).pages == 1
    other_options = run_batch([str(inputs)], config(out, dpi=150))  # provenance differs: all again
    assert (other_options.skipped, other_options.pages) == (0, 5)
    assert len(failures(out)) == 1  # failures.jsonl lists this run's failures only


def test_an_input_interrupted_between_outputs_is_read_again(local_ray, inputs, tmp_path, monkeypatch):
    import textlens.batch.runner as runner

    out = tmp_path / "out"
    real = runner.write_atomic
    calls = []

    def dies_on_the_second_output(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the run is stopped between two outputs of one input
        real(path, data)

    monkeypatch.setattr(runner, "write_atomic", dies_on_the_second_output)
    with pytest.raises(KeyboardInterrupt):
        run_batch([str(inputs / "a.png")], config(out))
    monkeypatch.setattr(runner, "write_atomic", real)
    assert (out / "a.json").exists() and not (out / "a.txt").exists()
    rerun = run_batch([str(inputs / "a.png")], config(out))
    assert (rerun.done, rerun.skipped) == (1, 0) and (out / "a.txt").exists()


def test_dead_workers_pages_are_retried_and_a_poison_input_fails_alone(local_ray, inputs, tmp_path, pages):
    from crashing_reader import CrashingReader

    Image.fromarray(pages[2]).save(inputs / "crash-once.png")
    Image.fromarray(pages[2]).save(inputs / "poison.png")
    out = tmp_path / "out"
    summary = run_batch(
        [str(inputs)], BatchConfig(out, read={"orientation": False}, max_attempts=2), reader=CrashingReader
    )
    assert summary.done == 4 and (out / "crash-once.json").exists(), [f["error"][-90:] for f in failures(out)]
    assert summary.worker_failures == 3 and summary.retried_pages == 2
    failed = {Path(f["input"]).name: f for f in failures(out)}
    assert set(failed) == {"bad.png", "poison.png"} and failed["poison.png"]["attempts"] == 2


def test_cli_runs_a_local_ray_and_reports(inputs, tmp_path):
    out = tmp_path / "cli-out"
    command = [sys.executable, "-m", "textlens", "batch", str(inputs / "sub"), str(inputs / "bad.png"), "-o", str(out)]
    done = subprocess.run([*command, "-f", "txt,alto", "--no-orientation"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert "2 inputs read, 0 already done, 1 failed; 4 pages" in done.stderr
    assert (out / "doc.alto.xml").exists() and (out / "b.txt").read_text().strip()
    assert "Traceback" not in done.stderr
