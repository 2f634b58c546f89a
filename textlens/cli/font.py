"""``textlens font``, ``textlens train font`` and ``textlens export font``."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.groups import export_app, train_app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors, each_page, echo_json
from textlens.errors import TextlensError


@app.command("font")
def font_command(
    images: list[str] = typer.Argument(..., help="Line or word crops, or pages (images or PDFs: every page)."),
    top: int = typer.Option(5, "--top", min=1, help="How many likeliest fonts to list."),
    mode: str = typer.Option(
        "auto", "--as", help="crop: each image is one line or word; page: read it and name each line's font; auto."
    ),
    model: str = typer.Option(None, "--model", help="Font model: registered name or .onnx path."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Which font family (and kind: serif, sans, mono, script, display) is the text set in?"""
    from textlens.apps.fonts import classifier, identify_font, identify_page_fonts, looks_like_crop
    from textlens.io.loading import PageImage

    if mode not in ("auto", "crop", "page"):
        raise TextlensError(f"--as {mode!r}: use auto, crop or page")
    classifier(model)  # a model that is not a font model stops the run before any input is read
    errors, results = InputErrors(fail_fast), []

    def read_one(where: str, page: PageImage) -> None:
        if mode == "crop" or (mode == "auto" and looks_like_crop(page.image)):
            guess = identify_font(page.image, top=top, model=model)
            results.append({"image": where, **guess.to_dict()})
            if not as_json:
                _print_guess(where, guess.fonts, guess.kind)
            return
        lines = identify_page_fonts(page.image, top=top, model=model)
        results.append({"image": where, "lines": [line.to_dict() for line in lines]})
        if not as_json:
            if not lines:
                typer.echo(f"{where}: no text lines found")
            for line in lines:
                _print_guess(f"{where} {line.text[:40]!r}", line.guess.fonts, line.guess.kind)

    each_page(images, errors, read_one)
    if as_json:
        echo_json(results)
    errors.finish(len(images))


def _print_guess(label: str, fonts: list[tuple[str, float]], kind: str) -> None:
    ranked = ", ".join(f"{name} {100 * p:.0f}%" for name, p in fonts)
    typer.echo(f"{label}: {kind}; {ranked}")


@train_app.command("font")
def train_font_command(
    output: Path = typer.Option(..., "--output", "-o", help="Folder for checkpoints (best.pt, last.pt); resumes."),
    minutes: float = typer.Option(30.0, "--minutes", help="Stop after this long."),
    steps: int = typer.Option(20000, "--steps", help="Training steps (the learning-rate schedule's length)."),
    batch_size: int = typer.Option(48, "--batch-size"),
    lr: float = typer.Option(2e-3, "--lr"),
    val_lines: int = typer.Option(1000, "--val-lines", help="Validation lines, rendered with a seed of their own."),
    val_every: int = typer.Option(500, "--val-every"),
    threads: int = typer.Option(2, "--threads", help="CPU threads for the network."),
    workers: int = typer.Option(1, "--workers", help="Processes that render training lines."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train the font identifier on synthetic lines in every text face of this machine."""
    from textlens.training.fonts import FontTrainConfig, train

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = FontTrainConfig(
        out=str(output), minutes=minutes, steps=steps, batch_size=batch_size, lr=lr, val_lines=val_lines,
        val_every=val_every, threads=threads, workers=workers, seed=seed,
    )  # fmt: skip
    best = train(config)
    typer.echo(
        f"best: step {best.get('step')}, top-1 {100 * best['top1']:.1f}%, top-5 {100 * best['top5']:.1f}%, "
        f"kind {100 * best['kind']:.1f}% on {best.get('lines')} validation lines"
    )


@export_app.command("font")
def export_font_command(
    checkpoint: Path = typer.Argument(..., help="A checkpoint from `textlens train font`."),
    output: Path = typer.Option(..., "--output", "-o", help="The .onnx file to write."),
    name: str = typer.Option(None, "--name", help="Model name stored in the file."),
) -> None:
    """Export a font checkpoint to a self-describing ONNX model (its classes and kinds inside)."""
    from textlens.training.fonts import export_onnx

    typer.echo(str(export_onnx(checkpoint, output, name)))
