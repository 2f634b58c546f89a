"""Large text on photo-like pages: word crops pasted onto smooth random backgrounds.

    python -m benchmarks.scene_paste [--data iiit5k-train] [--pages 30] [--threads 2] [--out FILE.md]

Document print is 10-30 px tall; signs, headings and screenshots often carry text several
times taller, on pages with only a few words. This check builds ``--pages`` 800 x 600 pages
from the held-out 10% of a crop set (``split_train_val``, seed 0: what recognizer training
never sees), three words per page scaled to 60 px tall at random x, over a blurred noise
background, and reads each with ``textlens.read`` (orientation on). It reports how many words
were detected (a word of the page lies under a reported word box), read exactly
(case-insensitive), the recognizer's exact reads of the same crops without detection (the
ceiling), and how many pages were kept upright. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "benchmarks" / "results")
WORD_HEIGHT = 60


def make_page(words: list, seed: int) -> tuple[np.ndarray, list[tuple[int, int, int, int, str, np.ndarray]]]:
    """An 800 x 600 RGB page with the word crops pasted at rows 60, 240, 420."""
    from textlens.training.sources import load_crop

    rng = random.Random(seed)
    noise = np.random.default_rng(seed).normal(128, 40, (600, 800, 3))
    page = cv2.GaussianBlur(np.clip(noise, 0, 255).astype(np.uint8), (31, 31), 10)
    placed = []
    for row, sample in enumerate(words):
        crop = load_crop(sample, ink="rgb")
        crop = np.dstack([crop] * 3) if crop.ndim == 2 else crop[:, :, :3]
        width = min(700, max(8, int(crop.shape[1] * WORD_HEIGHT / crop.shape[0])))
        crop = cv2.resize(crop, (width, WORD_HEIGHT), interpolation=cv2.INTER_AREA)
        x, y = rng.randint(0, 800 - width), 60 + 180 * row
        page[y : y + WORD_HEIGHT, x : x + width] = crop
        placed.append((x, y, x + width, y + WORD_HEIGHT, sample.text.casefold(), crop))
    return page, placed


def run(data: str, pages: int, threads: int) -> dict[str, float]:
    import textlens
    from textlens.recognition.predictor import Recognizer
    from textlens.training.sources import load_samples, split_train_val

    _, held_out = split_train_val(load_samples(data), seed=0)
    recognizer = Recognizer.load(threads=threads)
    rng = random.Random(0)
    counts = dict(words=0, detected=0, read=0, crop_read=0, upright=0)
    seconds = 0.0
    for index in range(pages):
        page, placed = make_page(rng.sample(held_out, 3), index)
        start = time.perf_counter()
        doc = textlens.read(page, threads=threads)
        seconds += time.perf_counter() - start
        counts["upright"] += doc.pages[0].orientation == 0
        boxes = [(np.asarray(w.polygon).mean(axis=0), w.text.casefold()) for w in doc.pages[0].words]
        for x0, y0, x1, y1, text, crop in placed:
            under = [t for (cx, cy), t in boxes if x0 - 5 < cx < x1 + 5 and y0 - 5 < cy < y1 + 5]
            counts["words"] += 1
            counts["detected"] += bool(under)
            counts["read"] += text in under
            counts["crop_read"] += recognizer.predict_one(crop).text.casefold() == text
    return {**counts, "pages": pages, "pages_per_s": pages / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="iiit5k-train", help="crop set (folder, manifest, or name)")
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="markdown file (default: results folder)")
    args = parser.parse_args(argv)
    data = args.data
    if not Path(data).exists():
        data = str(Path(os.environ.get("TEXTLENS_DATA", ROOT.parent / "shared" / "data")) / data)
    try:
        r = run(data, args.pages, args.threads)
    except Exception as exc:  # a benchmark prints one line, never a traceback
        print(f"scene_paste: {exc}", file=sys.stderr)
        return 2
    n = r["words"]
    table = (
        "| check | pages | words | detected % | read % (ci) | crop-only read % | upright pages % | pages/s |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| scene-paste {Path(data).name} held-out | {r['pages']} | {n} | {100 * r['detected'] / n:.1f} "
        f"| {100 * r['read'] / n:.1f} | {100 * r['crop_read'] / n:.1f} | {100 * r['upright'] / r['pages']:.1f} "
        f"| {r['pages_per_s']:.2f} |\n"
    )
    print(table, end="")
    out = args.out or RESULTS / f"scene-paste-t{args.threads}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
