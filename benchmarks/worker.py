"""Run one engine over one set in its own process; write predictions and timings as JSON.

Started by ``benchmarks.run`` with the thread variables already in its environment, and
with the interpreter that engine needs (RapidOCR: ``.bench-venv``). Stdlib only at import
time. Output: ``{"status": "ok"|"unavailable"|"failed", "reason", "version", "load_s",
"run_s", "cpu_s", "predictions": [{"text", "polygons"?}]}``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import traceback

from benchmarks.dataset import load_set
from benchmarks.engines import engine_class

CHUNK = 64  # crops per read_crops call: exercises batching and keeps progress lines regular
PAGE_CHUNK = 5


def _cpu_seconds() -> float:
    # This process (all threads) plus finished children (Tesseract's CLI runs).
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _progress(name: str, done: int, total: int, start: float) -> None:
    rate = done / max(time.perf_counter() - start, 1e-9)
    print(f"  {name}: {done}/{total} ({rate:.2f}/s)", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict:
    bench = load_set(args.data, args.limit)
    cls = engine_class(args.engine)
    reason = cls.unavailable()
    if reason:
        return {"status": "unavailable", "reason": reason}
    t0 = time.perf_counter()
    try:
        engine = cls(args.threads, args.model)
        if hasattr(engine, "prepare"):
            engine.prepare(bench.kind)
    except Exception as exc:  # any load failure means "cannot run here", with the reason
        return {"status": "unavailable", "reason": f"not available: {_one_line(exc)}"}
    load_s = time.perf_counter() - t0

    paths = [str(item.image) for item in bench.items]
    predictions: list[dict] = []
    cpu0, start = _cpu_seconds(), time.perf_counter()
    if bench.kind == "crops":
        for i in range(0, len(paths), CHUNK):
            predictions += [{"text": t} for t in engine.read_crops(paths[i : i + CHUNK])]
            _progress(args.engine, len(predictions), len(paths), start)
    else:
        # Engines that can read several pages per call (Tesseract's list files) get chunks.
        read_pages = getattr(engine, "read_pages", None) or (lambda ps: [engine.read_page(p) for p in ps])
        for i in range(0, len(paths), PAGE_CHUNK):
            predictions += [_page_prediction(*result) for result in read_pages(paths[i : i + PAGE_CHUNK])]
            _progress(args.engine, len(predictions), len(paths), start)
    run_s = time.perf_counter() - start
    if len(predictions) != len(paths):
        raise RuntimeError(f"{len(predictions)} predictions for {len(paths)} items")
    return {
        "status": "ok",
        "version": engine.version,
        "load_s": load_s,
        "run_s": run_s,
        "cpu_s": _cpu_seconds() - cpu0,
        "predictions": predictions,
    }


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.worker")
    parser.add_argument("--engine", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--model")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        result = run(args)
    except Exception as exc:
        traceback.print_exc()
        result = {"status": "failed", "reason": f"failed: {_one_line(exc)}"}
    result["pid"] = os.getpid()
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


def _page_prediction(text: str, polygons: list, word_polygons: list | None = None) -> dict:
    """An engine's page: its text, line polygons and, where it has them, word polygons."""
    prediction = {"text": text, "polygons": polygons}
    if word_polygons is not None:
        prediction["word_polygons"] = word_polygons
    return prediction


if __name__ == "__main__":
    sys.exit(main())
