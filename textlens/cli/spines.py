"""``textlens spines``: the titles on the book spines of a shelf photo, left to right."""

from __future__ import annotations

import typer

from textlens.cli import app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors, each_page, echo_json


@app.command("spines")
def spines_command(
    images: list[str] = typer.Argument(..., help="Shelf photos (images, or PDFs: every page)."),
    as_json: bool = typer.Option(False, "--json", help="Print the spines as JSON."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Read the text running up or down each book spine; one spine per line, left to right, with its box."""
    from textlens.apps.spines import read_spines
    from textlens.io.loading import PageImage

    errors, results = InputErrors(fail_fast), []

    def read_one(where: str, page: PageImage) -> None:
        spines = read_spines(page.image)
        results.append({"image": where, "spines": [s.to_dict() for s in spines]})
        if as_json:
            return
        if not spines:
            typer.echo(f"{where}: no spine text found")
        for s in spines:
            arrow = "down" if s.downwards else "up"
            typer.echo(f"{where}: {s.text} ({arrow}, box {','.join(map(str, s.box))})")

    each_page(images, errors, read_one)
    if as_json:
        echo_json(results)
    errors.finish(len(images))
