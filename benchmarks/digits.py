"""Digit sequences: synthetic crops in held-out styles and the digit-only words of the scene sets.

    python -m benchmarks.digits [--crops 1000] [--threads 2] [--engines digits-crnn,latin-crnn,rapidocr]

Sets: ``--crops`` crops rendered by ``textlens.synth.digits`` with the test split (DSEG segment fonts
and font families the digits reader never trained on; seed 7), and the digit-only words of the
held-out 10% of iiit5k-train, icdar2015-rec-train, svt-train and icdar2003-train-rec (the parts
`textlens train recognizer` holds out with seed 0: scripts/digit_words.py). Each engine reads both
sets through benchmarks.run: textlens with the digits reader, textlens with the general Latin reader,
and RapidOCR (benchmarks/setup.sh). The summary gives whole-sequence accuracy exactly as labelled and
as scene-text sets are scored (acc36: letters and digits only, case-blind; the IIIT5K and ICDAR
labels leave out the dashes, slashes and dots printed between digits).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.run import RESULTS, ROOT, data_root

TEST_SEED = 7
TEST_STYLES = "2: DSEG7 without SEGG-CHAN"  # a change of the test split's styles renders the crops again


def render_test_crops(folder: Path, count: int) -> Path:
    """``count`` test-split crops and their manifest in ``folder`` (kept: the same seed, the same set)."""
    import cv2

    from textlens.synth.digits import render_digits

    manifest, styles = folder / "manifest.jsonl", folder / "styles.txt"
    rendered = styles.is_file() and styles.read_text() == TEST_STYLES
    if rendered and manifest.is_file() and sum(1 for _ in manifest.open()) == count:
        return manifest
    (folder / "img").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        image, text = render_digits(np.random.default_rng([TEST_SEED, i]), "test")
        name = f"img/{i:05d}.png"
        cv2.imwrite(str(folder / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        rows.append(json.dumps({"image": name, "text": text}))
    manifest.write_text("\n".join(rows) + "\n")
    styles.write_text(TEST_STYLES)
    return manifest


def held_out_words(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "digit_words.py"), "--data", str(data_root()), "--out", str(folder)],
        check=True,
    )
    return folder / "real-heldout.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crops", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", default="digits-crnn,latin-crnn,rapidocr")
    args = parser.parse_args(argv)

    from benchmarks.run import main as run

    synthetic = render_test_crops(RESULTS / "digits-test", args.crops)
    real = held_out_words(RESULTS / "digits-words")
    status = 0
    rows = [
        "| engine | held-out styles: exact | acc36 | scene digit words: exact | acc36 |",
        "|---|---:|---:|---:|---:|",
    ]
    for engine in args.engines.split(","):
        saved = RESULTS / f"digits-predictions-{engine}"
        common = ["--data", str(synthetic), "--data", str(real), "--threads", str(args.threads)]
        common += ["--out", str(RESULTS / f"digits-{engine}.md"), "--save-predictions", str(saved)]
        if engine == "rapidocr":
            status |= run([*common, "--engines", "rapidocr"])
        else:
            status |= run([*common, "--engines", "textlens", "--textlens-model", engine])
        cells = []
        for name in (synthetic.parent.name, real.stem):
            found = sorted(saved.glob(f"*{name}-*.jsonl"))
            cells += _accuracies(found[0]) if found else ["-", "-"]
        rows.append(f"| {engine} | " + " | ".join(cells) + " |")
    summary = "\n".join(["# Digit sequences, whole-sequence accuracy %", "", *rows]) + "\n"
    (RESULTS / "digits.md").write_text(summary)
    print(summary)
    return status


def _alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _accuracies(predictions: Path) -> list[str]:
    rows = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines() if line.strip()]
    exact = sum(r["text"] == r["ref"] for r in rows) / max(len(rows), 1)
    loose = sum(_alnum(r["text"]) == _alnum(r["ref"]) for r in rows) / max(len(rows), 1)
    return [f"{100 * exact:.1f}", f"{100 * loose:.1f}"]


if __name__ == "__main__":
    raise SystemExit(main())
