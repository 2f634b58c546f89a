"""``textlens erase``: remove (inpaint) or redact the text of images, all of it or what a pattern picks."""

from __future__ import annotations

import io
from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError

IMAGE_SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".tif": "TIFF", ".tiff": "TIFF"}


@app.command("erase")
def erase_command(
    inputs: list[str] = typer.Argument(..., metavar="INPUT", help="Images or PDFs: files, folders, globs."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Output image (.png, .jpg, ...), or a folder for several inputs or pages."
    ),
    only: str = typer.Option(
        None,
        "--only",
        help="Erase only text matching this regular expression (tried on each line), e.g. a phone number.",
    ),
    redact: bool = typer.Option(False, "--redact", help="Paint solid boxes instead of inpainting the background."),
    colour: str = typer.Option("0,0,0", "--colour", help="Redaction colour as R,G,B."),
    threads: int = typer.Option(None, help="CPU threads (default: the machine's cores, at most 4)."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Find the text and remove it so the background continues (or --redact: cover it).

    Prints how many words went from each page; a bad input gets a one-line error (exit code 3)."""
    from PIL import Image

    from textlens.apps.erase import erase_text
    from textlens.io.atomic import atomic_open
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import Pipeline, PipelineConfig

    fill = _colour(colour)
    errors = InputErrors(fail_fast)
    files = expand_inputs(inputs, on_error=errors.report)
    requested = len(files) + len(errors.failed)
    as_file = output.suffix.lower() in IMAGE_SUFFIXES  # else a folder, made when needed
    if as_file and requested > 1:
        raise TextlensError(f"{output}: several inputs go to a folder: give -o a folder")
    if not as_file and (output.suffix or output.is_file()) and not output.is_dir():
        raise TextlensError(f"{output}: give an image file (.png, .jpg, ...) or a folder")
    pipeline = Pipeline.from_config(PipelineConfig(threads=threads)) if files else None
    for path in files:
        with errors.guard(path):
            images: list = []
            document = pipeline.read(path, page_images=images)  # type: ignore[union-attr]
            for page, image in zip(document.pages, images):
                erased = erase_text(image, page, only=only, redact=redact, colour=fill)
                target = _target(output, path, page.index, len(document.pages), as_file)
                fmt = IMAGE_SUFFIXES.get(target.suffix.lower(), "PNG")
                buffer = io.BytesIO()
                Image.fromarray(erased.image).save(buffer, format=fmt)
                with atomic_open(target, "wb") as handle:
                    handle.write(buffer.getvalue())
                typer.echo(f"{path}: page {page.index + 1}: erased {len(erased.words)} word(s) -> {target}", err=True)
    errors.finish(requested)


def _target(output: Path, path: str, index: int, pages: int, as_file: bool) -> Path:
    """``output`` itself (an image file, for a one-page input); else ``output/<stem>[-p<N>].png``."""
    if as_file:
        if pages > 1:
            raise TextlensError(f"{pages} pages: give -o a folder (one image per page)")
        return output
    output.mkdir(parents=True, exist_ok=True)
    stem = Path(path).stem
    return output / (f"{stem}-p{index + 1}.png" if pages > 1 else f"{stem}.png")


def _colour(text: str) -> tuple[int, int, int]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise TextlensError(f"--colour: expected R,G,B with each 0-255, got {text!r}")
    return values  # type: ignore[return-value]
