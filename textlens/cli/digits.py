"""``textlens digits``: digit sequences (meters, displays, house numbers, prices) in crops and photos."""

from __future__ import annotations

import typer

from textlens.cli import app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors, each_page, echo_json
from textlens.errors import TextlensError


@app.command("digits")
def digits_command(
    images: list[str] = typer.Argument(..., help="Crops of one sequence, or photos and pages (PDFs: every page)."),
    mode: str = typer.Option("auto", "--as", help="crop: each image is one sequence; page: find them first; auto."),
    model: str = typer.Option(None, "--model", help="Digits recognizer: registered name or .onnx path."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Read digit sequences: the text as shown, its value and unit where it is one number, and where it is."""
    from textlens.apps.digits import read_digits
    from textlens.io.loading import PageImage

    if mode not in ("auto", "crop", "page"):
        raise TextlensError(f"--as {mode!r}: use auto, crop or page")
    as_crop = {"auto": None, "crop": True, "page": False}[mode]
    errors, results = InputErrors(fail_fast), []

    def read_one(where: str, page: PageImage) -> None:
        readings = read_digits(page.image, model=model, as_crop=as_crop)
        results.append({"image": where, "digits": [r.to_dict() for r in readings]})
        if as_json:
            return
        if not readings:
            typer.echo(f"{where}: no digits found")
        for r in readings:
            typer.echo(f"{where}: {r.text} (confidence {r.confidence:.2f}, box {','.join(map(str, r.box))})")

    each_page(images, errors, read_one)
    if as_json:
        echo_json(results)
    errors.finish(len(images))
