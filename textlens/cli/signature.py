"""``textlens signature verify|find``, ``textlens train signature`` and ``textlens export signature``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.groups import export_app, train_app
from textlens.errors import TextlensError

signature_app = typer.Typer(help="Verify signatures against a writer's references; find them on pages.")
app.add_typer(signature_app, name="signature", no_args_is_help=True)


def _image(path: str):
    from textlens.io.loading import load_image

    return load_image(path)


@signature_app.command("verify")
def verify_command(
    query: str = typer.Argument(..., help="The signature to check (an image)."),
    refs: list[str] = typer.Option(..., "--ref", help="A genuine signature of the claimed writer (repeat; 5 or so)."),
    threshold: float = typer.Option(None, "--threshold", help="Accept at or below this score (default: the model's)."),
    model: str = typer.Option(None, "--model", help="Signature model: registered name or .onnx path."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Is QUERY by the writer of the --ref signatures? Prints the score, the decision and what the threshold means."""
    from textlens.apps.signatures import verify_signature

    result = verify_signature(_image(query), [_image(r) for r in refs], model=model, threshold=threshold)
    if as_json:
        typer.echo(json.dumps({"query": query, "references": refs, **result.to_dict()}, indent=2))
        return
    decision = "genuine" if result.genuine else "forgery"
    typer.echo(f"{query}: {decision} (score {result.score:.3f}, threshold {result.threshold:.3f})")
    typer.echo(f"threshold: {result.meaning}", err=True)


@signature_app.command("find")
def find_command(
    page: str = typer.Argument(..., help="A scanned page (image or one-page PDF)."),
    output: Path = typer.Option(None, "--output", "-o", help="Also draw the boxes on the page (an image file)."),
    as_json: bool = typer.Option(False, "--json", help="Print the boxes as JSON."),
) -> None:
    """Where the handwritten signatures on a page are: ink that is neither text nor ruled lines."""
    import cv2

    from textlens.apps.signatures import find_signatures

    image = _image(page)
    found = find_signatures(image)
    if as_json:
        typer.echo(json.dumps({"page": page, "signatures": [s.to_dict() for s in found]}, indent=2))
    else:
        for s in found:
            typer.echo(f"{page}: signature at {s.box[0]},{s.box[1]} - {s.box[2]},{s.box[3]} ({s.ink} ink pixels)")
    if output is not None:
        from textlens.io.atomic import atomic_open

        drawn = image.copy()
        for s in found:
            cv2.rectangle(drawn, s.box[:2], s.box[2:], (220, 30, 30), 3)
        ok, encoded = cv2.imencode(output.suffix or ".png", cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR))
        if not ok:
            raise TextlensError(f"{output}: cannot write that image format")
        with atomic_open(output, "wb") as handle:
            handle.write(encoded.tobytes())


@train_app.command("signature")
def train_signature_command(
    manifests: list[str] = typer.Argument(..., help='JSONL manifests: {"image", "writer", "genuine"} per line.'),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for checkpoints (best.pt, last.pt)."),
    val_writers: int = typer.Option(8, "--val-writers", help="Writers held out (never trained on) for validation."),
    references: int = typer.Option(5, "--references", help="Genuine references per writer in validation."),
    minutes: float = typer.Option(15.0, "--minutes", help="Stop after this long."),
    steps: int = typer.Option(900, "--steps", help="Training steps (the learning-rate schedule's length)."),
    threads: int = typer.Option(2, "--threads", help="CPU threads."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Train the writer-independent signature embedding (skilled forgeries as hard negatives)."""
    from textlens.training.signatures import SignatureTrainConfig, train

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = SignatureTrainConfig(
        manifests=manifests, out=str(output), val_writers=val_writers, references=references,
        minutes=minutes, steps=steps, threads=threads, seed=seed, val_every=max(10, steps // 20),
    )  # fmt: skip
    best = train(config)
    typer.echo(f"best: step {best.get('step')}, skilled-forgery EER {100 * best['eer']:.1f}% on held-out writers")


@export_app.command("signature")
def export_signature_command(
    checkpoint: Path = typer.Argument(..., help="A checkpoint from `textlens train signature`."),
    output: Path = typer.Option(..., "--output", "-o", help="The .onnx file to write."),
    name: str = typer.Option(None, "--name", help="Model name stored in the file."),
) -> None:
    """Export a signature checkpoint to a self-describing ONNX model (config and threshold inside)."""
    from textlens.training.signatures import export_onnx

    typer.echo(str(export_onnx(checkpoint, output, name)))
