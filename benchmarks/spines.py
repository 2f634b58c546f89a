"""Book spines: rendered shelves with known spine texts, and sroie-test pages turned a quarter.

    python -m benchmarks.spines [--shelves 300] [--rotated sroie-test] [--threads 2]

Shelves: ``--shelves`` photos from ``textlens.synth.shelves`` (the test split: font families no
recognizer trained on; titles up and down the spines), read with ``read_spines``. Each spine the
reader returns is given to the true spine whose outline holds its centre; a true spine's reading is
its spines' texts left to right (nothing: all of it missed). Spine-level CER = edit distance over
true characters (case-insensitive, spaces collapsed), with the share of spines read exactly.
Rotated pages: each page of ``--rotated`` is read upright and turned 90 degrees each way (the
orientation step must find the turn); page CER of the three, and the pages whose turn was found.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np

from benchmarks.run import ROOT
from textlens.io.atomic import write_atomic

TEST_SEED = 3_000_017


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shelves", type=int, default=300)
    parser.add_argument("--rotated", default="sroie-test", help="a page set to read turned (none: skip)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "spines.md")
    args = parser.parse_args(argv)

    from textlens.apps.spines import default_pipelines

    pipelines = default_pipelines(args.threads)
    report = ["# Book spines and turned pages", "", *shelves(args.shelves, pipelines)]
    if args.rotated != "none":
        report += ["", *rotated_pages(args.rotated, pipelines[0])]
    text = "\n".join(report) + "\n"
    write_atomic(args.out, text)
    print(text)
    return 0


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def shelves(count: int, pipelines: list) -> list[str]:
    from rapidfuzz.distance import Levenshtein

    from textlens.apps.spines import read_spines
    from textlens.synth.shelves import render_shelf

    errors = chars = exact = total = found = 0
    started = time.perf_counter()
    for i in range(count):
        image, truth = render_shelf(np.random.default_rng([TEST_SEED, i]), "test")
        spines = read_spines(image, pipelines=pipelines)
        found += len(spines)
        readings: list[list[tuple[float, str]]] = [[] for _ in truth]
        for spine in spines:
            x0, y0, x1, y1 = spine.box
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            for k, t in enumerate(truth):
                if cv2.pointPolygonTest(np.float32(t.polygon), centre, False) >= 0:
                    readings[k].append((centre[0], spine.text))
                    break
        for t, parts in zip(truth, readings):
            # pieces in reading order: running down a spine, its first line is the rightmost
            ordered = [text for _, text in sorted(parts, reverse=t.downwards)]
            want, got = _norm(t.text), _norm(" ".join(ordered))
            errors += Levenshtein.distance(got, want)
            chars += len(want)
            exact += got == want
            total += 1
    seconds = time.perf_counter() - started
    return [
        f"## {count} rendered shelves (test split), {total} spines",
        "",
        "| spine-level CER (ci) | spines read exactly | spines returned | s/shelf |",
        "|---:|---:|---:|---:|",
        f"| {100 * errors / max(chars, 1):.2f}% | {100 * exact / max(total, 1):.1f}% | {found} "
        f"| {seconds / max(count, 1):.2f} |",
    ]


def rotated_pages(name: str, pipeline) -> list[str]:  # noqa: ANN001 - a Pipeline
    from benchmarks.dataset import load_set
    from benchmarks.run import resolve_data, score
    from textlens.io.loading import load_image

    bench = load_set(resolve_data(name))
    images = [load_image(str(item.image)) for item in bench.items]
    rows = []
    for label, turn in (("upright", 0), ("turned 90 clockwise", -1), ("turned 90 anticlockwise", 1)):
        predictions, right = [], 0
        for original in images:
            image = np.ascontiguousarray(np.rot90(original, turn))
            page = pipeline.read(image).pages[0]
            right += page.orientation == (0, 270, 90)[turn]
            predictions.append({"text": "\n".join(line.text for line in page.lines), "polygons": []})
        result = score(bench, predictions)
        cer, f1 = 100 * result["cer_ci"], 100 * result["bow_f1"]
        rows.append(f"| {label} | {cer:.2f}% | {f1:.2f} | {right} of {len(images)} |")
    return [
        f"## {name} pages read upright and turned (page CER ci, bag-of-words F1, turn found)",
        "",
        "| pages | CER | F1 | orientation found |",
        "|---|---:|---:|---:|",
        *rows,
    ]


if __name__ == "__main__":
    raise SystemExit(main())
