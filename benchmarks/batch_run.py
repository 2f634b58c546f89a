"""`textlens batch` on local Ray against the best single-process `textlens read`, plus a stop-and-resume.

    python -m benchmarks.batch_run [--pages 500] [--cores 2] [--out FILE.md]

The collection: synthetic pages (our page synthesizer, all four styles, photographed a little) as
PNG/JPEG files and as 5-page PDFs, about half the pages each way. Both commands read all of it in
fresh processes, start-up and model loading included, writing JSON: ``textlens read --jobs C
--threads C -o DIR`` and ``textlens batch -o DIR`` (local Ray, C workers of one thread). Peak RSS
is the whole process tree's (Ray's raylet, GCS and workers included). Then the batch is started
again into a new folder, stopped with SIGINT after about half the pages, and rerun with the same
command: the rerun must read only the pages the first run did not finish (counted from its summary).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.throughput import TreeMemory
from textlens.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[1]
PDF_PAGES = 5


def build_collection(folder: Path, pages: int, seed: int = 0) -> int:
    """Images and PDFs holding ``pages`` pages in all, in a two-level tree; returns the input count."""
    from textlens.synth.pages import STYLES, render_page

    rng = np.random.default_rng(seed)
    distinct = [Image.fromarray(render_page(rng, style=STYLES[i % 4], degrade=0.5).image) for i in range(24)]
    made = inputs = 0
    while made < pages:
        sub = folder / f"box{inputs % 5}"
        sub.mkdir(parents=True, exist_ok=True)
        if inputs % 2 and pages - made >= PDF_PAGES:
            first, *rest = [distinct[(made + k) % len(distinct)].copy() for k in range(PDF_PAGES)]
            first.save(sub / f"doc{inputs}.pdf", save_all=True, append_images=rest, resolution=150)
            made += PDF_PAGES
        else:
            suffix = ".png" if inputs % 4 == 0 else ".jpg"
            distinct[made % len(distinct)].save(sub / f"page{inputs}{suffix}")
            made += 1
        inputs += 1
    return inputs


def run(command: list[str], stop_after: float | None = None) -> tuple[float, float, str]:
    """(wall s, peak tree RSS MB, stderr) of a whole command; SIGINT it after ``stop_after`` s if given."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "RAY_AUTH_MODE": "disabled"}
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and Python keeps an ignored SIGINT: give Ctrl-C back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    memory = TreeMemory(process.pid, every=0.1)
    try:
        _, err = process.communicate(timeout=stop_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate()
    memory.stop()
    return time.perf_counter() - started, memory.tree_peak, err


def _last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1] if stderr.strip() else "-"


def pages_read(stderr: str) -> int:
    found = re.search(r"; (\d+) pages in", stderr)
    return int(found.group(1)) if found else -1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--resume-only", action="store_true", help="only the stop-and-resume check")
    parser.add_argument("--stop-after", type=float, default=80.0, help="seconds before SIGINT (--resume-only)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch_run.md")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="textlens-batch-bench-"))
    inputs = build_collection(work / "in", args.pages)
    files = sorted(str(p) for p in (work / "in").rglob("*") if p.is_file())
    textlens = [sys.executable, "-m", "textlens"]
    c = str(args.cores)
    read_cmd = [*textlens, "read", *files, "--jobs", c, "--threads", c, "-o", str(work / "read"), "-f", "json"]
    batch_cmd = [*textlens, "batch", str(work / "in"), "-o", str(work / "batch"), "-f", "json", "--workers", c]
    lines = ["# textlens batch on local Ray", ""]
    lines.append(
        f"{os.cpu_count()} cores; {args.pages} pages in {inputs} inputs (images and {PDF_PAGES}-page PDFs of synthetic "
        "pages); whole processes, start-up and model loading included."
    )
    stop_after = args.stop_after
    if not args.resume_only:
        read_s, read_mb, _ = run(read_cmd)
        batch_s, batch_mb, batch_err = run(batch_cmd)
        stop_after = batch_s / 2
        lines += [
            "",
            "| command | wall s | pages/s | peak tree RSS MB | vs read |",
            "|---|---:|---:|---:|---:|",
            f"| `textlens read --jobs {c} --threads {c}` | {read_s:.1f} | {args.pages / read_s:.2f} | {read_mb:.0f} "
            "| 1.00 |",
            f"| `textlens batch --workers {c}` (local Ray) | {batch_s:.1f} | {args.pages / batch_s:.2f} "
            f"| {batch_mb:.0f} | {read_s / batch_s:.2f} |",
            "",
            f"Batch summary: {_last_line(batch_err)}",
        ]
    # Stop and resume: a fresh output folder, SIGINT at about half of the batch's own time.
    resume_cmd = [*textlens, "batch", str(work / "in"), "-o", str(work / "resume"), "-f", "json", "--workers", c]
    _, _, first_err = run(resume_cmd, stop_after=stop_after)
    ledger = len(list((work / "resume").rglob(".textlens-batch/**/*.json")))
    _, _, second_err = run(resume_cmd)
    lines += [
        "",
        f"Stop and resume: SIGINT after {stop_after:.0f} s left {ledger} of {inputs} inputs done "
        f"({_last_line(first_err)}); the rerun read {pages_read(second_err)} pages ({args.pages} in all).",
        f"Rerun summary: {_last_line(second_err)}",
    ]
    table = "\n".join(lines) + "\n"
    write_atomic(args.out, table.encode())
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
