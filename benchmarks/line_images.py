"""Single-line images (screenshots, banners, labels): `read` on the whole image, side by side with Tesseract.

    python -m benchmarks.line_images [--engines textlens,tesseract] [--out FILE]

A user drops a screenshot of one line or word into `read` and expects that line back. This
renders such images: four short texts, in the first three fonts this machine has for them,
at 16-100 px, with 8, 30 and 80 px margins (180 images, dark on white), and reads each whole
image: textlens `Pipeline.read` (what `textlens read IMAGE` runs, in-process), Tesseract with its
default page segmentation (what `tesseract IMAGE -` runs) and with `--psm 7` (told it is one
line). Scores: images read exactly (whitespace collapsed, case ignored) and CER (case ignored).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import ROOT
from textlens.eval.metrics import char_edits
from textlens.io.atomic import write_atomic

TEXTS = ("Harbour Lantern", "Open 24 hours", "SALE 50% OFF", "hello world")
SIZES = (16, 24, 40, 64, 100)
MARGINS = (8, 30, 80)
FONTS_PER_TEXT = 3


def render_all(folder: Path) -> list[tuple[Path, str, str]]:
    """(image, text, description) of every rendered line."""
    from PIL import Image, ImageDraw, ImageFont

    from textlens.synth.fonts import discover_fonts

    rendered = []
    for t, text in enumerate(TEXTS):
        for f, font_path in enumerate(discover_fonts(text)[:FONTS_PER_TEXT]):
            for size in SIZES:
                for margin in MARGINS:
                    font = ImageFont.truetype(font_path, size)
                    left, top, right, bottom = font.getbbox(text)
                    image = Image.new("RGB", (right - left + 2 * margin, bottom - top + 2 * margin), "white")
                    ImageDraw.Draw(image).text((margin - left, margin - top), text, font=font, fill="black")
                    path = folder / f"line-{t}-{f}-{size}-{margin}.png"
                    image.save(path)
                    rendered.append((path, text, f"{Path(font_path).stem} {size}px margin {margin}"))
    return rendered


def textlens_reads(paths: list[Path]) -> list[str]:
    from textlens.io.loading import load_image
    from textlens.pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline.from_config(PipelineConfig(threads=1))
    return [pipeline.read(load_image(path)).pages[0].text for path in paths]


def tesseract_reads(paths: list[Path], psm: int | None) -> list[str]:
    args = ["--psm", str(psm)] if psm is not None else []
    env = {"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}
    return [
        subprocess.run(["tesseract", str(p), "-", *args], capture_output=True, text=True, env=env).stdout for p in paths
    ]


def summary(preds: list[str], refs: list[str]) -> tuple[int, float]:
    norm = [(" ".join(p.split()).casefold(), r.casefold()) for p, r in zip(preds, refs)]
    exact = sum(p == r for p, r in norm)
    cer = 100.0 * sum(char_edits(p, r) for p, r in norm) / sum(len(r) for _, r in norm)
    return exact, cer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="textlens,tesseract")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "line-images.md")
    parser.add_argument("--show-misses", action="store_true", help="list textlens's wrong readings on stderr")
    args = parser.parse_args(argv)
    engines = args.engines.split(",")
    with tempfile.TemporaryDirectory(prefix="textlens-lines-") as tmp:
        rendered = render_all(Path(tmp))
        paths, refs = [p for p, _, _ in rendered], [t for _, t, _ in rendered]
        rows = []
        if "textlens" in engines:
            preds = textlens_reads(paths)
            rows.append(("textlens `read`", *summary(preds, refs)))
            if args.show_misses:
                for (_, text, how), pred in zip(rendered, preds):
                    if " ".join(pred.split()).casefold() != text.casefold():
                        print(f"{how}: {text!r} -> {' '.join(pred.split())!r}", file=sys.stderr)
        if "tesseract" in engines:
            rows.append(("tesseract (default --psm 3)", *summary(tesseract_reads(paths, None), refs)))
            rows.append(("tesseract --psm 7 (told: one line)", *summary(tesseract_reads(paths, 7), refs)))
    lines = [
        f"### Single-line images: {len(refs)} rendered lines, whole image read",
        "",
        "| engine | read exactly | CER % (ci) |",
        "|---|---:|---:|",
        *[f"| {name} | {exact} / {len(refs)} | {cer:.2f} |" for name, exact, cer in rows],
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    write_atomic(args.out, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
