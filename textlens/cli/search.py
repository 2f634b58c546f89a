"""``textlens index`` (read a collection into a search index) and ``textlens search`` (query it)."""

from __future__ import annotations

import base64
import html
import io
import json
import sys
from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.inputs import FAIL_FAST_HELP, InputErrors
from textlens.errors import TextlensError

THUMBNAILS = 50  # hits drawn in the --html page (each is cut from its page)


@app.command("index")
def index_command(
    inputs: list[str] = typer.Argument(..., metavar="INPUT", help="Images or PDFs: files, folders, globs."),
    output: Path = typer.Option(..., "--output", "-o", help="The index file (SQLite); created or updated."),
    det_model: str = typer.Option(None, "--det-model", help="Detector: registered name or .onnx path."),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    threads: int = typer.Option(None, help="CPU threads in all (default: the machine's cores, at most 4)."),
    jobs: int = typer.Option(None, "--jobs", "-j", help="Pages read at once, each in its own worker process."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help=FAIL_FAST_HELP),
) -> None:
    """Read images and PDFs into a word index; run it again and only new or changed files are read.

    A file that cannot be read gets a one-line error (exit code 3) and keeps what the index held."""
    from textlens.apps.search import SearchIndex
    from textlens.cli.read import _jobs, _progress, _reader
    from textlens.io.loading import expand_inputs
    from textlens.pipeline import PipelineConfig

    errors = InputErrors(fail_fast)
    files = expand_inputs(inputs, on_error=errors.report)
    config = PipelineConfig(detector=det_model, recognizer=rec_model, threads=threads, jobs=_jobs(jobs, threads, files))
    with SearchIndex(output) as index:
        to_read, _ = index.stale(files)
        if to_read:
            with _reader(config, to_read, {}, False) as (reader, _sources), _progress(len(to_read)) as advance:
                report = index.add(files, reader.read_many, on_file=advance)
        else:
            report = index.add(files, lambda paths: iter(()))
        counts = index.counts()
    for path, error in report.failed:
        errors.report(path, TextlensError(error))
    typer.echo(
        f"read {len(report.read)} file(s) ({report.pages} pages) in {report.seconds:.1f} s, "
        f"{len(report.unchanged)} unchanged, {len(report.failed)} failed; the index holds "
        f"{counts['files']} files, {counts['lines']} lines, {counts['words']} words",
        err=True,
    )
    errors.finish(len(files) + len(errors.failed) - len(report.failed))


@app.command("search")
def search_command(
    index_path: Path = typer.Argument(..., metavar="INDEX", help="An index built with `textlens index`."),
    query: str = typer.Argument(..., help="A word (or a phrase: several words, in order, on one line)."),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="Also find words misread by a letter or two."),
    prefix: bool = typer.Option(False, "--prefix", help="Find words that start with the query."),
    limit: int = typer.Option(20, "--limit", "-n", help="At most this many hits."),
    output_format: str = typer.Option("text", "--format", "-f", help="text (one hit per line) or json."),
    html_out: Path = typer.Option(None, "--html", help="Also write a results page with each hit cut from its page."),
) -> None:
    """Where a word appears in an indexed collection: file, page, box, the line around it."""
    from textlens.apps.search import SearchIndex

    if output_format not in ("text", "json"):
        raise TextlensError(f"unknown --format {output_format!r}: use text or json")
    with SearchIndex(index_path, create=False) as index:
        hits = index.search(query, fuzzy=fuzzy, prefix=prefix, limit=limit)
    for hit in hits:
        if output_format == "json":
            sys.stdout.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
        else:
            box = ",".join(str(round(v)) for v in hit.box)
            sys.stdout.write(f"{hit.path}\tpage {hit.page + 1}\t{box}\t{hit.confidence:.2f}\t{hit.line}\n")
    if html_out is not None:
        from textlens.io.atomic import write_atomic

        write_atomic(html_out, results_page(query, hits))
    if not hits:
        typer.echo(f"no match for {query!r}", err=True)
        raise typer.Exit(1)


def results_page(query: str, hits: list) -> str:
    """A self-contained HTML page: each hit's line cut from its page, the match outlined."""
    rows = []
    for number, hit in enumerate(hits):
        picture = _thumbnail(hit) if number < THUMBNAILS else ""
        where = f"{html.escape(hit.path)} &middot; page {hit.page + 1} &middot; {hit.confidence:.0%}"
        line = _marked(hit.line, hit.matched)
        rows.append(f"<li><div class='where'>{where}</div>{picture}<div class='line'>{line}</div></li>")
    style = (
        "body{font:15px system-ui,sans-serif;margin:2em;max-width:60em}li{margin:1em 0}"
        ".where{color:#555;font-size:13px}img{max-width:100%;border:1px solid #ccc}mark{background:#ffe066}"
    )
    return (
        f"<!doctype html><html lang='en'><meta charset='utf-8'><title>textlens search: {html.escape(query)}</title>"
        f"<style>{style}</style><h1>{len(hits)} hit(s) for &ldquo;{html.escape(query)}&rdquo;</h1>"
        f"<ol>{''.join(rows)}</ol></html>\n"
    )


def _marked(line: str, matched: str) -> str:
    """The line, HTML-escaped, with the first matched word highlighted."""
    for word in matched.split():
        start = line.casefold().find(word)
        if start >= 0:
            before, found, after = line[:start], line[start : start + len(word)], line[start + len(word) :]
            return f"{html.escape(before)}<mark>{html.escape(found)}</mark>{html.escape(after)}"
    return html.escape(line)


def _thumbnail(hit) -> str:  # noqa: ANN001 - a search Hit
    """The hit's neighbourhood on its page as an inline PNG with the box drawn; empty when the
    file is gone or unreadable (the index may be older than the files)."""
    from PIL import Image, ImageDraw

    from textlens.io.loading import load_page

    try:
        page = Image.fromarray(load_page(hit.path, hit.page).image)
    except (TextlensError, OSError):
        return ""
    x0, y0, x1, y1 = hit.box
    pad = max(20.0, (y1 - y0) * 1.5)
    left, top = max(0.0, x0 - 3 * pad), max(0.0, y0 - pad)
    crop = page.crop((left, top, min(page.width, x1 + 3 * pad), min(page.height, y1 + pad)))
    outline = (x0 - left - 2, y0 - top - 2, x1 - left + 2, y1 - top + 2)
    ImageDraw.Draw(crop).rectangle(outline, outline=(230, 60, 20), width=2)
    crop.thumbnail((800, 240))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG")
    return f"<img alt='' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"
