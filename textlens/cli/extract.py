"""``textlens extract receipt`` (key fields of receipts) and ``textlens train fields`` (its ranker)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from textlens.cli import app
from textlens.cli.groups import train_app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError

extract_app = typer.Typer(
    help="Extract structured information (receipt fields, form key-values) from images and PDFs.", no_args_is_help=True
)
app.add_typer(extract_app, name="extract")

INPUTS_HELP = "Images or PDFs: files, folders, globs."
OVERLAY_HELP = "Also draw the result over the page into this image (a folder for several inputs)."
DET_HELP = "Detector: registered name or .onnx path."
REC_HELP = "Recognizer: registered name or .onnx path."
THREADS_HELP = "CPU threads in all (default: the machine's cores, at most 4)."
JOBS_HELP = "Pages read at once, each in its own worker process."


@dataclass
class _Extraction:
    """What one ``extract`` command does with each page it read."""

    extract: Callable[[Any], Any]  # Page -> a result with .source, .to_dict() (and .csv_row())
    draw: Callable[[Any, Any], Any]  # (page image, result) -> PIL image
    csv: bool = False


@extract_app.command("receipt")
def extract_receipt_cmd(
    inputs: list[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    output: Path = typer.Option(None, "--output", "-o", help="Output file (json or csv). Default: stdout."),
    fmt: str = typer.Option(None, "--format", "-f", help="json or csv (default: -o's suffix, else json)."),
    model: str = typer.Option(None, "--model", "-m", help="Receipt-fields model: registered name or .json path."),
    overlay: Path = typer.Option(None, "--overlay", help=OVERLAY_HELP),
    det_model: str = typer.Option(None, "--det-model", help=DET_HELP),
    rec_model: str = typer.Option(None, "--rec-model", help=REC_HELP),
    threads: int = typer.Option(None, help=THREADS_HELP),
    jobs: int = typer.Option(None, "--jobs", "-j", help=JOBS_HELP),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Company, date, address, total (and tax, line items) of each receipt page, with boxes and confidences.

    One JSON object (or CSV row) per page; a bad input gets a one-line error and the others go on.
    """
    from textlens.apps.fields import draw_receipt, extract_fields, load_fields_model

    fmt = _format(fmt, output, ("json", "csv"))
    fields_model = load_fields_model(model)  # a bad model stops the run before any page is read
    job = _Extraction(lambda page: extract_fields(page, fields_model), draw_receipt, csv=fmt == "csv")
    _run(job, inputs, output, overlay, det_model, rec_model, threads, jobs, fail_fast)


