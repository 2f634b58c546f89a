"""Font identification on held-out renders and on the lines `read` finds on rendered pages.

    python -m benchmarks.fonts [--model font-net] [--lines 2000] [--pages 40]

Lines: ``--lines`` synthetic lines (the training renderer: crops, ink, paper, blur, noise, JPEG, low
resolution, binarisation; texts drawn with a seed no training or validation run used), classes drawn
uniformly, a family of the class, then a style; scored with the exported model through ONNX Runtime
(top-1, top-5 and generic kind, overall and per kind; the commonest confusions). A class that stands
for several families drawn alike counts as right for any of them.
Pages: ``--pages`` white pages, each set in one class's regular style (6-10 sentences, 22-44 px type,
a little noise), read by the one Pipeline; each line it finds is classified (``identify_page_fonts``)
and scored against the page's class.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks.run import ROOT
from textlens.io.atomic import write_atomic

TEST_SEED = 2_000_003  # never a training or validation seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="registered name or .onnx path (default: the shipped one)")
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fonts.md")
    args = parser.parse_args(argv)

    from textlens.training.fonts import FontSampler, score
    from textlens.typeface.classifier import FontClassifier
    from textlens.typeface.families import classes_on_this_machine

    model = FontClassifier.load(args.model, threads=args.threads)
    classes = [c for c in classes_on_this_machine(model.classes) if c.paths]
    names = [c["name"] for c in model.classes]
    sampler = FontSampler(classes, tuple(model.kinds), model.height)
    rng = np.random.default_rng(TEST_SEED)
    images, fonts, kinds = [], [], []
    while len(images) < args.lines:
        line, font, kind = sampler.sample(rng)
        images.append(line)
        fonts.append(names.index(classes[font].name))
        kinds.append(kind)
    started = time.perf_counter()
    font_p, kind_p = _probabilities(model, images)
    per_line_ms = 1000 * (time.perf_counter() - started) / len(images)
    overall = score(font_p, kind_p, fonts, kinds)
    report = [
        f"# Font identification ({len(names)} classes, {len(model.families)} families; model {model.path.name})",
        "",
        f"## {len(images)} held-out synthetic lines (seed {TEST_SEED})",
        "",
        "| lines | top-1 | top-5 | generic kind | ms/line |",
        "|---|---:|---:|---:|---:|",
        f"| all ({len(images)}) | {100 * overall['top1']:.1f} | {100 * overall['top5']:.1f} | "
        f"{100 * overall['kind']:.1f} | {per_line_ms:.1f} |",
    ]
    for k, kind in enumerate(model.kinds):
        chosen = [i for i, truth in enumerate(kinds) if truth == k]
        if chosen:
            part = score(font_p[chosen], kind_p[chosen], [fonts[i] for i in chosen], [k] * len(chosen))
            report.append(
                f"| {kind} ({len(chosen)}) | {100 * part['top1']:.1f} | {100 * part['top5']:.1f} | "
                f"{100 * part['kind']:.1f} | |"
            )
    mistakes = Counter(
        (names[t], names[int(p)]) for t, p in zip(fonts, font_p.argmax(axis=1)) if int(p) != t
    ).most_common(8)
    report += ["", "Commonest confusions (truth -> answer, count): " + "; ".join(
        f"{a} -> {b} {n}" for (a, b), n in mistakes
    )]  # fmt: skip
    if args.pages:
        report += ["", *_pages(args.pages, classes, names, args.model)]
    text = "\n".join(report) + "\n"
    write_atomic(args.out, text)
    print(text)
    return 0


def _probabilities(model, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's probabilities for lines already normalised by the sampler (scaled back to grey)."""
    grey = [(255 * (1.0 - line)).astype(np.uint8) for line in images]
    return model.probabilities(grey, batch_size=32)


def _pages(count: int, classes, names: list[str], model_name: str | None) -> list[str]:
    from PIL import Image, ImageDraw, ImageFont

    from textlens.apps.fonts import identify_page_fonts
    from textlens.pipeline import Pipeline
    from textlens.synth.corpus import sentence
    from textlens.typeface.families import regular_style, text_faces

    faces = text_faces()
    rng = np.random.default_rng(TEST_SEED + 1)
    pipeline = Pipeline.from_config()
    right = total = pages_right = 0
    for _ in range(count):
        chosen = classes[int(rng.integers(len(classes)))]
        family = chosen.families[int(rng.integers(len(chosen.families)))]
        font = ImageFont.truetype(regular_style(faces[family]).path, int(rng.integers(22, 45)))
        page = Image.new("L", (1400, 1000), int(rng.integers(225, 256)))
        draw = ImageDraw.Draw(page)
        y = 60
        while y < 880:
            draw.text((70, y), sentence(rng)[:48], font=font, fill=int(rng.integers(0, 60)))
            y += int(font.size * 2.0)
        grey = np.asarray(page, np.float32) + rng.normal(0, 4, (1000, 1400))
        rgb = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        lines = identify_page_fonts(rgb, top=1, model=model_name, pipeline=pipeline)
        hits = sum(line.guess.font == chosen.name for line in lines)
        right, total = right + hits, total + len(lines)
        votes = Counter(line.guess.font for line in lines).most_common(1)
        pages_right += bool(votes) and votes[0][0] == chosen.name
    return [
        f"## {count} rendered pages, each in one face; the lines `read` found on them",
        "",
        f"Lines classified: {total}; top-1 per line {100 * right / max(total, 1):.1f}%; "
        f"pages whose majority vote is right: {pages_right} of {count}.",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
