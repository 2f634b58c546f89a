"""Soak the HTTP server: many requests from concurrent clients on loopback, against the CLI.

    python -m benchmarks.soak_server [--requests 10000] [--clients 8] [--workers 2] [--bad 0.05]
        [--pages 40] [--out FILE.md]

The inputs are synthetic pages (our page synthesizer: receipts, forms, documents, tables; PNG and
JPEG), two-page PDFs of them, and ``--bad`` of corrupt inputs (truncated images, junk, broken
PDFs). ``--clients`` threads send them in a fixed shuffled order to ``textlens serve --workers W``
(one ONNX thread per worker). Reported: status counts (any 5xx but a deliberate 503/504 is a
failure), p50/p95/p99 latency, pages/s, each worker's RSS after the first 500 requests and at the
end; and ``textlens read`` over the same good pages in one process with ``--jobs W`` (its best
use of the same cores, whole-process time) for the pages/s the server is compared with.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from benchmarks.throughput import _children, _rss_mb
from textlens.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[1]
RSS_MARK = 500  # requests after which each worker's RSS is the baseline


@dataclass(frozen=True)
class Request:
    name: str
    data: bytes
    pages: int  # 0 for a bad input
    kind: str  # image, pdf, bad


def build_inputs(pages: int, seed: int) -> tuple[list[Request], list[Path], Path]:
    """Good images and PDFs from synthetic pages, and corrupt ones; also the page files for the CLI."""
    from textlens.synth.pages import STYLES, render_page

    rng = np.random.default_rng(seed)
    folder = Path(tempfile.mkdtemp(prefix="textlens-soak-"))
    images = []
    for index in range(pages):
        page = render_page(rng, style=STYLES[index % len(STYLES)], degrade=0.5).image
        images.append(Image.fromarray(page))
    good: list[Request] = []
    files: list[Path] = []
    for index, picture in enumerate(images):
        fmt = "PNG" if index % 2 else "JPEG"
        buffer = io.BytesIO()
        picture.save(buffer, fmt)
        good.append(Request(f"page{index}.{fmt.lower()}", buffer.getvalue(), 1, "image"))
        path = folder / f"page{index}.{fmt.lower()}"
        path.write_bytes(buffer.getvalue())
        files.append(path)
        if index % 4 == 0:  # a two-page PDF of this page and the next
            buffer = io.BytesIO()
            picture.save(
                buffer, "PDF", save_all=True, append_images=[images[(index + 1) % len(images)]], resolution=150
            )
            good.append(Request(f"doc{index}.pdf", buffer.getvalue(), 2, "pdf"))
    bad = [
        Request("truncated.png", good[1].data[: len(good[1].data) // 3], 0, "bad"),
        Request("junk.jpg", rng.bytes(5000), 0, "bad"),
        Request("broken.pdf", b"%PDF-1.7\n1 0 obj <</Type /Pages /Kids [9 0 R]>> endobj\ntrailer <<>>", 0, "bad"),
        Request("empty.png", b"", 0, "bad"),
    ]
    return good + bad, files, folder


def plan(inputs: list[Request], count: int, bad_share: float, seed: int) -> list[Request]:
    rng = np.random.default_rng(seed + 1)
    good = [r for r in inputs if r.kind != "bad"]
    bad = [r for r in inputs if r.kind == "bad"]
    return [
        bad[int(rng.integers(len(bad)))] if rng.random() < bad_share else good[int(rng.integers(len(good)))]
        for _ in range(count)
    ]


def start_server(port: int, workers: int, timeout: float) -> subprocess.Popen:
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    command = [sys.executable, "-m", "textlens", "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--threads", "1", "--queue-size", "64", "--timeout", str(timeout), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            # Every worker must be ready: ask often enough that each one answers at least once.
            if all(
                httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200 for _ in range(workers * 4)
            ):
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("server not ready after 120 s")


def worker_pids(server: subprocess.Popen) -> list[int]:
    """uvicorn's worker processes (children of the supervisor, not its resource tracker)."""
    pids = []
    for pid in _children(server.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            pids.append(pid)
    return pids or [server.pid]


def soak(url: str, requests: list[Request], clients: int, server: subprocess.Popen) -> dict:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    pages = 0
    done = 0
    lock = threading.Lock()
    rss_mark: dict[int, float] = {}
    local = threading.local()

    def send(request: Request) -> None:
        nonlocal pages, done
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=300)
        started = time.perf_counter()
        try:
            response = local.client.post(
                "/v1/read", files={"file": (request.name, request.data)}, data={"format": "json"}
            )
            status = response.status_code
        except httpx.HTTPError:
            status = 0  # connection failure: counted as an error
        elapsed = time.perf_counter() - started
        with lock:
            statuses[status] += 1
            latencies.append(elapsed)
            if status == 200:
                pages += request.pages
            done += 1
            if done == RSS_MARK:
                rss_mark.update({pid: _rss_mb(pid) for pid in worker_pids(server)})

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, requests))
    wall = time.perf_counter() - started
    rss_end = {pid: _rss_mb(pid) for pid in worker_pids(server)}
    return {
        "statuses": statuses,
        "latencies": latencies,
        "pages": pages,
        "wall": wall,
        "rss_mark": rss_mark,
        "rss_end": rss_end,
    }


