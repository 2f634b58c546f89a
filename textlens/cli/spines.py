"""``textlens spines``: the titles on the book spines of a shelf photo, left to right."""

from __future__ import annotations

import json

import typer

from textlens.cli import app


@app.command("spines")
def spines_command(
    images: list[str] = typer.Argument(..., help="Shelf photos (images, or PDFs: every page)."),
    as_json: bool = typer.Option(False, "--json", help="Print the spines as JSON."),
) -> None:
    """Read the text running up or down each book spine; one spine per line, left to right, with its box."""
    from textlens.apps.spines import read_spines
    from textlens.io.loading import iter_pages

    results = []
    for source in images:
        for page in iter_pages(source):
            where = source if page.index == 0 else f"{source}#{page.index + 1}"
            spines = read_spines(page.image)
            results.append({"image": where, "spines": [s.to_dict() for s in spines]})
            if as_json:
                continue
            if not spines:
                typer.echo(f"{where}: no spine text found")
            for s in spines:
                arrow = "down" if s.downwards else "up"
                typer.echo(f"{where}: {s.text} ({arrow}, box {','.join(map(str, s.box))})")
    if as_json:
        typer.echo(json.dumps(results if len(results) != 1 else results[0], indent=2, ensure_ascii=False))
