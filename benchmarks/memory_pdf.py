"""Peak memory and speed of ``textlens.read_pages`` on a long PDF, streamed page by page.

    python -m benchmarks.memory_pdf [--pages 50] [--threads 2] [--detector DET.onnx] [--out FILE.md]

Builds a ``--pages``-page PDF in a temporary folder from a few synthetic pages
(``textlens.synth.pages.render_page``, each scaled to fit an A4 page at the reading dpi and
repeated), then reads it in a child process with ``textlens.read_pages`` (the pages are
consumed one at a time, as a caller streaming a long PDF would) and reports that child's peak
resident memory (its own ``VmHWM``, which starts afresh at exec; ``ru_maxrss`` of a child would
count the parent's pages, PDF building included, that the child shared between fork and exec)
and pages/s as one markdown table row. Exit code 1 when the peak is over
``--target-mb`` (default 1536 = 1.5 GB), 2 for a user error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where tables go without --out; BENCH_RESULTS moves them (e.g. for a quick trial run).
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "benchmarks" / "results")
A4_INCHES = (8.27, 11.69)
HEADER = (
    "| check | pages | peak RSS MB | RSS MB at page 50 / at the last page | target MB | pages/s | lines | load s "
    "| threads x jobs | models |"
)


def build_pdf(path: Path, pages: int, distinct: int, dpi: float, seed: int = 0) -> None:
    """A ``pages``-page PDF cycling through ``distinct`` synthetic pages, A4-sized at ``dpi``."""
    import numpy as np
    from PIL import Image

    from textlens.synth.pages import render_page

    rng = np.random.default_rng(seed)
    box = (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi))
    images = []
    for _ in range(min(distinct, pages)):
        image = Image.fromarray(render_page(rng).image)
        scale = min(box[0] / image.width, box[1] / image.height)
        images.append(image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS))
    ordered = [images[i % len(images)] for i in range(pages)]
    # resolution = dpi: reading at the same dpi renders each page back at its pixel size.
    ordered[0].save(path, "PDF", save_all=True, append_images=ordered[1:], resolution=dpi, quality=85)


def find_detector() -> str | None:
    """None when the registry has a default detector; else the newest runs/detector/**/*.onnx."""
    from textlens.errors import TextlensError
    from textlens.models.registry import default_model

    try:
        default_model("detector")
        return None
    except TextlensError:
        candidates = sorted((ROOT / "runs" / "detector").rglob("*.onnx"), key=lambda p: p.stat().st_mtime)
        if not candidates:
            raise TextlensError(
                "no default detector is registered and runs/detector/ holds no .onnx: pass --detector DET.onnx"
            ) from None
        return str(candidates[-1])


def child(args: argparse.Namespace) -> int:
    """Runs in the measured process: stream the PDF's pages, print one JSON line of results."""
    from textlens.pipeline import Pipeline, PipelineConfig

    t0 = time.perf_counter()
    # The same pipeline `textlens.read_pages(path, ...)` builds, made here so loading is timed apart.
    config = PipelineConfig(detector=args.detector, threads=args.threads, dpi=args.dpi, jobs=args.jobs)
    pipeline = Pipeline.from_config(config)
    load_s = time.perf_counter() - t0
    pages = lines = 0
    rss_50 = rss_last = 0.0
    start = time.perf_counter()
    for page in pipeline.read_pages(args.child):
        pages += 1
        lines += len(page.lines)
        rss_last = _rss_mb()  # while the last page is in hand, as at page 50
        if pages == 50:
            rss_50 = rss_last
        if pages % 10 == 0:
            print(f"  {pages} pages, {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
    result = {
        "pages": pages,
        "lines": lines,
        "run_s": time.perf_counter() - start,
        "load_s": load_s,
        "models": ", ".join(m.name for m in pipeline.models),
        "rss_50": rss_50,
        "rss_end": rss_last,
        "peak": _peak_mb(),
    }
    print(json.dumps(result), flush=True)
    return 0


def _rss_mb() -> float:
    """This process's resident memory now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _peak_mb() -> float:
    """This process's peak resident memory since exec (Linux ``VmHWM``; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def measure(args: argparse.Namespace, pdf: Path) -> tuple[dict, float]:
    """Read ``pdf`` in a child process; its results and its peak RSS in MB."""
    cmd = [sys.executable, "-m", "benchmarks.memory_pdf", "--child", str(pdf), "--threads", str(args.threads)]
    cmd += ["--jobs", str(args.jobs)]
    cmd += ["--dpi", str(args.dpi)] + (["--detector", args.detector] if args.detector else [])
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS=str(args.threads))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"the reading process failed (exit code {done.returncode}); see its messages above")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("peak"):
        return result, result["peak"]
    # Elsewhere: ru_maxrss of children (KiB on Linux, bytes on macOS), which may count the parent's
    # pages the child shared before exec.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result, peak / 2**20 if platform.system() == "Darwin" else peak / 1024


