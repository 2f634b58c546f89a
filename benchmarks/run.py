"""Benchmark OCR engines side by side on ../shared/data-style sets.

    python -m benchmarks.run --data DIR [--data DIR2 ...] --engines textlens,tesseract,rapidocr \
        --threads 2 [--limit N] [--split heldout] [--rotate 90] [--scan 2] [--out benchmarks/results/NAME.md]

Each engine runs in its own subprocess with the same thread budget set in its environment
before anything is imported, and is timed without its model load. Scores come from
``textlens.eval.metrics``; one markdown table per set is printed and written atomically.
Progress goes to stderr. A missing engine gives a row that says why, never a crash.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dataset import BenchError, BenchSet, Item, load_set
from benchmarks.engines import ENGINES
from benchmarks.variants import ROTATIONS, heldout, rotate_set, scan_set, write_manifest
from textlens.eval.metrics import DONT_CARE, CropScores, PageScores
from textlens.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[1]
# Where tables go without --out; BENCH_RESULTS moves them (e.g. for a quick trial run).
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "benchmarks" / "results")
DEFAULT_DATA = ROOT / ".." / "shared" / "data"
# Every knob that sizes a thread pool the engines may use (OpenMP: tesseract, torch; BLAS).
THREAD_VARS = ("OMP_NUM_THREADS", "OMP_THREAD_LIMIT", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# Read by engines/textlens_engine.py: the detector for page sets (the worker has no flag for it).
DETECTOR_VAR = "TEXTLENS_BENCH_DETECTOR"


@dataclass
class Row:
    engine: str
    status: str = "ok"
    reason: str = ""
    version: str = ""
    n: int = 0
    load_s: float = 0.0
    run_s: float = 0.0
    cpu_s: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def per_s(self) -> float:
        return self.n / self.run_s if self.run_s > 0 else 0.0


def data_root() -> Path:
    return Path(os.environ.get("TEXTLENS_DATA") or DEFAULT_DATA)


def resolve_data(arg: str) -> Path:
    """A set folder or manifest file as given, or by name under $TEXTLENS_DATA (default ../shared/data)."""

    def found(path: Path) -> bool:
        return path.is_file() if path.suffix == ".jsonl" else (path / "manifest.jsonl").is_file()

    path = Path(arg)
    if found(path):
        return path
    under = data_root() / arg
    return under if found(under) else path


def prepare_set(arg: str, args: argparse.Namespace, workdir: Path) -> BenchSet:
    """Load a set and apply --split, --rotate and --scan; a changed set gets its own manifest in ``workdir``."""
    bench = load_set(resolve_data(arg), None if args.split == "heldout" else args.limit)
    original = bench
    if args.split == "heldout":
        bench = heldout(bench, args.limit)  # split the whole set first, then take the first N
    bench = rotate_set(bench, args.rotate, workdir / f"{bench.name}-rot{args.rotate}")
    if args.scan is not None:
        bench = scan_set(bench, args.scan, workdir / f"{bench.name}-scan")
    return bench if bench is original else write_manifest(bench, workdir / bench.name)


def interpreter(engine: str, bench_venv: Path) -> str:
    """RapidOCR runs in its own venv (it needs opencv-python); the rest run with this Python."""
    venv_python = bench_venv / "bin" / "python"
    if engine == "rapidocr" and venv_python.exists():
        return str(venv_python)
    return sys.executable


def worker_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update({var: str(threads) for var in THREAD_VARS})
    env["OMP_WAIT_POLICY"] = "PASSIVE"  # idle OpenMP threads sleep instead of spinning
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_engine(engine: str, bench: BenchSet, args: argparse.Namespace) -> tuple[Row, list[dict]]:
    print(f"[{bench.name}] {engine} ({args.threads} thread(s)) ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="textlens-bench-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [
            interpreter(engine, args.bench_venv),
            "-m",
            "benchmarks.worker",
            "--engine",
            engine,
            "--data",
            str(bench.manifest),
            "--threads",
            str(args.threads),
            "--out",
            str(out),
        ]
        if args.limit is not None:
            cmd += ["--limit", str(args.limit)]
        if engine == "textlens" and args.textlens_model:
            cmd += ["--model", str(args.textlens_model)]
        env = worker_env(args.threads)
        if args.textlens_detector:
            env[DETECTOR_VAR] = str(args.textlens_detector)
        done = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        if not out.is_file():
            return Row(engine, "failed", f"failed: worker exited with code {done.returncode}"), []
        result = json.loads(out.read_text(encoding="utf-8"))
    if result["status"] != "ok":
        print(f"  {engine}: {result['reason']}", file=sys.stderr, flush=True)
        return Row(engine, result["status"], result["reason"]), []
    preds = result["predictions"]
    row = Row(
        engine,
        version=result["version"],
        n=len(preds),
        load_s=result["load_s"],
        run_s=result["run_s"],
        cpu_s=result["cpu_s"],
    )
    row.scores = score(bench, preds)
    print(
        f"  {engine}: {row.n} in {row.run_s:.1f}s ({row.per_s:.2f}/s), load {row.load_s:.2f}s",
        file=sys.stderr,
        flush=True,
    )
    return row, preds


def score(bench: BenchSet, preds: list[dict]) -> dict[str, float]:
    if bench.kind == "crops":
        return CropScores().update([p["text"] for p in preds], [it.text for it in bench.items]).summary()
    pages = PageScores()
    # Where the reference regions are single words (scene sets), an engine's word boxes are scored
    # when it gives them, its line boxes otherwise.
    key = "word_polygons" if word_level(bench) else "polygons"
    for pred, item in zip(preds, bench.items, strict=True):
        texts = [r["text"] for r in item.regions]
        # The reference page text leaves out don't-care regions: nobody can be scored on them.
        ref_text = "\n".join(t for t in texts if t != DONT_CARE) if item.regions else item.text
        polygons = pred.get(key, pred.get("polygons"))
        pages.add(pred["text"], ref_text, polygons, [r["quad"] for r in item.regions], texts)
    return pages.summary()


def word_level(bench: BenchSet) -> bool:
    """True when the set's labelled regions are words (at most one space in nine regions in ten)."""
    texts = [r["text"] for item in bench.items for r in item.regions if r["text"] != DONT_CARE]
    return bool(texts) and sum(" " not in t.strip() for t in texts) >= 0.9 * len(texts)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}"