def cli_pages_per_s(files: list[Path], jobs: int, pages: int) -> float:
    """``textlens read`` over ``pages`` of the same good pages (hard links, cycled: the CLI skips a
    repeated path), whole process (start-up and model load included, as for a user's batch)."""
    out = Path(tempfile.mkdtemp(prefix="textlens-soak-cli-"))
    copies = []
    for index in range(pages):
        source = files[index % len(files)]
        copy = out / f"in{index}{source.suffix}"
        os.link(source, copy)
        copies.append(copy)
    files = copies
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    command = [sys.executable, "-m", "textlens", "read", *map(str, files), "--threads", str(jobs), "--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run([*command, "-o", str(out / "out"), "--format", "json"], env=env, check=True, capture_output=True)
    return len(files) / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def render(result: dict, cli_rate: float, args: argparse.Namespace) -> str:
    statuses = result["statuses"]
    unexpected = sum(n for s, n in statuses.items() if s >= 500 and s not in (503, 504) or s == 0)
    rate = result["pages"] / result["wall"]
    lines = [
        "# Server soak",
        "",
        f"{platform.node()}, {os.cpu_count()} cores; `textlens serve --workers {args.workers} --threads 1`; "
        f"{args.requests} requests from {args.clients} concurrent clients, {args.bad:.0%} bad inputs "
        f"(seed {args.seed}); CLI: `textlens read --jobs {args.workers} --threads {args.workers}` "
        "on the same good pages.",
        "",
        "| requests | statuses | unexpected 5xx | p50 s | p95 s | p99 s | server pages/s | CLI pages/s "
        "| server / CLI |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| {sum(statuses.values())} | {', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))} | {unexpected} "
        f"| {percentile(result['latencies'], 50):.3f} | {percentile(result['latencies'], 95):.3f} "
        f"| {percentile(result['latencies'], 99):.3f} | {rate:.2f} | {cli_rate:.2f} | {rate / cli_rate:.2f} |",
        "",
        f"| worker | RSS after {RSS_MARK} requests (MB) | RSS at the end (MB) | change |",
        "|---:|---:|---:|---:|",
    ]
    for pid, end in sorted(result["rss_end"].items()):
        mark = result["rss_mark"].get(pid, 0.0)
        change = f"{100 * (end - mark) / mark:+.1f}%" if mark else "-"
        lines.append(f"| {pid} | {mark:.0f} | {end:.0f} | {change} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bad", type=float, default=0.05, help="share of corrupt inputs")
    parser.add_argument("--pages", type=int, default=40, help="distinct synthetic pages")
    parser.add_argument("--cli-pages", type=int, default=200, help="pages the CLI reads for its pages/s")
    parser.add_argument("--timeout", type=float, default=300.0, help="the server's per-request limit")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "soak_server.md")
    args = parser.parse_args(argv)
    inputs, files, _ = build_inputs(args.pages, args.seed)
    requests = plan(inputs, args.requests, args.bad, args.seed)
    cli_rate = cli_pages_per_s(files, args.workers, args.cli_pages)
    server = start_server(args.port, args.workers, args.timeout)
    try:
        result = soak(f"http://127.0.0.1:{args.port}", requests, args.clients, server)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    table = render(result, cli_rate, args)
    if b"Traceback" in err:
        table += "\nThe server logged a traceback:\n\n```\n" + err.decode(errors="replace")[-3000:] + "\n```\n"
    write_atomic(args.out, table.encode())
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
