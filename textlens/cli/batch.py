"""`textlens batch`: read collections of images and PDFs on Ray, resumable, one output per input."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.groups import LM_HELP


@app.command("batch")
def batch_command(
    sources: list[str] = typer.Argument(
        ..., metavar="SOURCE", help="Folders (recursive), globs, files, or manifests (.txt/.lst paths, .jsonl images)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Output folder (mirrors the inputs' folders)."),
    formats: str = typer.Option("json", "--format", "-f", help="Comma-separated: txt,json,tsv,hocr,alto,page,pdf."),
    ray_address: str = typer.Option(None, help="Join this Ray cluster (e.g. auto, ray://host:10001); default: local."),
    workers: int = typer.Option(None, min=1, help="Reading actors (default: the cluster's CPUs / --threads)."),
    threads: int = typer.Option(1, min=1, help="ONNX Runtime threads per worker."),
    dpi: float = typer.Option(200, help="Resolution for rendering PDF pages."),
    det_model: str = typer.Option(None, "--det-model", help="Detector: registered name or .onnx path."),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    lang: str = typer.Option("auto", "--lang", "-l", help="Languages: auto, or ISO 639 codes such as el,de."),
    lm: str = typer.Option("auto", "--lm", help=LM_HELP),
    no_orientation: bool = typer.Option(False, "--no-orientation", help="Take pages as upright."),
    max_attempts: int = typer.Option(3, min=1, help="Tries of a page whose worker dies before the input fails."),
) -> None:
    """Read every image and PDF of SOURCE into -o OUT, on Ray; rerun the same command to resume.

    Outputs are written atomically and recorded in OUT/.textlens-batch: a rerun reads only inputs
    that are new, changed, failed or were read with other models or options. Failed inputs are
    listed in OUT/failures.jsonl. Exit code 3 when some inputs failed, 2 when all did.
    """
    from textlens.batch import BatchConfig, run_batch
    from textlens.errors import EXIT_ERROR, EXIT_SOME_FAILED, TextlensError

    try:
        import ray  # noqa: F401
    except ModuleNotFoundError:
        raise TextlensError("textlens batch needs Ray: pip install 'textlens[batch]'") from None
    read = {
        "detector": det_model,
        "recognizer": rec_model,
        "lang": lang,
        "lm": lm,
        "dpi": dpi,
        "orientation": not no_orientation,
    }
    config = BatchConfig(
        out_dir=output,
        formats=tuple(f.strip() for f in formats.split(",") if f.strip()),
        read=read,
        ray_address=ray_address,
        workers=workers,
        threads_per_worker=threads,
        max_attempts=max_attempts,
    )
    with _progress() as advance:
        summary = run_batch(sources, config, on_error=_report, progress=advance)
    print(f"textlens: {summary.line()}", file=sys.stderr)
    if summary.failed:
        print(f"textlens: failed inputs are listed in {output / 'failures.jsonl'}", file=sys.stderr)
        raise typer.Exit(EXIT_SOME_FAILED if summary.done + summary.skipped else EXIT_ERROR)


def _report(name: str, message: str) -> None:
    print(f"textlens: error: {message}", file=sys.stderr, flush=True)


def _progress():
    """A progress bar of pages with pages/s and ETA on a terminal; yields ``advance(done, total)``."""
    from contextlib import contextmanager, nullcontext

    if not sys.stderr.isatty():
        return nullcontext(lambda done, total: None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    @contextmanager
    def bar():
        columns = (
            TextColumn("[bold]pages"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("", total=None, rate="")

            def advance(done: int, total: int) -> None:
                speed = progress.tasks[0].speed
                progress.update(task, completed=done, total=total, rate=f"{speed:.2f} pages/s" if speed else "")

            yield advance

    return bar()