CROP_HEADER = [
    "engine",
    "CER % (ci)",
    "CER %",
    "WER % (ci)",
    "exact acc %",
    "acc % (ci)",
    "lines/s",
    "load s",
    "CPU ms/line",
]
PAGE_HEADER = [
    "engine",
    "page CER % (ci)",
    "page CER %",
    "BoW P",
    "BoW R",
    "BoW F1",
    "det P",
    "det R",
    "det H-mean",
    "pages/s",
    "load s",
    "CPU s/page",
]


def table_cells(kind: str, row: Row) -> list[str]:
    s = row.scores
    if kind == "crops":
        return [
            _pct(s["cer_ci"]),
            _pct(s["cer"]),
            _pct(s["wer_ci"]),
            _pct(s["accuracy"]),
            _pct(s["accuracy_ci"]),
            f"{row.per_s:.1f}",
            f"{row.load_s:.2f}",
            f"{1000 * row.cpu_s / max(row.n, 1):.1f}",
        ]
    det = [_pct(s[k]) if k in s else "-" for k in ("det_precision", "det_recall", "det_hmean")]
    return [
        _pct(s["cer_ci"]),
        _pct(s["cer"]),
        _pct(s["bow_precision"]),
        _pct(s["bow_recall"]),
        _pct(s["bow_f1"]),
        *det,
        f"{row.per_s:.2f}",
        f"{row.load_s:.2f}",
        f"{row.cpu_s / max(row.n, 1):.2f}",
    ]


