"""Where the time of a read goes: a per-stage profile of ``textlens read`` on a page set.

    python -m benchmarks.profile_read --data sroie-test --data docpages-dev [--threads 1] [--out FILE.md]

Pages are read one at a time in this process (``jobs`` = 1, so every second belongs to one
stage) with the shipped models. Each stage is timed exclusively (a stage inside another is
not counted twice) by wrapping the functions that do the work:

decode (image/PDF to RGB) | detection network | detection pre- and post-processing (resize; maps
to polygons, coarse pass merge) | orientation (turns, flips) | line crops | recognition pre- and
post-processing (grey, resize, batches, words) | recognition network (first reading) | CTC decode
(greedy) | re-reads of unsure lines (network) | re-reads: beam search + LM | layout (words, lines,
blocks, order) | export (txt + hOCR + JSON, as written by ``read -o``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.dataset import load_set, write_tables
from benchmarks.run import resolve_data

STAGES = (
    "decode",
    "detection network",
    "detection pre- and post-processing",
    "orientation",
    "line crops",
    "recognition pre- and post-processing",
    "recognition network",
    "CTC decode (greedy)",
    "re-reads: network",
    "re-reads: beam search + LM",
    "layout",
    "export",
)


class StageClock:
    """Exclusive wall time per stage: time inside a nested stage is taken off its parent."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self._stack: list[list[Any]] = []  # [stage, started, time spent in children]
        self.rereading = False

    def wrap(self, function: Callable[..., Any], stage: str | Callable[[], str]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = stage() if callable(stage) else stage
            self._stack.append([name, time.perf_counter(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                name, started, children = self._stack.pop()
                spent = time.perf_counter() - started
                self.seconds[name] += spent - children
                if self._stack:
                    self._stack[-1][2] += spent

        return timed


def instrument(pipeline: Any, clock: StageClock) -> None:
    """Wrap the functions of each stage (instances and the module names the pipeline calls)."""
    import textlens.detection.predictor as detection
    import textlens.layout.orientation as orientation
    import textlens.pipeline as pipeline_module
    import textlens.recognition.predictor as recognition

    detector, recognizer = pipeline.detector, pipeline.recognizer
    detector = getattr(detector, "document", detector)  # --mode auto: the document detector reads pages
    detector.session.run = clock.wrap(detector.session.run, "detection network")
    detector.predict = clock.wrap(detector.predict, "detection pre- and post-processing")
    recognizer.session.run = clock.wrap(
        recognizer.session.run, lambda: "re-reads: network" if clock.rereading else "recognition network"
    )

    def predict(crops: Any, **kwargs: Any) -> Any:
        clock.rereading = False
        try:
            return plain_predict(crops, **kwargs)
        finally:
            clock.rereading = False

    plain_predict = recognizer.predict
    recognizer.predict = clock.wrap(predict, "recognition pre- and post-processing")

    def variants(*args: Any, **kwargs: Any) -> Any:
        clock.rereading = True
        return plain_variants(*args, **kwargs)

    plain_variants = recognition.vertical_variants
    recognition.vertical_variants = clock.wrap(variants, "recognition pre- and post-processing")
    recognition.greedy_decode = clock.wrap(recognition.greedy_decode, "CTC decode (greedy)")
    recognition.beam_decode = clock.wrap(recognition.beam_decode, "re-reads: beam search + LM")
    pipeline.orientation.find = clock.wrap(pipeline.orientation.find, "orientation")
    pipeline_module.crop_line = clock.wrap(pipeline_module.crop_line, "line crops")
    orientation.crop_line = clock.wrap(orientation.crop_line, "line crops")
    pipeline.layout.arrange = clock.wrap(pipeline.layout.arrange, "layout")
    pipeline_module.words_from_result = clock.wrap(pipeline_module.words_from_result, "layout")
    detection._add_missed = clock.wrap(detection._add_missed, "detection pre- and post-processing")


def profile_set(data: str, threads: int, limit: int | None) -> tuple[str, int, Counter[str], float]:
    from textlens.io.exporters import export_document
    from textlens.io.loading import load_image
    from textlens.pipeline import Pipeline, PipelineConfig

    bench = load_set(resolve_data(data), limit)
    pipeline = Pipeline.from_config(PipelineConfig(threads=threads))
    pipeline.read(load_image(bench.items[0].image))  # warm-up: first-run allocations are not a stage
    clock = StageClock()
    instrument(pipeline, clock)
    started = time.perf_counter()
    for item in bench.items:
        decode_started = time.perf_counter()
        image = load_image(item.image)
        clock.seconds["decode"] += time.perf_counter() - decode_started
        document = pipeline.read(image)
        export_started = time.perf_counter()
        for fmt in ("txt", "hocr", "json"):
            export_document(document, fmt)
        clock.seconds["export"] += time.perf_counter() - export_started
    total = time.perf_counter() - started
    return bench.name, len(bench.items), clock.seconds, total


def render(name: str, pages: int, seconds: Counter[str], total: float, threads: int) -> str:
    lines = [
        f"### {name}: {pages} pages, one page at a time, {threads} thread(s) per model",
        "",
        "| stage | ms/page | share |",
        "|---|---:|---:|",
    ]
    for stage in STAGES:
        lines.append(f"| {stage} | {1000 * seconds[stage] / pages:.0f} | {seconds[stage] / total:.0%} |")
    other = total - sum(seconds.values())
    lines.append(f"| other (Python glue) | {1000 * other / pages:.0f} | {other / total:.0%} |")
    lines.append(f"| **total** | **{1000 * total / pages:.0f}** | 100% |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", action="append", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    def table(data: str) -> str:
        return render(*profile_set(data, args.threads, args.limit), args.threads)

    return write_tables("profile_read", args.data, table, args.out)


if __name__ == "__main__":
    sys.exit(main())
