"""`textlens read`: find and read the text of images and PDFs.

Inputs are checked (first page decoded) before any model is loaded, so a bad file fails in
a moment with exit code 2. One input goes to ``-o FILE`` (format from its suffix) or to
stdout; several inputs go to ``-o FOLDER`` (one file each, named after the input) or are
concatenated on stdout.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer

from textlens.cli import app
from textlens.cli.groups import LM_HELP
from textlens.errors import TextlensError

# Suffix of each format's file when -o is a folder.
SUFFIXES = {
    "txt": ".txt",
    "json": ".json",
    "tsv": ".tsv",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "page": ".page.xml",
    "pdf": ".pdf",
}
_KEEP_OPEN = 4  # first pages kept from the up-front check (the rest are decoded again later)


@app.command("read")
def read_command(
    inputs: list[str] = typer.Argument(
        ..., metavar="INPUT", help="Images or PDFs: files, folders, globs; - reads stdin."
    ),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="Output file (format from its suffix), or a folder for several inputs. Default: stdout.",
    ),
    fmt: str = typer.Option(
        None, "--format", "-f", help="txt, json, tsv, hocr, alto, page or pdf (default: -o's suffix, else txt)."
    ),
    dpi: float = typer.Option(200, help="Resolution for rendering PDF pages."),
    det_model: str = typer.Option(None, "--det-model", help="Detector: registered name or .onnx path."),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    lm: str = typer.Option("auto", "--lm", help=LM_HELP),
    threads: int = typer.Option(None, help="CPU threads per model (default: ONNX Runtime's choice)."),
    overlay: Path = typer.Option(
        None, "--overlay", help="Also draw boxes and text over the page into this image (a folder for several inputs)."
    ),
    no_orientation: bool = typer.Option(
        False, "--no-orientation", help="Take pages as upright: skip 90/180/270 detection."
    ),
) -> None:
    """Find and read the text in images and PDFs."""
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import Pipeline, PipelineConfig

    config = PipelineConfig(
        detector=det_model, recognizer=rec_model, lm=lm, dpi=dpi, threads=threads, orientation=not no_orientation
    )
    files = expand_inputs(inputs)
    fmt = _choose_format(fmt, output, several=len(files) > 1)
    targets = _targets(files, output, SUFFIXES.get(fmt, f".{fmt}"), "-o")
    overlays = _targets(files, overlay, ".png", "--overlay") if overlay else [None] * len(files)
    if targets[0] is None and fmt == "pdf" and (len(files) > 1 or sys.stdout.isatty()):
        raise TextlensError("PDF output goes to a file: pass -o out.pdf (or -o FOLDER for several inputs)")

    opened = _check_inputs(files, dpi)  # before the models: bad inputs fail fast
    pipeline = Pipeline.from_config(config)
    with _progress(len(files)) as advance:
        for i, path in enumerate(files):
            first, rest = opened.pop(i, None) or _open(path, dpi)
            keep = fmt == "pdf" or overlays[i] is not None
            images: list | None = [] if keep else None
            document = pipeline.read(itertools.chain([first], rest), page_images=images)
            _emit(document, fmt, targets[i], images)
            if overlays[i] is not None:
                from textlens.io.overlay import save_overlay

                save_overlay(document, images or [], overlays[i])
            advance(path)


def _choose_format(fmt: str | None, output: Path | None, several: bool) -> str:
    from textlens.io.exporters import FORMATS, format_from_suffix

    if fmt is None and output is not None and not (several or output.is_dir()):
        fmt = format_from_suffix(output)
    fmt = (fmt or "txt").lower()
    if fmt not in FORMATS:
        raise TextlensError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def _targets(files: list[str], output: Path | None, suffix: str, option: str) -> list[Path | None]:
    """The output path of each input: None (stdout), the file itself, or one per input in a folder."""
    if output is None:
        return [None] * len(files)
    if len(files) == 1 and not output.is_dir():
        return [output]
    if output.exists() and not output.is_dir():
        raise TextlensError(f"{output}: {option} must be a folder when reading several inputs (it is a file)")
    if not output.exists() and output.suffix and len(files) > 1:
        raise TextlensError(
            f"{output}: with several inputs {option} must be a folder; drop the suffix or read one input at a time"
        )
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TextlensError(f"{output}: cannot create output folder ({exc.strerror})") from None
    names: set[str] = set()
    targets: list[Path | None] = []
    for file in files:
        name = "stdin" if file == "-" else Path(file).stem
        if name in names:  # scan.png and scan.pdf: keep the full name
            name = Path(file).name
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.add(name)
        targets.append(output / f"{name}{suffix}")
    return targets


def _open(path: str, dpi: float) -> tuple[Any, Iterator[Any]]:
    from textlens.io.loading import iter_pages

    pages = iter_pages(path, dpi=dpi)
    first = next(pages, None)
    if first is None:
        raise TextlensError(f"{path}: has no pages")
    return first, pages


def _check_inputs(files: list[str], dpi: float) -> dict[int, tuple[Any, Iterator[Any]]]:
    """Decode the first page of every input; keep a few (and stdin, which cannot be re-read)."""
    opened = {}
    for i, path in enumerate(files):
        first, rest = _open(path, dpi)
        if i < _KEEP_OPEN or path == "-":
            opened[i] = (first, rest)
        elif hasattr(rest, "close"):
            rest.close()
    return opened


def _emit(document: Any, fmt: str, target: Path | None, images: list | None) -> None:
    from textlens.io.exporters import export_document, write_document

    if target is not None:
        write_document(document, target, fmt, page_images=images)
        return
    data = export_document(document, fmt, page_images=images)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if fmt != "pdf" and data and not data.endswith(b"\n"):
        data += b"\n"  # several inputs concatenate cleanly
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", errors="replace"))
    else:
        stream.write(data)
        stream.flush()


def _progress(total: int):
    """A rich progress bar on stderr for several inputs on a terminal; yields ``advance(name)``."""
    if total <= 1 or not sys.stderr.isatty():
        return nullcontext(lambda _name: None)
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    @contextmanager
    def bar() -> Iterator[Any]:
        columns = (
            TextColumn("[bold]reading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("", total=total)
            yield lambda name: progress.update(task, advance=1, description=str(name))

    return bar()