def render_table(bench: BenchSet, rows: list[Row], threads: int, load_avg: float) -> str:
    header = CROP_HEADER if bench.kind == "crops" else PAGE_HEADER
    unit = "crops" if bench.kind == "crops" else "pages"
    variant = f" {bench.variant}," if bench.variant else ""
    lines = [
        f"### {bench.name}: {len(bench.items)} {unit},{variant} {threads} thread(s) per engine",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for row in rows:
        if row.status == "ok":
            cells = [row.version or row.engine, *table_cells(bench.kind, row)]
        else:
            cells = [row.engine, row.reason] + [""] * (len(header) - 2)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += [
        "",
        f"(ci) = case-insensitive (casefolded); text is whitespace-normalised first. Speed: {unit}/s over "
        f"the whole set excluding model load (image decoding included); CPU = user+sys time of the "
        f"engine process and its children. {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, 1-min load average {load_avg:.2f} at start.",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        action="append",
        required=True,
        help="set folder with manifest.jsonl, a .jsonl manifest file, or either by name under $TEXTLENS_DATA "
        "(repeatable)",
    )
    parser.add_argument(
        "--split",
        choices=("all", "heldout"),
        default="all",
        help="heldout: only the 10%% that `textlens train recognizer` holds out (split_train_val, seed 0)",
    )
    parser.add_argument(
        "--rotate",
        type=int,
        choices=ROTATIONS,
        default=0,
        help="turn every page image clockwise by this many degrees (page sets; GT quads turn too)",
    )
    parser.add_argument(
        "--scan",
        type=float,
        metavar="SCALE",
        help="read every page as a bilevel scan of its print-out at SCALE times its resolution "
        "(2: a 150-dpi page scanned at 300 dpi; page sets; GT quads follow)",
    )
    parser.add_argument(
        "--engines", default="textlens,tesseract,rapidocr", help=f"comma-separated, from {', '.join(ENGINES)}"
    )
    parser.add_argument("--threads", type=int, default=1, help="thread budget of every engine (default 1)")
    parser.add_argument("--limit", type=int, help="only the first N items of each set")
    parser.add_argument(
        "--out", type=Path, help="markdown file for all tables (default: benchmarks/results/<set>-t<threads>.md each)"
    )
    parser.add_argument("--textlens-model", help="recognizer for the textlens engine (name or .onnx path)")
    parser.add_argument(
        "--textlens-detector", type=Path, help="detector .onnx for the textlens engine on page sets (default: registry)"
    )
    parser.add_argument(
        "--bench-venv",
        type=Path,
        default=ROOT / ".bench-venv",
        help="virtualenv holding rapidocr-onnxruntime (made by benchmarks/setup.sh)",
    )
    parser.add_argument(
        "--save-predictions",
        type=Path,
        metavar="DIR",
        help="also write each engine's raw predictions as DIR/<set>-<engine>.jsonl",
    )
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    if args.threads < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--threads and --limit must be at least 1")
    return args


def save_predictions(folder: Path, bench: BenchSet, engine: str, preds: list[dict]) -> None:
    lines = (
        json.dumps({"image": _image_name(it, bench), "ref": it.text, **p}, ensure_ascii=False)
        for it, p in zip(bench.items, preds, strict=True)
    )
    write_atomic(folder / f"{bench.name}-{engine}.jsonl", "".join(line + "\n" for line in lines))


def _image_name(item: Item, bench: BenchSet) -> str:
    """The set's own image (not a rotated copy), relative to the set folder when inside it."""
    image = item.source or item.image
    return str(image.relative_to(bench.root)) if image.is_relative_to(bench.root) else str(image)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="textlens-bench-sets-") as workdir:
        try:
            sets = [prepare_set(d, args, Path(workdir)) for d in args.data]
        except BenchError as exc:
            print(f"benchmarks: error: {exc}", file=sys.stderr)
            return 2
        run_sets(sets, args)
    return 0


def run_sets(sets: list[BenchSet], args: argparse.Namespace) -> None:
    tables, report = [], {}
    for bench in sets:
        load_avg = os.getloadavg()[0]
        rows = []
        for engine in args.engines:
            row, preds = run_engine(engine, bench, args)
            rows.append(row)
            if preds and args.save_predictions:
                save_predictions(args.save_predictions, bench, engine, preds)
        table = render_table(bench, rows, args.threads, load_avg)
        print(table, flush=True)
        tables.append(table)
        report[bench.name] = {
            "kind": bench.kind,
            "variant": bench.variant,
            "rotate": args.rotate,
            "scan": args.scan,
            "split": args.split,
            "threads": args.threads,
            "rows": [r.__dict__ | {"per_s": r.per_s} for r in rows],
        }
        if args.out is None:
            stem = RESULTS / f"{bench.name}-t{args.threads}"
            write_atomic(stem.with_suffix(".md"), table)
            write_atomic(stem.with_suffix(".json"), json.dumps(report[bench.name], indent=1) + "\n")
    if args.out is not None:
        write_atomic(args.out, "\n".join(tables))
        write_atomic(args.out.with_suffix(".json"), json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
