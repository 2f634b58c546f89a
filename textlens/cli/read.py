"""`textlens read`: find and read the text of images and PDFs.

Every input that can be read is read; a bad one is named on stderr and the run goes on (exit
code 3 at the end; 2 when every input failed). A single input, or every input with
``--fail-fast``, is checked (first page decoded) before the models load, so it fails in a moment.

Several pages (``--jobs``) are read at once in as many worker processes, each with its own
models (``--in-process``: threads of this process, less memory); outputs keep the input order.

One input goes to ``-o FILE`` (format from its suffix) or to stdout; several inputs go to
``-o FOLDER`` (one file each, named after the input) or are concatenated on stdout.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import typer

from textlens.cli import app
from textlens.cli.groups import LEXICON_HELP, LM_HELP, WORDS_HELP
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError
from textlens.io.exporters import OUTPUT_SUFFIXES as SUFFIXES

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
    mode: str = typer.Option(
        "auto",
        "--mode",
        help="auto (pages and photos), document, or scene (photos of signs, shops, products); "
        "applies without --det-model.",
    ),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    lang: str = typer.Option(
        "auto",
        "--lang",
        "-l",
        help="Languages of the input: auto (Latin, and lines that read better in another installed script "
        "are read in it), or ISO 639 codes such as en, el,de or ru (Greek, Arabic, Cyrillic: that script's "
        "recognizer reads every line).",
    ),
    lm: str = typer.Option("auto", "--lm", help=LM_HELP),
    lexicon: str = typer.Option(None, "--lexicon", help=LEXICON_HELP),
    words: str = typer.Option("auto", "--words", help=WORDS_HELP),
    threads: int = typer.Option(None, help="CPU threads in all (default: the machine's cores, at most 4)."),
    jobs: int = typer.Option(
        None,
        "--jobs",
        "-j",
        help="Pages read at once, each in its own worker process, sharing --threads (default: one per thread "
        "for several inputs or a PDF/TIFF, else 1).",
    ),
    overlay: Path = typer.Option(
        None, "--overlay", help="Also draw boxes and text over the page into this image (a folder for several inputs)."
    ),
    no_orientation: bool = typer.Option(
        False, "--no-orientation", help="Take pages as upright: skip 90/180/270 detection."
    ),
    in_process: bool = typer.Option(
        False,
        "--in-process",
        help="Read --jobs pages in threads of this one process (less memory, slower) instead of in as many "
        "worker processes.",
    ),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Find and read the text in images and PDFs.

    Every input that can be read is read: a bad one gets a one-line error on stderr and the
    exit code is 3 when some inputs failed, 2 when all did (``--fail-fast``: stop at the first).
    """
    if _use_processes(_jobs(jobs, threads, inputs), inputs, in_process):  # several inputs: start early
        from textlens.workers import start_worker_server

        start_worker_server()
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import PipelineConfig

    errors = InputErrors(fail_fast)
    files = expand_inputs(inputs, on_error=errors.report)
    config = PipelineConfig(
        detector=det_model,
        mode=mode,
        recognizer=rec_model,
        lang=lang,
        lm=lm,
        lexicon=lexicon,
        words=words,
        dpi=dpi,
        threads=threads,
        orientation=not no_orientation,
        jobs=_jobs(jobs, threads, files),
    )
    requested = len(files) + len(errors.failed)  # inputs asked for, including ones that gave nothing
    if files:
        fmt = _choose_format(fmt, output, several=requested > 1)
        targets = _targets(files, output, SUFFIXES.get(fmt, f".{fmt}"), "-o", several=requested > 1)
        overlays = _targets(files, overlay, ".png", "--overlay", several=requested > 1) if overlay else None
        if targets[0] is None and fmt == "pdf" and (requested > 1 or sys.stdout.isatty()):
            raise TextlensError("PDF output goes to a file: pass -o out.pdf (or -o FOLDER for several inputs)")
        _read_all(files, config, fmt, targets, overlays or [None] * len(files), errors, in_process)
    errors.finish(requested)


def _read_all(
    files: list[str],
    config: Any,
    fmt: str,
    targets: list[Path | None],
    overlays: list[Path | None],
    errors: InputErrors,
    in_process: bool = False,
) -> None:
    """Read every input into its target, ``config.jobs`` pages at a time, writing in input order."""
    # A single input, or --fail-fast: checked before the models load, so a bad one fails in a moment.
    opened = _check_inputs(files, config.dpi) if errors.fail_fast or len(files) == 1 else {}
    keep_images = fmt == "pdf" or any(overlay is not None for overlay in overlays)
    with _reader(config, files, opened, in_process) as (reader, sources), _progress(len(files)) as advance:
        for result in reader.read_many(sources, keep_images=keep_images):
            path = files[result.number]
            if result.error is not None:
                errors.report(path, result.error)
            else:
                with errors.guard(path):
                    _write(result.document, fmt, targets[result.number], overlays[result.number], result.page_images)
            advance(path)


@contextmanager
def _reader(config: Any, files: list[str], opened: dict[int, Any], in_process: bool) -> Iterator[tuple[Any, list]]:
    """What reads the inputs, and what to hand it: worker processes given the paths (several pages
    at once, each process with its own GIL), or a pipeline in this process given the inputs
    (stdin, which only this process can read, and pages already opened to check them)."""
    if _use_processes(config.jobs, files, in_process):
        from textlens.workers import ProcessReader

        for _first, rest in opened.values():
            if hasattr(rest, "close"):
                rest.close()
        with ProcessReader(config) as reader:
            yield reader, files
        return
    from textlens.pipeline import Pipeline

    sources = [itertools.chain([opened[i][0]], opened[i][1]) if i in opened else path for i, path in enumerate(files)]
    yield Pipeline.from_config(config), sources


def _use_processes(jobs: int, files: list[str], in_process: bool) -> bool:
    return jobs > 1 and not in_process and "-" not in files


def _write(document: Any, fmt: str, target: Path | None, overlay: Path | None, images: list | None) -> None:
    _emit(document, fmt, target, images)
    if overlay is not None:
        from textlens.io.overlay import save_overlay

        save_overlay(document, images or [], overlay)


def _jobs(jobs: int | None, threads: int | None, files: list[str]) -> int:
    """Pages read at once: given, or one per thread when there are several pages to read."""
    if jobs is not None:
        return jobs  # PipelineConfig refuses anything below 1
    from textlens.runtime.session import default_threads

    multipage = any(Path(f).suffix.lower() in (".pdf", ".tif", ".tiff") or f == "-" for f in files)
    return (threads or default_threads()) if len(files) > 1 or multipage else 1


def _choose_format(fmt: str | None, output: Path | None, several: bool) -> str:
    from textlens.io.exporters import FORMATS, format_from_suffix

    if fmt is None and output is not None and not (several or output.is_dir()):
        fmt = format_from_suffix(output)
    fmt = (fmt or "txt").lower()
    if fmt not in FORMATS:
        raise TextlensError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def _targets(files: list[str], output: Path | None, suffix: str, option: str, several: bool) -> list[Path | None]:
    """The output path of each input: None (stdout), the file itself, or one per input in a folder."""
    if output is None:
        return [None] * len(files)
    if not several and not output.is_dir():
        return [output]
    if output.exists() and not output.is_dir():
        raise TextlensError(f"{output}: {option} must be a folder when reading several inputs (it is a file)")
    if not output.exists() and output.suffix and several:
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
