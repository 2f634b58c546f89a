"""`textlens export int8`: an INT8 copy of a detector or recognizer, calibrated on real pages."""

from __future__ import annotations

from pathlib import Path

import typer

from textlens.cli.groups import export_app
from textlens.errors import TextlensError


@export_app.command("int8")
def export_int8_command(
    model: str = typer.Argument(..., help="Detector or recognizer: registered name or .onnx path."),
    output: Path = typer.Option(..., "--output", "-o", help="INT8 .onnx file to write."),
    pages: list[str] = typer.Option(None, "--pages", help="Page images or folders read to calibrate (repeatable)."),
    lines: list[str] = typer.Option(
        None, "--lines", help="Single-line images or folders, also used to calibrate a recognizer (repeatable)."
    ),
    name: str = typer.Option(None, help="Model name stored in the metadata (default: the original's)."),
) -> None:
    """Quantize a model to INT8 for faster CPU reading (calibrated on the inputs it gets while reading)."""
    from textlens.models.registry import resolve_model
    from textlens.runtime.quantize import calibration_inputs, quantize_model
    from textlens.runtime.session import create_session, model_metadata

    kind = None
    for candidate in ("detector", "recognizer"):
        try:
            path = resolve_model(model, candidate)
        except TextlensError:
            continue
        kind = model_metadata(create_session(path, 1)).get("textlens_kind")
        break
    if kind not in ("detector", "recognizer"):
        raise TextlensError(f"{model}: not a textlens detector or recognizer")
    inputs = calibration_inputs(path, kind, pages or [], lines or [])
    written = quantize_model(path, output, inputs, name)
    typer.echo(f"wrote {written} ({kind}, calibrated on {len(inputs)} inputs)")
