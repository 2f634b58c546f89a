"""A new symbol learnt from a few crops: `--extend-charset` fine-tuning, and what it forgets.

    python -m benchmarks.new_glyph [--symbol ₹] [--examples 10] [--test 200] [--minutes 10]

The symbol is one the shipped Latin reader cannot write. ``--examples`` labelled line crops that
hold it (prices and amounts in running text, drawn in font families of the synthesizer's training
split) are all a user gives; `textlens train recognizer --finetune latin-crnn --extend-charset` learns
it from them beside the usual replay of real training crops and synthetic lines (so the rest is not
forgotten). Scored: ``--test`` lines that hold the symbol, drawn in the held-out font families (the
share whose every occurrence of the symbol is read, and their CER), and sroie-test-lines CER of the
new model against the starting one (both float ONNX, with the shipped character LM). The examples
are also the validation set (all ten are trained on; the last checkpoint is scored).
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np

from benchmarks.run import RESULTS, ROOT, data_root
from textlens.io.atomic import write_atomic

TRAIN_SEED, TEST_SEED = 41, 43


def symbol_line(rng: np.random.Generator, symbol: str) -> str:
    """A line that holds the symbol the way a currency sign is used."""
    from textlens.synth.corpus import words

    amount = f"{int(rng.integers(1, 100000)):,}" + (f".{int(rng.integers(0, 100)):02d}" if rng.random() < 0.6 else "")
    price = f"{symbol}{amount}" if rng.random() < 0.6 else f"{symbol} {amount}"
    before = " ".join(words(rng).split()[: int(rng.integers(0, 4))])
    after = " ".join(words(rng).split()[: int(rng.integers(0, 3))])
    return " ".join(part for part in (before, price, after) if part)


def render_lines(folder: Path, symbol: str, count: int, split: str, seed: int) -> Path:
    """``count`` line crops holding ``symbol`` in fonts of ``split`` that draw it, and their manifest."""
    import cv2

    from textlens.synth.fonts import font_info
    from textlens.synth.lines import LineSynthConfig, LineSynthesizer, held_out_family

    synth = LineSynthesizer(LineSynthConfig())
    split_fonts = [p for p in synth.fonts if held_out_family(font_info(p).family) == (split == "test")]
    fonts = [p for p in split_fonts if _draws(p, symbol)]
    if not fonts:
        raise SystemExit(f"no {split}-split font draws {symbol!r}")
    (folder / "img").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        text = symbol_line(rng, symbol)
        image = synth.render_text(rng, text, fonts[int(rng.integers(len(fonts)))])
        name = f"img/{i:04d}.png"
        cv2.imwrite(str(folder / name), image)
        rows.append(json.dumps({"image": name, "text": text}, ensure_ascii=False))
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def _draws(path: str, symbol: str) -> bool:
    """Whether the font's character map has the symbol (the renderer's coverage table does not list it)."""
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return ord(symbol) in (font.getBestCmap() or {})
    except Exception:  # noqa: BLE001 - an unreadable font simply does not count
        return False


def symbol_scores(model: str, manifest: Path, symbol: str) -> dict[str, float]:
    from PIL import Image

    from textlens.eval.metrics import CropScores
    from textlens.recognition.predictor import Recognizer

    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    crops = [np.asarray(Image.open(manifest.parent / r["image"]).convert("RGB")) for r in rows]
    reader = Recognizer.load(model, threads=2, lm="latin-lm")
    texts = [r.text for r in reader.predict(crops)]
    right = sum(t.count(symbol) == r["text"].count(symbol) and symbol in t for t, r in zip(texts, rows))
    cer = CropScores().update(texts, [r["text"] for r in rows]).summary()["cer"]
    return {"symbol_read": right / len(rows), "cer": cer}


def lines_cer(model: str) -> float:
    from PIL import Image

    from textlens.eval.metrics import CropScores
    from textlens.recognition.predictor import Recognizer

    folder = data_root() / "sroie-test-lines"
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line.strip()]
    crops = [np.asarray(Image.open(folder / r["image"]).convert("RGB")) for r in rows]
    reader = Recognizer.load(model, threads=2, lm="latin-lm")
    texts = [r.text for r in reader.predict(crops)]
    return CropScores().update(texts, [r["text"] for r in rows]).summary()["cer_ci"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbol", default="₹")
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--test", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "new-glyph")
    args = parser.parse_args(argv)

    examples = render_lines(args.run / "examples", args.symbol, args.examples, "train", TRAIN_SEED)
    tests = render_lines(args.run / "test", args.symbol, args.test, "test", TEST_SEED)
    model = args.run / "model.onnx"
    if not model.is_file():
        data = data_root()
        replay = [
            f"{data}/sroie-train/manifest.jsonl@0.55", f"{data}/funsd-train/manifest.jsonl@0.12",
            f"{data}/uw3-lines/manifest_train.jsonl@0.08", f"{data}/iiit5k-train/manifest.jsonl@0.05",
        ]  # fmt: skip
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "textlens"), "train", "recognizer", f"{examples}@0.2", *replay,
             "--val", str(examples), "--finetune", "latin-crnn", "--extend-charset", "--drop-unsupported",
             "--case-insensitive", "--synth-ratio", "0.3", "--minutes", str(args.minutes), "--steps", "100000",
             "--val-every", "500", "--lr", "3e-4", "--threads", "1", "--workers", "1", "--seed", "0",
             "--out", str(args.run / "train")],
            check=True,
        )  # fmt: skip
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "textlens"), "export", "recognizer", str(args.run / "train" / "last.pt"),
             "-o", str(model), "--name", "latin-crnn-new-glyph"],
            check=True,
        )  # fmt: skip
    before, after = symbol_scores("latin-crnn", tests, args.symbol), symbol_scores(str(model), tests, args.symbol)
    base_cer, new_cer = lines_cer("latin-crnn"), lines_cer(str(model))
    report = "\n".join(
        [
            f"# A new symbol ({args.symbol}) from {args.examples} crops, {args.minutes:g} min of fine-tuning",
            "",
            f"| model | {args.test} test lines: symbol read | their CER | sroie-test-lines CER (ci) |",
            "|---|---:|---:|---:|",
            f"| latin-crnn (float) | {100 * before['symbol_read']:.1f}% | {100 * before['cer']:.2f}% | "
            f"{100 * base_cer:.2f}% |",
            f"| + {args.symbol} (--extend-charset) | {100 * after['symbol_read']:.1f}% | {100 * after['cer']:.2f}% | "
            f"{100 * new_cer:.2f}% |",
        ]
    )
    write_atomic(RESULTS / "new-glyph.md", report + "\n")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
