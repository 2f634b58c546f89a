"""CAPTCHA commands: `captcha audit` and `synth captcha`."""

from __future__ import annotations

from pathlib import Path

import typer

from textlens.cli import app
from textlens.cli.groups import synth_app
from textlens.errors import TextlensError

captcha_app = typer.Typer(
    help="Measure how easily a text CAPTCHA scheme is solved by a reader trained on labelled samples.",
    no_args_is_help=True,
)
app.add_typer(captcha_app, name="captcha")


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"50,100,all"`` -> ``(50, 100, 0)`` (0 = all the training data)."""
    sizes = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.lower() == "all":
            sizes.append(0)
            continue
        try:
            value = int(part)
        except ValueError:
            value = -1
        if value <= 0:
            raise TextlensError(f"--sizes {text!r}: use positive sample counts or 'all', e.g. 50,100,200,all")
        sizes.append(value)
    if not sizes:
        raise TextlensError("--sizes is empty: give e.g. 50,100,200,400,800")
    return tuple(sizes)


@captcha_app.command("audit")
def audit_command(
    data: str = typer.Argument(
        ..., help="Labelled CAPTCHAs: manifest/.jsonl, a folder of images named by their text, or a CSV/TSV."
    ),
    test: str = typer.Option(None, "--test", help="Held-out test CAPTCHAs (default: 20% of DATA held out)."),
    out: Path = typer.Option(Path("captcha-audit"), "--out", "-o", help="Folder for the report and runs."),
    sizes: str = typer.Option("50,100,200,400,800", help="Training-set sizes to try; 'all' = every sample."),
    minutes_per_run: float = typer.Option(5.0, help="CPU training minutes per size."),
    ignore_case: bool = typer.Option(
        None, "--ignore-case/--match-case", help="Compare case-insensitively (default: guessed from the labels)."
    ),
    label_pattern: str = typer.Option(
        None, help="For a folder: regex with one group taking the label from the file name stem."
    ),
    seed: int = typer.Option(0, help="Seed for subsets and training."),
    base: str = typer.Option(
        "default",
        help="Recognizer to fine-tune: 'default' (the shipped one that reads the validation split best), "
        "'none' (from scratch), a name or .pt.",
    ),
) -> None:
    """Train on growing subsets of DATA and report the solve rate on the test CAPTCHAs."""
    from textlens.apps.captcha import AuditConfig, audit_captcha

    config = AuditConfig(
        data=data,
        test=test,
        out_dir=str(out),
        sizes=parse_sizes(sizes),
        minutes_per_run=minutes_per_run,
        ignore_case=ignore_case,
        seed=seed,
        label_pattern=label_pattern,
        base=base,
    )
    report = audit_captcha(config, log=lambda msg: typer.echo(msg, err=True))
    typer.echo(report.verdict)
    typer.echo(f"report: {report.files['report']}  curve: {report.files['curve']}")


@synth_app.command("captcha")
def synth_captcha_command(
    count: int = typer.Option(1000, "--count", "-n", help="Number of CAPTCHA images."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (img/*.png + manifest.jsonl)."),
    style: list[str] = typer.Option(
        ["mixed"],
        "--style",
        help="pypi, lines, dots, warp, color, overlap, strike, spaced or mixed; repeat or comma-separate.",
    ),
    alphabet: str = typer.Option(None, help="Characters to draw from (default: letters and digits without 0O1lI)."),
    min_len: int = typer.Option(4, help="Shortest text."),
    max_len: int = typer.Option(6, help="Longest text."),
    height: int = typer.Option(60, help="Image height in pixels."),
    width: int = typer.Option(None, help="Image width in pixels (default: fitted to the text length)."),
    font: list[str] = typer.Option(None, "--font", help="Font files to use (default: all usable system fonts)."),
    seed: int = typer.Option(0, help="Random seed: the same seed gives the same images."),
) -> None:
    """Render labelled text CAPTCHAs for training or testing a solver."""
    from textlens.synth.captcha import DEFAULT_ALPHABET, CaptchaSynthConfig, synth_captchas

    styles = tuple(s.strip() for item in style for s in item.split(",") if s.strip())
    for path in font or []:
        if not Path(path).is_file():
            raise TextlensError(f"{path}: no such font file")
    config = CaptchaSynthConfig(
        count=count,
        styles=styles,
        alphabet=alphabet or DEFAULT_ALPHABET,
        min_len=min_len,
        max_len=max_len,
        height=height,
        width=width,
        fonts=tuple(font) if font else None,
        seed=seed,
    )
    manifest = synth_captchas(config, out)
    typer.echo(f"wrote {count} CAPTCHAs: {manifest}")
