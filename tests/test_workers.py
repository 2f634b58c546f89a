"""Reading in worker processes (textlens.workers) with the shipped models: the same documents as
one process, inputs in order, bad inputs reported one by one, dead workers replaced."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from textlens.cli import main
from textlens.errors import TextlensError
from textlens.io.exporters import export_document
from textlens.pipeline import Pipeline, PipelineConfig
from textlens.synth.pages import render_page
from textlens.workers import ProcessReader

CONFIG = PipelineConfig(orientation=False, threads=2, jobs=2)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """a.png, b.jpg, a 3-page doc.pdf, an empty file and a corrupt PNG, then c.png."""
    folder = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(11)
    pictures = [Image.fromarray(render_page(rng, style="receipt", degrade=0.0).image) for _ in range(3)]
    pictures[0].save(folder / "a.png")
    pictures[1].save(folder / "b.jpg", quality=95)
    pictures[2].save(folder / "doc.pdf", save_all=True, append_images=pictures[:2], resolution=100)
    (folder / "empty.png").write_bytes(b"")
    (folder / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    pictures[2].save(folder / "c.png")
    return [folder / name for name in ("a.png", "b.jpg", "doc.pdf", "empty.png", "bad.png", "c.png")]


@pytest.fixture(scope="module")
def expected(inputs) -> list[str | None]:
    """What one process reading one page at a time makes of each input (None: an error)."""
    pipeline = Pipeline.from_config(CONFIG.replace(jobs=1, threads=1))  # what each worker runs
    return [None if r.error else export_document(r.document, "json") for r in pipeline.read_many(inputs)]


def _without_timings(data: bytes) -> bytes:
    import json

    document = json.loads(data)
    document["provenance"].pop("timings")
    return json.dumps(document).encode()


def test_worker_processes_read_what_one_process_reads(inputs, expected):
    with ProcessReader(CONFIG) as reader:
        results = list(reader.read_many(inputs))
    assert [r.number for r in results] == list(range(len(inputs)))
    assert [Path(r.source).name for r in results] == [p.name for p in inputs]
    errors = [str(r.error) if r.error else None for r in results]
    assert errors[3] and "empty" in errors[3] and errors[4] and "bad.png" in errors[4]
    assert [e is None for e in errors] == [e is not None for e in expected]
    for result, want in zip(results, expected):
        if want is not None:
            assert len(result.document.pages) == (3 if str(result.source).endswith(".pdf") else 1)
            assert [m.kind for m in result.document.provenance.models][:2] == ["detector", "recognizer"]
            assert _without_timings(export_document(result.document, "json")) == _without_timings(want)


def test_pages_come_with_their_images_when_asked(inputs):
    with ProcessReader(CONFIG) as reader:
        result = next(reader.read_many([inputs[2]], keep_images=True))
    assert [image.shape[2] for image in result.page_images] == [3, 3, 3]
    assert [page.index for page in result.document.pages] == [0, 1, 2]


def test_a_killed_worker_is_replaced_and_its_pages_read_again(inputs, expected):
    good = [p for p, want in zip(inputs, expected) if want is not None] * 2
    with ProcessReader(CONFIG) as reader:
        results = reader.read_many(good)
        first = next(results)
        victim = next(iter(reader._pool._processes))  # a worker with pages in flight
        os.kill(victim, signal.SIGKILL)
        rest = list(results)
    assert first.error is None and all(r.error is None for r in rest)
    texts = [export_document(r.document, "txt") for r in [first, *rest]]
    assert texts[: len(texts) // 2] == texts[len(texts) // 2 :]


def test_a_model_that_does_not_load_stops_the_read_with_one_error(inputs, tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with ProcessReader(CONFIG.replace(recognizer=str(junk))) as reader, pytest.raises(TextlensError, match="junk.onnx"):
        list(reader.read_many(inputs[:2]))
    with pytest.raises(TextlensError, match="nope"):
        ProcessReader(CONFIG.replace(detector="nope"))


def test_cli_reads_in_worker_processes_what_it_reads_in_threads(inputs, tmp_path, capsys):
    good = [str(p) for p in inputs if p.name != "bad.png"]
    for mode, extra in (("processes", []), ("threads", ["--in-process"])):
        args = ["read", *good, "-j", "2", "--threads", "2", "--no-orientation", "-o", str(tmp_path / mode)]
        code = main(args + extra)
        assert code == 3  # empty.png failed, the others were written
        assert "empty.png" in capsys.readouterr().err
    made = sorted(p.name for p in (tmp_path / "processes").iterdir())
    assert made == ["a.txt", "b.txt", "c.txt", "doc.txt"]
    for name in made:
        assert (tmp_path / "processes" / name).read_bytes() == (tmp_path / "threads" / name).read_bytes()


def test_a_photos_document_names_the_scene_models_its_worker_loaded(inputs, tmp_path):
    from textlens.synth.scenes import made_up_background

    photo = made_up_background(np.random.default_rng(3), 360, 480)
    photo[120:200, 80:400] = (250, 210, 30)  # a yellow sign saying OPEN
    sign = Image.fromarray(photo)
    ImageDraw.Draw(sign).text((100, 130), "OPEN", fill=(15, 15, 15), font_size=56)
    sign.save(tmp_path / "photo.png")
    with ProcessReader(CONFIG) as reader:
        page, picture = reader.read_many([inputs[0], tmp_path / "photo.png"])
    assert "scene-dbnet" not in [m.name for m in page.document.provenance.models]
    assert {"scene-dbnet", "scene-crnn"} <= {m.name for m in picture.document.provenance.models}
