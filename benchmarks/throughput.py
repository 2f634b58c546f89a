"""Whole-process throughput and memory: `textlens read` against Tesseract and RapidOCR, each at
its best use of the same cores.

    python -m benchmarks.throughput --data sroie-test --data docpages-dev [--cores 2] [--runs 3]
        [--engines textlens,tesseract,rapidocr] [--textlens-args "--jobs 1"] [--out FILE.md]

Every engine reads all page images of a set in fresh processes, start-up and model loading
included, the way a user runs it on a batch, writing one text file per image:

* textlens: ``textlens read IMAGES --threads C -o DIR --format txt`` (one process; pages are
  read ``--jobs`` at a time, by default one per thread);
* tesseract: one single-threaded process per image, C at a time
  (``OMP_THREAD_LIMIT=1 xargs -P C -n 2 tesseract IMAGE OUTBASE``), its fastest way on C cores;
* rapidocr: C single-threaded processes over interleaved shares of the images
  (``rapidocr xC``), and one process with C threads (``rapidocr 1xC``); the table shows both.

One round runs every engine once, in turn (side by side under the same load; each round starts
with the next engine, so none always runs first or after the heaviest); a row is the
median of ``--runs`` rounds: wall seconds, pages/s, CPU seconds (user + sys of every process),
peak RSS of the whole process tree (sampled every 20 ms) and of its largest process, and the
accuracy of the text files (page CER case-insensitive and bag-of-words F1, scored exactly as
``benchmarks.run`` scores pages). The last column is pages/s over Tesseract's.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dataset import BenchError, BenchSet, load_set, write_tables
from benchmarks.run import resolve_data, score

ROOT = Path(__file__).resolve().parents[1]
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
ENGINES = ("textlens", "tesseract", "rapidocr")


@dataclass
class Run:
    wall: float
    cpu: float
    tree_rss_mb: float
    process_rss_mb: float
    cer_ci: float
    f1: float


@dataclass
class Row:
    engine: str
    command: str
    runs: list[Run] = field(default_factory=list)

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)


# --- measuring one process tree ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids.extend(int(k) for k in handle.read().split())
    except OSError:
        pass
    return kids


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE_BYTES / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


class TreeMemory:
    """Samples the RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.pid, self.every = pid, every
        self.tree_peak = self.process_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            pending, sizes = [self.pid], []
            while pending:
                pid = pending.pop()
                sizes.append(_rss_mb(pid))
                pending.extend(_children(pid))
            self.tree_peak = max(self.tree_peak, sum(sizes))
            self.process_peak = max(self.process_peak, max(sizes))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _adopt_orphans() -> None:
    """Become the subreaper of the processes we start (Linux): a descendant whose parent exits
    first (a fork server and its workers) is handed to us instead of init, so reaping it adds its
    CPU time to RUSAGE_CHILDREN like any child's."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _reap_orphans() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run_measured(
    commands: list[list[str]], env: dict[str, str], stdin: str | None = None
) -> tuple[float, float, TreeMemory]:
    """Start ``commands`` at once under one sh, wait; (wall s, CPU s of the tree, memory)."""
    # Background jobs of sh read /dev/null, so a command fed on stdin runs in the foreground.
    script = shlex.join(commands[0]) if len(commands) == 1 else " & ".join(map(shlex.join, commands)) + " & wait"
    _adopt_orphans()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(
        ["sh", "-c", script],
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    memory = TreeMemory(process.pid)
    _, err = process.communicate(stdin)
    wall = time.perf_counter() - started
    memory.stop()
    _reap_orphans()  # the CPU of descendants that outlived their parent counts too
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise BenchError(f"{commands[0][0]} failed ({process.returncode}): {err.strip()[-300:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, memory


# --- the engines' commands ---------------------------------------------------------------------

Launch = Callable[[list[Path], Path], tuple[list[list[str]], str | None]]


def textlens_launch(cores: int, extra: list[str]) -> Launch:
    exe = str(Path(sys.executable).with_name("textlens"))

    def launch(images: list[Path], out: Path) -> tuple[list[list[str]], str | None]:
        command = [exe, "read", *map(str, images), "--threads", str(cores), "-o", str(out), "--format", "txt"]
        return [command + extra], None

    return launch


def tesseract_launch(cores: int) -> Launch:
    def launch(images: list[Path], out: Path) -> tuple[list[list[str]], str | None]:
        pairs = "".join(f"{image}\n{out / image.stem}\n" for image in images)
        return [["xargs", "-d", "\n", "-P", str(cores), "-n", "2", "tesseract", "--loglevel", "OFF"]], pairs

    return launch


def rapidocr_launch(cores: int, processes: int, python: str) -> Launch:
    script = str(ROOT / "benchmarks" / "rapidocr_batch.py")
    threads = max(1, cores // processes)

    def launch(images: list[Path], out: Path) -> tuple[list[list[str]], str | None]:
        shares = [images[i::processes] for i in range(processes)]
        commands = [[python, script, "--threads", str(threads), "--out", str(out), *map(str, s)] for s in shares if s]
        return commands, None

    return launch


def engines(args: argparse.Namespace) -> dict[str, tuple[str, Launch]]:
    """Row name -> (how it runs, launcher), for the engines asked for and installed."""
    chosen: dict[str, tuple[str, Launch]] = {}
    cores = args.cores
    if "textlens" in args.engines:
        extra = shlex.split(args.textlens_args or "")
        chosen["textlens"] = (
            f"textlens read --threads {cores} {' '.join(extra)}".strip(),
            textlens_launch(cores, extra),
        )
    if "tesseract" in args.engines:
        if subprocess.run(["sh", "-c", "command -v tesseract"], capture_output=True).returncode != 0:
            print("throughput: tesseract not installed (bash benchmarks/setup.sh): skipped", file=sys.stderr)
        else:
            chosen["tesseract"] = (f"OMP_THREAD_LIMIT=1 xargs -P{cores} tesseract", tesseract_launch(cores))
    if "rapidocr" in args.engines:
        python = str(ROOT / args.bench_venv / "bin" / "python")
        if not Path(python).exists():
            print("throughput: .bench-venv missing (bash benchmarks/setup.sh): rapidocr skipped", file=sys.stderr)
        else:
            chosen[f"rapidocr x{cores}"] = (
                f"{cores} processes x 1 thread",
                rapidocr_launch(cores, cores, python),
            )
            chosen[f"rapidocr 1x{cores}"] = (f"1 process x {cores} threads", rapidocr_launch(cores, 1, python))
    return chosen


# --- one set -----------------------------------------------------------------------------------


def measure_set(bench: BenchSet, args: argparse.Namespace) -> list[Row]:
    images = [item.image for item in bench.items]
    stems = [image.stem for image in images]
    if len(set(stems)) != len(stems):
        raise BenchError(f"{bench.name}: image names repeat; the text files would collide")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    rows = {name: Row(name, how) for name, (how, _) in engines(args).items()}
    launchers = {name: launch for name, (_, launch) in engines(args).items()}
    names = list(launchers)
    for round_number in range(1, args.runs + 1):
        # each round starts with the next engine: none always runs first, or always right after the
        # heaviest one (a CPU that has been busy for a minute may run slower for the next)
        shift = (round_number - 1) % len(names)
        for name in names[shift:] + names[:shift]:
            launch = launchers[name]
            with tempfile.TemporaryDirectory(prefix="textlens-throughput-") as tmp:
                out = Path(tmp)
                commands, stdin = launch(images, out)
                engine_env = env if name != "textlens" else {k: v for k, v in env.items() if k != "OMP_THREAD_LIMIT"}
                wall, cpu, memory = run_measured(commands, engine_env, stdin)
                texts = [_read_text(out / f"{stem}.txt") for stem in stems]
            scores = score(bench, [{"text": t} for t in texts])
            run = Run(wall, cpu, memory.tree_peak, memory.process_peak, scores["cer_ci"], scores["bow_f1"])
            rows[name].runs.append(run)
            print(
                f"  [{bench.name}] round {round_number} {name}: {wall:.2f} s wall, {cpu:.1f} s CPU, "
                f"{memory.tree_peak:.0f} MB, CER {100 * run.cer_ci:.2f}%, F1 {100 * run.f1:.2f}",
                file=sys.stderr,
                flush=True,
            )
    return list(rows.values())


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def render(bench: BenchSet, rows: list[Row], args: argparse.Namespace) -> str:
    pages = len(bench.items)
    base = next((r for r in rows if r.engine == "tesseract"), None)
    base_rate = pages / base.median("wall") if base else None
    lines = [
        f"### {bench.name}: {pages} pages, {args.cores} cores, median of {args.runs} runs (whole processes)",
        "",
        "| engine | how | wall s | pages/s | CPU s | peak RSS MB (tree) | largest process MB | page CER % (ci) "
        "| BoW F1 % | x Tesseract |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        rate = pages / row.median("wall")
        walls = sorted(r.wall for r in row.runs)
        cells = [
            row.engine,
            row.command,
            f"{row.median('wall'):.2f} ({walls[0]:.2f}-{walls[-1]:.2f})",
            f"{rate:.2f}",
            f"{row.median('cpu'):.1f}",
            f"{row.median('tree_rss_mb'):.0f}",
            f"{row.median('process_rss_mb'):.0f}",
            f"{100 * row.median('cer_ci'):.2f}",
            f"{100 * row.median('f1'):.2f}",
            f"{rate / base_rate:.2f}" if base_rate else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    load = os.getloadavg()[0]
    lines += [
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"1-min load average {load:.2f} at the end. `python -m benchmarks.throughput {' '.join(sys.argv[1:])}`",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", required=True, help="Page set (folder or manifest); repeatable.")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="Cores every engine may use.")
    parser.add_argument("--runs", type=int, default=3, help="Rounds; rows are medians.")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--textlens-args", default="", help='Extra `textlens read` arguments, e.g. "--jobs 1".')
    parser.add_argument("--limit", type=int, default=None, help="Only the first N pages of each set.")
    parser.add_argument("--bench-venv", default=os.environ.get("BENCH_VENV", ".bench-venv"))
    parser.add_argument("--out", type=Path, default=None, help="Also write the tables to this markdown file.")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(args.engines) - set(ENGINES))
    if unknown or args.cores < 1 or args.runs < 1:
        parser.error(f"engines must be among {', '.join(ENGINES)}; --cores and --runs at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def table(data: str) -> str:
        bench = load_set(resolve_data(data), args.limit)
        if bench.kind != "pages":
            raise BenchError(f"{bench.name}: throughput is measured on page sets")
        return render(bench, measure_set(bench, args), args)

    return write_tables("throughput", args.data, table, args.out)


if __name__ == "__main__":
    sys.exit(main())