@extract_app.command("form")
def extract_form_cmd(
    inputs: list[str] = typer.Argument(..., metavar="INPUT", help=INPUTS_HELP),
    output: Path = typer.Option(None, "--output", "-o", help="Output file (JSON). Default: stdout."),
    model: str = typer.Option(None, "--model", "-m", help="Form model: registered name or .json path."),
    overlay: Path = typer.Option(None, "--overlay", help=OVERLAY_HELP),
    det_model: str = typer.Option(None, "--det-model", help=DET_HELP),
    rec_model: str = typer.Option(None, "--rec-model", help=REC_HELP),
    threads: int = typer.Option(None, help=THREADS_HELP),
    jobs: int = typer.Option(None, "--jobs", "-j", help=JOBS_HELP),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Label each text segment of a form (header, question, answer, other) and link questions to answers.

    One JSON object per page: entities (id, label, text, confidence, box), links and the
    question-answer pairs; a bad input gets a one-line error and the others go on.
    """
    from textlens.apps.forms import draw_form, extract_form_page, load_form_model

    form_model = load_form_model(model)
    job = _Extraction(lambda page: extract_form_page(page, form_model), draw_form)
    _run(job, inputs, output, overlay, det_model, rec_model, threads, jobs, fail_fast)


def _run(
    job: _Extraction,
    inputs: list[str],
    output: Path | None,
    overlay: Path | None,
    det_model: str | None,
    rec_model: str | None,
    threads: int | None,
    jobs: int | None,
    fail_fast: bool,
) -> None:
    """Read every input (several pages at once), extract from each page, write all results at the end."""
    from textlens.cli.read import _jobs, _progress, _reader, _targets
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import PipelineConfig

    errors = InputErrors(fail_fast)
    files = expand_inputs(inputs, on_error=errors.report)
    requested = len(files) + len(errors.failed)
    config = PipelineConfig(detector=det_model, recognizer=rec_model, threads=threads, jobs=_jobs(jobs, threads, files))
    overlays = _targets(files, overlay, ".png", "--overlay", several=requested > 1) if overlay else [None] * len(files)
    results: list[Any] = []
    if files:
        with _reader(config, files, {}, False) as (reader, sources), _progress(len(files)) as advance:
            for result in reader.read_many(sources, keep_images=overlay is not None):
                path = files[result.number]
                if result.error is not None:
                    errors.report(path, result.error)
                    continue
                with errors.guard(path):
                    found = [job.extract(page) for page in result.document.pages]
                    for item in found:
                        item.source = path
                    if overlays[result.number] is not None:
                        _draw(job, found, result.page_images or [], overlays[result.number])
                    results.extend(found)
                advance(path)
    _write(results, job.csv, output, several=requested > 1)
    errors.finish(requested)


def _format(fmt: str | None, output: Path | None, formats: tuple[str, ...]) -> str:
    if fmt is None and output is not None and output.suffix.lower().lstrip(".") in formats:
        fmt = output.suffix.lower().lstrip(".")
    fmt = (fmt or formats[0]).lower()
    if fmt not in formats:
        raise TextlensError(f"unknown --format {fmt!r}; use {' or '.join(formats)}")
    return fmt


def _draw(job: _Extraction, found: list[Any], images: list[Any], target: Path) -> None:
    from textlens.io.atomic import write_atomic
    from textlens.io.overlay import overlay_paths

    for item, image, path in zip(found, images, overlay_paths(target, len(found))):
        buffer = io.BytesIO()
        job.draw(image, item).save(buffer, format="PNG")
        write_atomic(path, buffer.getvalue())


def _write(results: list[Any], as_csv: bool, output: Path | None, several: bool) -> None:
    if as_csv:
        buffer = io.StringIO()
        rows = [r.csv_row() for r in results]
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        text = buffer.getvalue()
    else:
        dicts = [r.to_dict() for r in results]
        payload: Any = dicts if several or len(dicts) != 1 else dicts[0]
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from textlens.io.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))


@train_app.command("fields")
def train_fields_cmd(
    data: list[str] = typer.Argument(..., metavar="MANIFEST", help='Page manifests whose entries carry "fields".'),
    out: Path = typer.Option(Path("runs/fields/receipt-fields.json"), "--out", "-o", help="The model file (.json)."),
    cache: Path = typer.Option(None, "--cache", help="Folder for the pages as read (default: OUT's folder/documents)."),
    hidden: int = typer.Option(32, help="Hidden units of each field's ranker."),
    epochs: int = typer.Option(200, help="Full-batch training epochs."),
    weight_decay: float = typer.Option(0.05, help="AdamW weight decay."),
    val_fraction: float = typer.Option(0.1, help="Share of pages held out for the reported accuracy."),
    threads: int = typer.Option(1, help="CPU threads for reading the pages and for training."),
    seed: int = typer.Option(0, help="Random seed."),
) -> None:
    """Train the receipt-fields ranker on what `read` outputs for labelled receipts (SROIE-style manifests)."""
    from textlens.training.fields import FieldsTrainConfig, train_fields

    _check_training(val_fraction, hidden, epochs)
    config = FieldsTrainConfig(
        data=list(data),
        out=str(out),
        cache_dir=str(cache) if cache else None,
        hidden=hidden,
        epochs=epochs,
        weight_decay=weight_decay,
        val_fraction=val_fraction,
        threads=threads,
        seed=seed,
    )
    summary = train_fields(config, log=lambda msg: typer.echo(msg, err=True))
    typer.echo(json.dumps(summary))


@train_app.command("form")
def train_form_cmd(
    data: list[str] = typer.Argument(
        ..., metavar="LABELS", help="FUNSD-style words_and_labels.jsonl files (or their folders)."
    ),
    out: Path = typer.Option(Path("runs/forms/form-fields.json"), "--out", "-o", help="The model file (.json)."),
    cache: Path = typer.Option(None, "--cache", help="Folder for the pages as read (default: OUT's folder/documents)."),
    hidden: int = typer.Option(16, help="Hidden units of the labeller (the linker gets half, at least 8)."),
    epochs: int = typer.Option(200, help="Full-batch training epochs."),
    weight_decay: float = typer.Option(0.05, help="AdamW weight decay."),
    val_fraction: float = typer.Option(0.1, help="Share of pages held out for the reported scores."),
    threads: int = typer.Option(1, help="CPU threads for reading the pages and for training."),
    seed: int = typer.Option(0, help="Random seed."),
) -> None:
    """Train the form labeller and question-answer linker on what `read` outputs for labelled forms."""
    from textlens.training.forms import FormTrainConfig, train_form

    _check_training(val_fraction, hidden, epochs)
    config = FormTrainConfig(
        data=list(data),
        out=str(out),
        cache_dir=str(cache) if cache else None,
        hidden=hidden,
        epochs=epochs,
        weight_decay=weight_decay,
        val_fraction=val_fraction,
        threads=threads,
        seed=seed,
    )
    summary = train_form(config, log=lambda msg: typer.echo(msg, err=True))
    typer.echo(json.dumps(summary))


def _check_training(val_fraction: float, hidden: int, epochs: int) -> None:
    if not 0.0 <= val_fraction < 1.0:
        raise TextlensError(f"--val-fraction must lie in [0, 1), got {val_fraction}")
    if hidden < 1 or epochs < 1:
        raise TextlensError("--hidden and --epochs must be at least 1")