def row(result: dict, peak_mb: float, args: argparse.Namespace) -> str:
    verdict = "ok" if peak_mb < args.target_mb else "OVER"
    per_s = result["pages"] / result["run_s"] if result["run_s"] > 0 else 0.0
    cells = [
        "PDF read, streamed",
        str(result["pages"]),
        f"{peak_mb:.0f}",
        f"{result['rss_50']:.0f} / {result['rss_end']:.0f}" if result["rss_50"] else f"- / {result['rss_end']:.0f}",
        f"< {args.target_mb:.0f} ({verdict})",
        f"{per_s:.2f}",
        str(result["lines"]),
        f"{result['load_s']:.2f}",
        f"{args.threads} x {args.jobs}",
        result["models"],
    ]
    return "| " + " | ".join(cells) + " |"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_pdf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50, help="pages in the PDF (default 50)")
    parser.add_argument("--distinct", type=int, default=5, help="different synthetic pages, repeated (default 5)")
    parser.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads per model (default 2)")
    parser.add_argument("--jobs", type=int, default=1, help="pages read at once, sharing --threads (default 1)")
    parser.add_argument("--dpi", type=float, default=200, help="PDF page size and reading dpi (default 200)")
    parser.add_argument("--detector", help="detector .onnx (default: the registry's, else newest runs/detector/*.onnx)")
    parser.add_argument("--target-mb", type=float, default=1536, help="peak RSS target in MB (default 1536)")
    parser.add_argument("--out", type=Path, help="markdown file (default benchmarks/results/memory-pdf-t<threads>.md)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: the measured process
    args = parser.parse_args(argv)
    if min(args.pages, args.distinct, args.threads, args.jobs) < 1:
        parser.error("--pages, --distinct and --threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    from textlens.errors import TextlensError
    from textlens.io.atomic import write_atomic

    try:
        if args.detector is None:
            args.detector = find_detector()
        elif not Path(args.detector).is_file():
            raise TextlensError(f"{args.detector}: no such detector file (pass an .onnx)")
    except TextlensError as exc:
        print(f"benchmarks: error: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="textlens-memory-") as tmp:
        pdf = Path(tmp) / f"synthetic-{args.pages}p.pdf"
        print(f"memory check: building {pdf.name} ...", file=sys.stderr, flush=True)
        build_pdf(pdf, args.pages, args.distinct, args.dpi)
        print(f"memory check: reading it ({args.threads} thread(s)) ...", file=sys.stderr, flush=True)
        try:
            result, peak_mb = measure(args, pdf)
        except RuntimeError as exc:
            print(f"benchmarks: error: {exc}", file=sys.stderr)
            return 1
    line = row(result, peak_mb, args)
    table = "\n".join(
        [
            f"### Memory: {args.pages}-page PDF (A4 at {args.dpi:g} dpi) read with textlens.read_pages",
            "",
            HEADER,
            "|" + "|".join(["---"] + ["---:"] * 7 + ["---"]) + "|",
            line,
            "",
            f"Peak RSS of the reading process (its VmHWM). "
            f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
            f"1-min load average {os.getloadavg()[0]:.2f} at the end.",
            "",
        ]
    )
    print(table, flush=True)
    write_atomic(args.out or RESULTS / f"memory-pdf-t{args.threads}.md", table)
    return 0 if peak_mb < args.target_mb else 1


if __name__ == "__main__":
    sys.exit(main())
