"""Text erasing on images whose clean background is known: is the text gone, does the background continue?

    python -m benchmarks.erase [--count 200] [--seed 0] [--show DIR]

Renders ``--count`` images (half document-like: paper texture, dark lines of text; half
scene-like: colour gradients, blotches and noise, words in colour at 28-90 px), keeping each
background before text was printed on it. Each image is read, every word found is erased with
`textlens erase`'s code (`textlens.apps.erase`), and the erased image is read again. Reported:
the share of the words first found that are found again ("words left", case-insensitive, each
word once per image), and the PSNR against the clean background inside the erased mask, for
inpainting with Navier-Stokes (what `textlens erase` does), with Telea's method (OpenCV's other
one), and for solid boxes in the mask's mean border colour (a redaction that tries to blend).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from benchmarks.run import ROOT
from textlens.io.atomic import write_atomic


def background(rng: np.random.Generator, scene: bool, size: tuple[int, int] = (480, 720)) -> np.ndarray:
    h, w = size
    if not scene:
        paper = rng.uniform(225, 250, 3)
        image = np.empty((h, w, 3), np.float32)
        image[:] = paper
        grain = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 1.5)
        return np.clip(image + grain[..., None], 0, 255).astype(np.uint8)
    top, bottom = rng.uniform(30, 230, 3), rng.uniform(30, 230, 3)
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    image = np.repeat(top + (bottom - top) * ramp, w, axis=1).astype(np.float32)
    for _ in range(int(rng.integers(3, 8))):  # soft blotches: shop fronts, walls, sky
        mask = np.zeros((h, w), np.float32)
        cv2.circle(mask, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(40, 200)), 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 25)[..., None]
        image = image * (1 - 0.6 * mask) + rng.uniform(0, 255, 3) * 0.6 * mask
    noise = rng.normal(0, 5, (h, w, 3)).astype(np.float32)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def printed(rng: np.random.Generator, clean: np.ndarray, scene: bool) -> tuple[np.ndarray, list[str]]:
    from PIL import Image, ImageDraw, ImageFont

    from textlens.synth import corpus
    from textlens.synth.fonts import discover_fonts

    fonts = discover_fonts()
    image = Image.fromarray(clean)
    draw = ImageDraw.Draw(image)
    y = int(rng.integers(20, 50))
    texts = []
    while y < clean.shape[0] - 60:
        size = int(rng.integers(28, 90)) if scene else int(rng.integers(18, 34))
        font = ImageFont.truetype(fonts[int(rng.integers(0, len(fonts)))], size)
        text = corpus.words(rng) if scene else corpus.sentence(rng)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3)) if scene else (20, 20, 30)
        if scene and np.abs(np.subtract(colour, clean[y, 20]).astype(int)).sum() < 180:
            colour = tuple(255 - int(v) for v in clean[y, 20])  # keep the words readable
        x = int(rng.integers(10, 60))
        draw.text((x, y), text, font=font, fill=colour)
        texts.append(" ".join(w for w, _ in _visible_words(text, font, x, clean.shape[1])))
        y += int(size * rng.uniform(1.4, 2.2))
    return np.asarray(image), texts


def _visible_words(text: str, font, x: int, width: int) -> list[tuple[str, int]]:  # noqa: ANN001 - a PIL font
    """The words of ``text`` drawn at ``x`` that end inside the image."""
    words, start = [], 0
    for word in text.split(" "):
        end = x + font.getlength(text[: start + len(word)])
        if end <= width:
            words.append((word, int(end)))
        start += len(word) + 1
    return words


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    diff = (a.astype(np.float64) - b.astype(np.float64))[mask > 0]
    mse = float((diff**2).mean()) if diff.size else 0.0
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def solid(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each masked region filled with the mean colour of the pixels just around it."""
    out = image.copy()
    count, labels = cv2.connectedComponents(mask)
    for label in range(1, count):
        region = (labels == label).astype(np.uint8)
        ring = cv2.dilate(region, np.ones((7, 7), np.uint8)) - region
        out[region > 0] = image[ring > 0].mean(axis=0) if ring.any() else 127
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=Path, help="write before / after pictures of the first images here")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "erase.md")
    args = parser.parse_args(argv)
    from textlens.apps.erase import erase_text
    from textlens.pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline.from_config(PipelineConfig(threads=1))
    rng = np.random.default_rng(args.seed)
    found = left = printed_words = readable = readable_before = 0
    scores: dict[str, list[float]] = {"navier-stokes (textlens erase)": [], "telea": [], "solid": []}
    per_kind = {False: [0, 0], True: [0, 0]}
    for number in range(args.count):
        scene = number % 2 == 1
        clean = background(rng, scene)
        image, texts = printed(rng, clean, scene)
        page = pipeline.read(image).pages[0]
        erased = erase_text(image, page)
        words = {w.text.casefold() for w in erased.words}
        again = {w.text.casefold() for w in pipeline.read(erased.image).pages[0].words}
        found += len(words)
        left += len(words & again)
        truth = {w.casefold() for t in texts for w in t.split()}
        printed_words += len(truth)
        readable += len(truth & again)
        readable_before += len(truth & words)
        per_kind[scene][0] += len(words)
        per_kind[scene][1] += len(words & again)
        if erased.mask is not None and erased.mask.any():
            scores["navier-stokes (textlens erase)"].append(psnr(erased.image, clean, erased.mask))
            telea = erase_text(image, page, method="telea").image
            scores["telea"].append(psnr(telea, clean, erased.mask))
            scores["solid"].append(psnr(solid(image, erased.mask), clean, erased.mask))
        if args.show and number < 4:
            args.show.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(
                str(args.show / f"erase-{number}.png"),
                cv2.cvtColor(np.hstack([image, erased.image]), cv2.COLOR_RGB2BGR),
            )
        print(f"\r{number + 1}/{args.count}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    share = lambda a, b: 100.0 * b / max(1, a)  # noqa: E731
    lines = [
        f"### Erasing text: {args.count} rendered images (half documents, half scenes), seed {args.seed}",
        "",
        f"Words found then erased: {found}; found again after erasing: {left} ({share(found, left):.2f}%; "
        f"documents {share(*per_kind[False]):.2f}%, scenes {share(*per_kind[True]):.2f}%).",
        f"Printed words (ground truth): {printed_words}; read right by textlens before erasing: {readable_before} "
        f"({share(printed_words, readable_before):.1f}%), after: {readable} ({share(printed_words, readable):.2f}%). "
        "Text the reader does not find is not erased (the pictures show such leftovers).",
        "",
        "| fill of the erased mask | PSNR dB vs the clean background (median) | mean |",
        "|---|---:|---:|",
        *[f"| {name} | {np.median(v):.1f} | {np.mean(v):.1f} |" for name, v in scores.items()],
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    write_atomic(args.out, table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
