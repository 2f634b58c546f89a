"""``textlens extract receipt`` (key fields of receipts) and ``textlens train fields`` (its ranker)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import typer

from textlens.cli import app
from textlens.cli.groups import train_app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError

extract_app = typer.Typer(
    help="Extract structured information (receipt fields) from images and PDFs.", no_args_is_help=True
)
app.add_typer(extract_app, name="extract")

FORMATS = ("json", "csv")


@extract_app.command("receipt")
def extract_receipt_cmd(
    inputs: list[str] = typer.Argument(..., metavar="INPUT", help="Receipt images or PDFs: files, folders, globs."),
    output: Path = typer.Option(None, "--output", "-o", help="Output file (json or csv). Default: stdout."),
    fmt: str = typer.Option(None, "--format", "-f", help="json or csv (default: -o's suffix, else json)."),
    model: str = typer.Option(None, "--model", "-m", help="Receipt-fields model: registered name or .json path."),
    overlay: Path = typer.Option(
        None, "--overlay", help="Also draw the fields over the page into this image (a folder for several inputs)."
    ),
    det_model: str = typer.Option(None, "--det-model", help="Detector: registered name or .onnx path."),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    threads: int = typer.Option(None, help="CPU threads in all (default: the machine's cores, at most 4)."),
    jobs: int = typer.Option(None, "--jobs", "-j", help="Pages read at once, each in its own worker process."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Company, date, address, total (and tax, line items) of each receipt page, with boxes and confidences.

    One JSON object (or CSV row) per page; a bad input gets a one-line error and the others go on.
    """
    from textlens.apps.fields import extract_fields, load_fields_model
    from textlens.cli.read import _jobs, _progress, _reader, _targets
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import PipelineConfig

    fmt = _format(fmt, output)
    fields_model = load_fields_model(model)  # a bad model stops the run before any page is read
    errors = InputErrors(fail_fast)
    files = expand_inputs(inputs, on_error=errors.report)
    requested = len(files) + len(errors.failed)
    config = PipelineConfig(detector=det_model, recognizer=rec_model, threads=threads, jobs=_jobs(jobs, threads, files))
    overlays = _targets(files, overlay, ".png", "--overlay", several=requested > 1) if overlay else [None] * len(files)
    results: list[dict[str, Any]] = []
    rows: list[dict[str, str]] = []
    if files:
        with _reader(config, files, {}, False) as (reader, sources), _progress(len(files)) as advance:
            for result in reader.read_many(sources, keep_images=overlay is not None):
                path = files[result.number]
                if result.error is not None:
                    errors.report(path, result.error)
                    continue
                with errors.guard(path):
                    receipts = [extract_fields(page, fields_model) for page in result.document.pages]
                    for receipt in receipts:
                        receipt.source = path
                        results.append(receipt.to_dict())
                        rows.append(receipt.csv_row())
                    if overlays[result.number] is not None:
                        _draw(receipts, result.page_images or [], overlays[result.number])
                advance(path)
    _write(results, rows, fmt, output, several=requested > 1)
    errors.finish(requested)


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None and output is not None and output.suffix.lower().lstrip(".") in FORMATS:
        fmt = output.suffix.lower().lstrip(".")
    fmt = (fmt or "json").lower()
    if fmt not in FORMATS:
        raise TextlensError(f"unknown --format {fmt!r}; use json or csv")
    return fmt


def _draw(receipts: list[Any], images: list[Any], target: Path) -> None:
    from textlens.apps.fields import draw_receipt
    from textlens.io.atomic import write_atomic
    from textlens.io.overlay import overlay_paths

    for receipt, image, path in zip(receipts, images, overlay_paths(target, len(receipts))):
        buffer = io.BytesIO()
        draw_receipt(image, receipt).save(buffer, format="PNG")
        write_atomic(path, buffer.getvalue())


def _write(
    results: list[dict[str, Any]], rows: list[dict[str, str]], fmt: str, output: Path | None, several: bool
) -> None:
    if fmt == "csv":
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        text = buffer.getvalue()
    else:
        payload: Any = results if several or len(results) != 1 else results[0]
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

    if not 0.0 <= val_fraction < 1.0:
        raise TextlensError(f"--val-fraction must lie in [0, 1), got {val_fraction}")
    if hidden < 1 or epochs < 1:
        raise TextlensError("--hidden and --epochs must be at least 1")
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
