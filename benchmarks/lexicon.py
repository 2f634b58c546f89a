"""Scene words read with a lexicon, as in the IIIT5K / SVT protocols, side by side with RapidOCR.

    python -m benchmarks.lexicon [--data iiit5k-train --data svt-train --data icdar2015-rec-train]
        [--sizes 50,1000] [--engines textlens,rapidocr] [--threads 1] [--limit N] [--out FILE]
        [--textlens-model NAME_OR_ONNX]

Each set is scored on the 10% of its crops that recognizer training holds out (``--split
heldout`` of benchmarks.run: never trained on). Every crop gets a lexicon of each size: its own
word plus words drawn at random (seeded by set, crop and size) from the other words of the whole
set, as IIIT5K's 50- and 1000-word lexicons are built; the lexicons are also written as
``<set>-lex<N>.jsonl`` (``textlens recognize --lexicon FILE`` reads them). textlens reads each
crop freely and with its lexicon (CTC scores of the candidates, ``textlens.recognition.lexicon``);
"nearest" is the free reading snapped to the lexicon word at the least edit distance, which is
how a reader without lexicon decoding (RapidOCR) is given a lexicon. Scores: acc36 (the word
right, letters and digits only, case ignored: the scene-text convention) and CER (case ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

from benchmarks.dataset import BenchSet, load_set
from benchmarks.run import ROOT, resolve_data, run_engine
from benchmarks.variants import heldout, write_manifest
from textlens.eval.metrics import char_edits
from textlens.io.atomic import write_atomic

DEFAULT_SETS = ("iiit5k-train", "svt-train", "icdar2015-rec-train")


def alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def scores(preds: list[str], refs: list[str]) -> tuple[float, float]:
    """(acc36 %, CER % case-insensitive) of word readings."""
    right = sum(alnum(p) == alnum(r) for p, r in zip(preds, refs))
    edits = sum(char_edits(p.casefold(), r.casefold()) for p, r in zip(preds, refs))
    return 100.0 * right / len(refs), 100.0 * edits / max(1, sum(len(r) for r in refs))


def build_lexicons(bench: BenchSet, vocabulary: list[str], size: int) -> list[list[str]]:
    """Per crop: its word and ``size - 1`` others of the set (distinct case-insensitively)."""
    lexicons = []
    for index, item in enumerate(bench.items):
        rng = random.Random(zlib.crc32(f"{bench.name}/{index}/{size}".encode()))
        others = [w for w in vocabulary if w.casefold() != item.text.casefold()]
        lexicons.append([item.text, *rng.sample(others, min(size - 1, len(others)))])
    return lexicons


def nearest(reading: str, lexicon: list[str]) -> str:
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    return process.extractOne(reading.casefold(), [w.casefold() for w in lexicon], scorer=Levenshtein.distance)[0]


def textlens_readings(
    bench: BenchSet, lexicons: dict[int, list[list[str]]], threads: int, model: str | None = None
) -> dict[str, object]:
    from textlens.io.loading import load_image
    from textlens.recognition.lexicon import Lexicon
    from textlens.recognition.predictor import Recognizer

    recognizer = Recognizer.load(model, threads=threads)
    images = [load_image(item.image) for item in bench.items]
    started = time.perf_counter()
    free = [r.text for r in recognizer.predict(images)]
    out: dict[str, object] = {"free": free, "free_s": time.perf_counter() - started}
    for size, words in lexicons.items():
        started = time.perf_counter()
        results = recognizer.predict(images, lexicons=[Lexicon(w) for w in words], whole_words=True)
        out[f"lex{size}"] = [r.text for r in results]
        out[f"lex{size}_s"] = time.perf_counter() - started
    return out


def table(name: str, n: int, rows: list[tuple[str, str, list[str]]], refs: list[str]) -> str:
    lines = [
        f"### {name}: {n} held-out words",
        "",
        "| engine | lexicon | acc36 % | CER % (ci) |",
        "|---|---|---:|---:|",
    ]
    for engine, how, preds in rows:
        acc, cer = scores(preds, refs)
        lines.append(f"| {engine} | {how} | {acc:.1f} | {cer:.2f} |")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", help="set name or folder (repeatable)")
    parser.add_argument("--sizes", default="50,1000", help="lexicon sizes, comma-separated")
    parser.add_argument("--engines", default="textlens,rapidocr")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "lexicon.md")
    parser.add_argument("--bench-venv", type=Path, default=ROOT / ".bench-venv")
    parser.add_argument("--textlens-model", help="recognizer for the textlens engine (name or .onnx path)")
    args = parser.parse_args(argv)
    args.data = args.data or list(DEFAULT_SETS)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.engines = args.engines.split(",")
    args.textlens_detector = None  # what benchmarks.run.run_engine reads
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tables = []
    for data in args.data:
        whole = load_set(resolve_data(data), None)
        bench = heldout(whole, args.limit)
        vocabulary = sorted({item.text for item in whole.items if alnum(item.text)})
        lexicons = {size: build_lexicons(bench, vocabulary, size) for size in args.sizes}
        for size, words in lexicons.items():
            records = [{"image": str(item.image), "lexicon": w} for item, w in zip(bench.items, words)]
            path = args.out.parent / f"{whole.name}-lex{size}.jsonl"
            write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        refs = [item.text for item in bench.items]
        rows: list[tuple[str, str, list[str]]] = []
        if "textlens" in args.engines:
            print(f"[{bench.name}] textlens ...", file=sys.stderr, flush=True)
            read = textlens_readings(bench, lexicons, args.threads, args.textlens_model)
            rows.append(("textlens", "none", read["free"]))  # type: ignore[arg-type]
            for size in args.sizes:
                rows.append(("textlens", f"{size} words, CTC scores", read[f"lex{size}"]))  # type: ignore[arg-type]
                snapped = [nearest(p, w) for p, w in zip(read["free"], lexicons[size])]  # type: ignore[arg-type]
                rows.append(("textlens", f"{size} words, nearest", snapped))
        if "rapidocr" in args.engines:
            with tempfile.TemporaryDirectory(prefix="textlens-lexicon-") as tmp:
                row, preds = run_engine("rapidocr", write_manifest(bench, Path(tmp) / bench.name), args)
            if row.status == "ok":
                free = [p["text"] for p in preds]
                rows.append(("rapidocr", "none", free))
                for size in args.sizes:
                    rows.append(
                        ("rapidocr", f"{size} words, nearest", [nearest(p, w) for p, w in zip(free, lexicons[size])])
                    )
            else:
                print(f"  rapidocr: {row.reason}", file=sys.stderr)
        tables.append(table(bench.name, len(refs), rows, refs))
        print(tables[-1], flush=True)
    write_atomic(args.out, "\n".join(tables))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
