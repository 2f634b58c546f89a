"""``textlens synth lines``: render a folder of synthetic text-line images with a manifest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from textlens.cli.groups import synth_app
from textlens.errors import TextlensError


@synth_app.command("lines")
def lines(
    count: int = typer.Option(..., "--count", "-n", min=1, help="How many lines to render."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: writes img/*.png and manifest.jsonl."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same images."),
    height: int = typer.Option(32, "--height", min=8, help="Output image height in pixels."),
    max_chars: int = typer.Option(48, "--max-chars", min=1, help="Longest text per line."),
    script: str = typer.Option("latin", "--script", help="Script group: latin, greek, cyrillic or arabic."),
    pure: bool = typer.Option(False, "--pure", help="Only the script's own text (no Latin lines mixed in)."),
    fonts: str = typer.Option(
        "all",
        "--fonts",
        help="Font families: all, train (7 in 8) or test (the eighth a --synth-fonts train model never saw).",
    ),
) -> None:
    """Render synthetic text lines (grey PNGs) and a manifest.jsonl of {"image", "text"}."""
    import cv2
    import numpy as np
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from textlens.io.atomic import atomic_open
    from textlens.synth.lines import LineSynthConfig, LineSynthesizer

    if out.exists() and not out.is_dir():
        raise TextlensError(f"{out}: exists and is not a folder; give a folder path for --out")
    try:
        (out / "img").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TextlensError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    from textlens.recognition.charset import SCRIPT_CHARS, strip_arabic_marks
    from textlens.synth.corpus import script_weights

    if script not in SCRIPT_CHARS:
        raise TextlensError(f"--script must be one of {', '.join(SCRIPT_CHARS)} (got {script!r})")
    if fonts not in ("all", "train", "test"):
        raise TextlensError(f"--fonts must be all, train or test (got {fonts!r})")
    config = LineSynthConfig(
        height=height,
        max_chars=max_chars,
        charset=SCRIPT_CHARS[script],
        source_weights=script_weights(script, pure=pure and script != "latin") or None,
        script=script,
        font_split=fonts,
    )
    synth = LineSynthesizer(config)
    width = max(6, len(str(count - 1)))
    rows = []
    columns = (TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("lines", total=count)
        for i in range(count):
            # One generator per index: image i does not depend on --count.
            image, text = synth.sample(np.random.default_rng([seed, i]))
            text = " ".join(strip_arabic_marks(text).split()) if script == "arabic" else text
            name = f"img/{i:0{width}d}.png"
            ok, buf = cv2.imencode(".png", image)
            if not ok:
                raise TextlensError(f"{out / name}: PNG encoding failed")
            _write_image(out / name, buf.tobytes())
            rows.append(json.dumps({"image": name, "text": text}, ensure_ascii=False))
            progress.advance(task)
    # Images reach the disk before the manifest that lists them: a folder with a manifest
    # is always complete.
    if hasattr(os, "sync"):
        os.sync()
    with atomic_open(out / "manifest.jsonl") as handle:
        handle.write("\n".join(rows) + "\n")
    typer.echo(f"wrote {count} lines to {out / 'manifest.jsonl'}")


def _write_image(path: Path, data: bytes) -> None:
    """Write-then-rename (never a half-written PNG) without a per-file fsync, which would cost
    more than rendering the line; one sync before the manifest makes the set durable."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TextlensError(f"{path}: cannot write image ({exc.strerror})") from None


@synth_app.command("digits")
def digits(
    count: int = typer.Option(..., "--count", "-n", min=1, help="How many crops to render."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: writes img/*.png and manifest.jsonl."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same images."),
    split: str = typer.Option(
        "train", "--split", help="train: drawn segments, training font families; test: DSEG segments, held-out ones."
    ),
    look: str = typer.Option(None, "--look", help="Only this look: lcd, led, counter, plate, sign or print."),
) -> None:
    """Render digit sequences as meters, displays, plates, signs and print show them (colour PNG crops)."""
    from textlens.synth.digits import render_digits

    _write_crops(out, count, seed, lambda rng: render_digits(rng, split, look))
    typer.echo(f"wrote {count} digit crops to {out / 'manifest.jsonl'}")


@synth_app.command("words")
def words(
    count: int = typer.Option(..., "--count", "-n", min=1, help="How many word crops to render."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: writes img/*.png and manifest.jsonl."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same images."),
    backgrounds: list[Path] = typer.Option(
        None,
        "--backgrounds",
        help="Photos to lay the words on (repeatable): a folder of images, or a manifest.jsonl whose "
        "region quads mark the photos' own text (avoided). Without it: made-up backgrounds.",
    ),
) -> None:
    """Render scene words (signs, shop fronts, products) as photos show them (colour PNG crops)."""
    from textlens.synth.scenes import Backgrounds, SceneWordSynthesizer

    synth = SceneWordSynthesizer(Backgrounds.load(list(backgrounds or [])) if backgrounds else None)
    _write_crops(out, count, seed, synth.sample)
    typer.echo(f"wrote {count} scene words to {out / 'manifest.jsonl'}")


@synth_app.command("scenes")
def scenes(
    count: int = typer.Option(..., "--count", "-n", min=1, help="How many photos to write."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: writes img/*.jpg and manifest.jsonl."),
    backgrounds: list[Path] = typer.Option(
        ...,
        "--backgrounds",
        help="Photos to paint new signs on (repeatable): a folder of images without text, or a page "
        "manifest.jsonl whose region quads (their text kept as labels) mark where text already is.",
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same photos."),
) -> None:
    """Render photos with new signs in them, every word's quad labelled (scene detector training pages)."""
    from textlens.synth.scene_photos import ScenePhotoSynthesizer
    from textlens.synth.scenes import load_photo_pages

    synth = ScenePhotoSynthesizer(load_photo_pages(list(backgrounds)))
    _write_crops(out, count, seed, synth.sample, suffix=".jpg")
    typer.echo(f"wrote {count} scene photos to {out / 'manifest.jsonl'}")


def _write_crops(out: Path, count: int, seed: int, render, suffix: str = ".png") -> None:
    """``count`` colour images ``render(rng) -> (RGB image, label)`` (one generator per index: image
    i does not depend on ``count``) as img/*.png (or .jpg), then the manifest that lists them. A
    label that is a list of regions ({"quad", "text"}) makes a page manifest line."""
    import cv2
    import numpy as np

    from textlens.io.atomic import atomic_open

    try:
        (out / "img").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TextlensError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    width = max(6, len(str(count - 1)))
    rows = []
    for i in range(count):
        image, text = render(np.random.default_rng([seed, i]))
        name = f"img/{i:0{width}d}{suffix}"
        ok, buf = cv2.imencode(suffix, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if not ok:
            raise TextlensError(f"{out / name}: image encoding failed")
        _write_image(out / name, buf.tobytes())
        row = {"image": name, "text": text}
        if isinstance(text, list):
            row = {"image": name, "text": "\n".join(r["text"] for r in text), "regions": text}
        rows.append(json.dumps(row, ensure_ascii=False))
    if hasattr(os, "sync"):
        os.sync()
    with atomic_open(out / "manifest.jsonl") as handle:
        handle.write("\n".join(rows) + "\n")
