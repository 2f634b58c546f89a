"""How well does a person read a crop set? A human baseline for recognizer and CAPTCHA numbers.

``sheets`` draws a seeded random sample of a crop manifest onto numbered sheets with the labels
hidden; a person transcribes each crop, one line per crop in sheet order (``?`` for "cannot read
it"), and ``score`` compares the transcription with the labels by the same code that scores the
engines (``textlens.eval.metrics``). The sample is fixed by ``--seed`` and ``--count``, so a
transcription can be checked again later::

    python -m benchmarks.human_read sheets ../shared/data/captcha-generic-synth/test.jsonl -o /tmp/sheets
    python -m benchmarks.human_read score ../shared/data/captcha-generic-synth/test.jsonl reads.txt

``score`` also counts the misreads that are only 0/o or 1/i/l swaps: glyphs many fonts draw
alike, which a reader without the scheme's font cannot tell apart.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

from benchmarks.dataset import BenchError, Item, load_set
from textlens.eval.metrics import score_crops

PER_SHEET = 10
SHEET_WIDTH = 780
NUMBER_MARGIN = 24
LOOKALIKES = str.maketrans("o1l", "0ii")
UNREADABLE = "?"


def sample(manifest: str, count: int, seed: int) -> list[Item]:
    """``count`` crops of the set, drawn without replacement by ``seed``."""
    items = load_set(manifest).items
    if count > len(items):
        raise BenchError(f"--count {count} is more than the {len(items)} crops of {manifest}")
    random.Random(seed).shuffle(items)
    return items[:count]


def on_white(path: Path) -> Image.Image:
    """The crop composited on white (CAPTCHA PNGs are often transparent)."""
    image = Image.open(path).convert("RGBA")
    if image.width > SHEET_WIDTH - NUMBER_MARGIN:
        scale = (SHEET_WIDTH - NUMBER_MARGIN) / image.width
        image = image.resize((SHEET_WIDTH - NUMBER_MARGIN, max(1, round(image.height * scale))))
    canvas = Image.new("RGBA", image.size, "white")
    canvas.alpha_composite(image)
    return canvas.convert("RGB")


def draw_sheet(items: list[Item], first: int) -> Image.Image:
    crops = [on_white(item.image) for item in items]
    sheet = Image.new("RGB", (SHEET_WIDTH, sum(c.height + 6 for c in crops)), "white")
    draw = ImageDraw.Draw(sheet)
    y = 0
    for number, crop in enumerate(crops, start=first):
        sheet.paste(crop, (NUMBER_MARGIN, y))
        draw.text((2, y + crop.height // 2 - 5), str(number), fill="red")
        y += crop.height + 6
        draw.line([(0, y - 3), (SHEET_WIDTH, y - 3)], fill=(200, 200, 255))
    return sheet


def write_sheets(items: list[Item], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for start in range(0, len(items), PER_SHEET):
        path = out / f"sheet{start // PER_SHEET:02d}.png"
        draw_sheet(items[start : start + PER_SHEET], start).save(path)
        paths.append(path)
    return paths


def read_transcription(path: Path, expected: int) -> list[str]:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if len(lines) != expected:
        raise BenchError(f"{path} has {len(lines)} transcriptions; the sample has {expected} crops")
    return lines


def report(items: list[Item], reads: list[str]) -> str:
    refs = [item.text for item in items]
    preds = ["" if read == UNREADABLE else read for read in reads]
    scores = score_crops(preds, refs)
    wrong = [(p, r) for p, r in zip(preds, refs) if p.casefold() != r.casefold()]
    lookalike = sum(p.casefold().translate(LOOKALIKES) == r.casefold().translate(LOOKALIKES) for p, r in wrong)
    unreadable = sum(read == UNREADABLE for read in reads)
    rows = [
        f"crops read: {len(items)}",
        f"whole-sequence accuracy, case-insensitive: {scores.accuracy_ci:.1%}",
        f"CER, case-insensitive: {scores.cer_ci:.1%}",
        f"wrong only by 0/o or 1/i/l: {lookalike} ({(scores.accuracy_ci * len(items) + lookalike) / len(items):.1%} "
        "if every such swap were guessed right)",
        f"marked unreadable: {unreadable}",
        "misreads (label  read):",
    ]
    rows += [f"  {r:12s} {p or UNREADABLE}" for p, r in wrong]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("sheets", "score"):
        cmd = sub.add_parser(name)
        cmd.add_argument("data", help="crop manifest (.jsonl) or a folder holding manifest.jsonl")
        cmd.add_argument("--count", type=int, default=100, help="crops in the sample")
        cmd.add_argument("--seed", type=int, default=2026, help="which sample")
        if name == "sheets":
            cmd.add_argument("-o", "--out", type=Path, required=True, help="folder for the sheet PNGs")
        else:
            cmd.add_argument("reads", type=Path, help="one transcription per line, in sheet order; ? = unreadable")
    args = parser.parse_args(argv)
    try:
        items = sample(args.data, args.count, args.seed)
        if args.command == "sheets":
            for path in write_sheets(items, args.out):
                print(path)
        else:
            print(report(items, read_transcription(args.reads, len(items))))
    except (BenchError, OSError) as exc:
        print(f"human_read: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
