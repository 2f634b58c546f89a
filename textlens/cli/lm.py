"""`textlens train lm`: a character language model from the text of labelled sets."""

from __future__ import annotations

from pathlib import Path

import typer

from textlens.cli.groups import train_app


@train_app.command("lm")
def train_lm_command(
    data: list[str] = typer.Argument(
        ..., help="Labelled sets whose labels to learn from (manifest, folder or CSV/TSV), or plain .txt files."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Language model file to write (.npz)."),
    order: int = typer.Option(7, help="n-gram order: characters of context + 1."),
    hold_out: float = typer.Option(
        0.1, help="Leave out this share of each labelled set, as `train recognizer` holds it out for validation."
    ),
    seed: int = typer.Option(0, help="Seed of the held-out split (the recognizer trainer's --seed)."),
    fold_accents: bool = typer.Option(
        False, help="Count letters without their accents: the model judges spelling, the recognizer accents."
    ),
) -> None:
    """Count character n-grams of training labels; recognizers use it for lines they are unsure of
    (`--lm PATH` on read, recognize and eval)."""
    from textlens.training.lm import LmConfig, build_lm

    lm = build_lm(data, LmConfig(order=order, hold_out=hold_out, seed=seed, fold_accents=fold_accents))
    lm.save(output)
    sources = ", ".join(f"{name}: {count}" for name, count in lm.meta["sources"].items())
    typer.echo(f"wrote {output}: order {lm.order}, {lm.meta['lines']} lines, {len(lm.vocab)} characters ({sources})")
