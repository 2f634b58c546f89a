"""``textlens subtitles``: burnt-in subtitles of a video as SRT, WebVTT or JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from textlens.cli import app
from textlens.errors import TextlensError

SUFFIXES = {".srt": "srt", ".vtt": "vtt", ".json": "json"}


@app.command("subtitles")
def subtitles_command(
    video: Path = typer.Argument(..., help="A video file (anything FFmpeg reads: mp4, mkv, webm, avi, ...)."),
    output: Path = typer.Option(None, "--output", "-o", help="Write here (.srt, .vtt or .json); default: stdout."),
    fmt: str = typer.Option(None, "--format", "-f", help="srt, vtt or json (default: from -o, else srt)."),
    region: str = typer.Option(
        "bottom", "--region", help="Where subtitles are: bottom, top, full, or x0,y0,x1,y1 as fractions of the frame."
    ),
    step: float = typer.Option(0.2, "--step", help="Seconds between looks for new subtitles (times stay exact)."),
    det_model: str = typer.Option(None, "--det-model", help="Detector: registered name or .onnx path."),
    rec_model: str = typer.Option(None, "--rec-model", help="Recognizer: registered name or .onnx path."),
    threads: int = typer.Option(None, help="CPU threads (default: the machine's cores, at most 4)."),
) -> None:
    """Find the subtitles burnt into a video, read each once, and time it to the frame.

    Prints how many subtitles were found and how fast; a file that is not a readable video gets a
    one-line error (exit code 2) and nothing is written."""
    from textlens.apps.subtitles import SubtitleConfig, parse_region, read_subtitles
    from textlens.io.atomic import atomic_open
    from textlens.io.subtitles import format_cues
    from textlens.pipeline import Pipeline, PipelineConfig

    fmt = fmt or (SUFFIXES.get(output.suffix.lower()) if output else None) or "srt"
    if fmt not in SUFFIXES.values():
        raise TextlensError(f"--format: use srt, vtt or json, got {fmt!r}")
    if not 0.04 <= step <= 2.0:
        raise TextlensError(f"--step must lie between 0.04 and 2 seconds, got {step}")
    if not video.is_file():
        raise TextlensError(f"{video}: no such file")
    config = SubtitleConfig(region=parse_region(region), step=step)
    pipeline = Pipeline.from_config(
        PipelineConfig(detector=det_model, recognizer=rec_model, mode="document", threads=threads)
    )
    started = time.perf_counter()
    watched = [0.0]
    cues = read_subtitles(video, pipeline, config, progress=lambda t: watched.__setitem__(0, t))
    spent = time.perf_counter() - started
    if fmt == "json":
        text = json.dumps({"video": str(video), "cues": [c.to_dict() for c in cues]}, ensure_ascii=False, indent=2)
    else:
        text = format_cues(cues, fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        with atomic_open(output, "w") as handle:
            handle.write(text)
    speed = watched[0] / spent if spent > 0 else 0.0
    typer.echo(f"{video}: {len(cues)} subtitle(s) in {watched[0]:.1f} s of video ({speed:.1f}x real time)", err=True)
