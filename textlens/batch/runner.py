"""Run a batch on Ray: a pool of actors (each loads the models once), one task per page.

The driver plans the inputs, skips those the ledger says are done, and keeps every actor busy with
page tasks (a long PDF is spread over all of them). When all pages of an input are back, it writes
the input's outputs atomically, then its ledger record: an input is either fully done or read again
next time, never half-written. A worker that dies mid-page (killed, out of memory, its node lost)
is replaced by Ray and the page is retried; a page that kills workers ``max_attempts`` times, or an
input that cannot be read, goes to ``failures.jsonl`` and the run goes on.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textlens.batch.ledger import Ledger, fingerprint
from textlens.batch.plan import BatchInput, plan_inputs
from textlens.document import Document, ModelInfo, Page, Provenance
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic
from textlens.io.exporters import OUTPUT_SUFFIXES, check_format, export_document
from textlens.io.images import one_line
from textlens.io.loading import count_file_pages

READ_OPTIONS = ("detector", "recognizer", "lang", "lm", "dpi", "orientation", "deskew", "min_confidence")


@dataclass(frozen=True)
class BatchConfig:
    """``read``: PipelineConfig fields (models and read options) every worker uses;
    ``workers``: actors (default: the cluster's CPUs / ``threads_per_worker``)."""

    out_dir: Path
    formats: tuple[str, ...] = ("json",)
    read: dict[str, Any] = field(default_factory=dict)
    ray_address: str | None = None
    workers: int | None = None
    threads_per_worker: int = 1
    max_attempts: int = 3
    # Pages sent to a worker at once. 1: a worker that dies was reading exactly the page it held (its
    # strike is certain); more hides the round trip between pages (a few ms against ~0.3 s a page).
    tasks_per_worker: int = 1

    def __post_init__(self) -> None:
        unknown = set(self.read) - set(READ_OPTIONS)
        if unknown:
            raise TextlensError(
                f"unknown read option(s) {', '.join(sorted(unknown))}; known: {', '.join(READ_OPTIONS)}"
            )
        for fmt in self.formats:
            check_format(fmt)
        if self.workers is not None and self.workers < 1:
            raise TextlensError(f"workers must be a positive integer, got {self.workers}")
        if self.threads_per_worker < 1 or self.max_attempts < 1:
            raise TextlensError("threads_per_worker and max_attempts must be positive")


@dataclass
class BatchSummary:
    inputs: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    worker_failures: int = 0  # workers lost mid-page (killed, out of memory, node lost)
    retried_pages: int = 0
    workers: int = 0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"{self.done} inputs read, {self.skipped} already done, {self.failed} failed; {self.pages} pages in "
            f"{self.seconds:.1f} s ({self.pages_per_second:.2f} pages/s) on {self.workers} workers; "
            f"{self.worker_failures} workers lost, {self.retried_pages} pages retried"
        )


class PageReader:
    """A Ray actor: one Pipeline, loaded once, reading one page per call."""

    def __init__(self, read: dict[str, Any], threads: int) -> None:
        from textlens.pipeline import Pipeline, PipelineConfig

        self.pipeline = Pipeline.from_config(PipelineConfig(**read, threads=threads))

    def read(self, path: str, index: int) -> dict[str, Any]:
        from textlens.io.loading import load_page

        page = load_page(path, index, dpi=self.pipeline.config.dpi)
        page.index = index
        return self.pipeline.read_page(page).to_dict()


@dataclass
class _Pending:
    item: BatchInput
    pages: int
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    failed: bool = False


def run_batch(
    sources: list[str],
    config: BatchConfig,
    *,
    on_error: Callable[[str, str], object] = lambda name, message: None,
    progress: Callable[[int, int], object] = lambda done, total: None,
    reader: type = PageReader,
) -> BatchSummary:
    """Read every input of ``sources`` into ``config.out_dir``; see the module docstring.

    ``reader``: the actor class (a PageReader); Ray workers must be able to import it."""
    import ray

    started = time.perf_counter()
    summary = BatchSummary()
    models, run_fingerprint = _models_and_fingerprint(config)
    ledger = Ledger(config.out_dir, run_fingerprint)
    ledger.start_failures()

    def fail(path: str, message: str, attempts: int = 1) -> None:
        summary.failed += 1
        ledger.add_failure(path, message, attempts)
        on_error(path, message)

    inputs = plan_inputs(sources, lambda source, exc: fail(source, str(exc)))
    summary.inputs = len(inputs) + summary.failed
    todo: list[_Pending] = []
    for item in inputs:
        if ledger.is_done(item, _outputs(config, item)):
            summary.skipped += 1
            continue
        try:
            todo.append(_Pending(item, count_file_pages(item.path)))
        except TextlensError as exc:
            fail(item.path, str(exc))
    units = deque((pending, index, 1) for pending in todo for index in range(pending.pages))
    total_pages = len(units)
    if not units:
        summary.seconds = time.perf_counter() - started
        return summary
    _start_ray(ray, config)
    # Dead workers are replaced here, not restarted by Ray: every task of a dead worker fails at once,
    # so the one it was reading is known (the oldest sent) and only that page takes a strike.
    actor_class = ray.remote(max_restarts=0, max_task_retries=0)(reader)
    options = {"num_cpus": config.threads_per_worker}
    workers = config.workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // config.threads_per_worker)
    summary.workers = min(workers, max(1, total_pages))
    actors = [
        actor_class.options(**options).remote(config.read, config.threads_per_worker) for _ in range(summary.workers)
    ]
    in_flight: dict[Any, tuple[_Pending, int, int, int]] = {}
    # Each worker's tasks in the order sent: the oldest is the one it was reading when it died; the
    # others only waited behind it and go back to the queue without a strike.
    sent: list[deque[Any]] = [deque() for _ in actors]
    remaining = {id(p): p.pages for p in todo}
    progress(0, total_pages)
    while units or in_flight:
        for slot, actor in enumerate(actors):
            while units and len(sent[slot]) < config.tasks_per_worker:
                pending, index, attempt = units.popleft()
                if pending.failed:
                    continue
                ref = actor.read.remote(pending.item.path, index)
                in_flight[ref] = (pending, index, attempt, slot)
                sent[slot].append(ref)
        if not in_flight:
            continue
        ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=1.0)
        progress(summary.pages, total_pages)  # at least once a second: the bar's rate and ETA stay live
        for ref in ready:
            if ref not in in_flight:  # a task of a worker already found dead and replaced
                continue
            pending, index, attempt, slot = in_flight[ref]
            try:
                pending.results[index] = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as exc:
                # The worker is gone with every task it still held: the oldest of those that failed is
                # the page it was reading (one strike); the others only waited and go back to the queue.
                # A task it finished just before dying keeps its result (read on a later wait).
                lost = [r for r in sent[slot] if not _finished(ray, r)]
                sent[slot].clear()
                actors[slot] = actor_class.options(**options).remote(config.read, config.threads_per_worker)
                summary.worker_failures += 1
                for order, lost_ref in enumerate(lost):
                    unit = in_flight.pop(lost_ref)
                    if order:
                        units.appendleft(unit[:3])
                    elif unit[2] >= config.max_attempts:
                        message = f"a worker died reading page {unit[1] + 1} {unit[2]} times ({type(exc).__name__})"
                        _give_up(unit[0], f"{unit[0].item.path}: {message}", unit[2], fail)
                    else:
                        summary.retried_pages += 1
                        units.appendleft((unit[0], unit[1], unit[2] + 1))
                continue
            except Exception as exc:  # noqa: BLE001  (the page's own error, e.g. a TextlensError)
                _sent_back(ref, in_flight, sent[slot])
                cause = getattr(exc, "cause", None) or exc
                message = str(cause) if isinstance(cause, TextlensError) else f"{pending.item.path}: {one_line(cause)}"
                _give_up(pending, message, attempt, fail)
                continue
            _sent_back(ref, in_flight, sent[slot])
            summary.pages += 1
            progress(summary.pages, total_pages)
            remaining[id(pending)] -= 1
            if remaining[id(pending)] == 0 and not pending.failed:
                try:
                    _finish(pending, config, models, ledger)
                    summary.done += 1
                except TextlensError as exc:
                    fail(pending.item.path, str(exc))
    summary.seconds = time.perf_counter() - started
    return summary


def _sent_back(ref: Any, in_flight: dict[Any, Any], sent: deque[Any]) -> None:
    del in_flight[ref]
    if ref in sent:  # not when its worker died after finishing it
        sent.remove(ref)


def _finished(ray: Any, ref: Any) -> bool:
    """The task is done with a result (not failed with its worker)."""
    if not ray.wait([ref], timeout=0)[0]:
        return False
    try:
        ray.get(ref)
    except Exception:  # noqa: BLE001
        return False
    return True


def _give_up(pending: _Pending, message: str, attempts: int, fail: Callable[..., None]) -> None:
    if not pending.failed:
        pending.failed = True
        fail(pending.item.path, message, attempts)


def _outputs(config: BatchConfig, item: BatchInput) -> list[Path]:
    return [config.out_dir / (item.relative + OUTPUT_SUFFIXES[check_format(fmt)]) for fmt in config.formats]


def _finish(pending: _Pending, config: BatchConfig, models: list[ModelInfo], ledger: Ledger) -> None:
    """Write every output of a fully read input (atomically), then its ledger record."""
    from textlens.io.loading import load_page

    pages = [Page.from_dict(pending.results[i]) for i in range(pending.pages)]
    document = Document(pages, source=pending.item.path, provenance=Provenance(models=models))
    dpi = float(config.read.get("dpi", 200))
    outputs = _outputs(config, pending.item)
    for fmt, target in zip(config.formats, outputs):
        images = (lambda i: load_page(pending.item.path, i, dpi=dpi).image) if fmt == "pdf" else None
        write_atomic(target, export_document(document, fmt, page_images=images))
    ledger.mark_done(pending.item, outputs, pending.pages)


def _models_and_fingerprint(config: BatchConfig) -> tuple[list[ModelInfo], str]:
    """The models the run reads with (checked here, before any worker starts) and its fingerprint."""
    from textlens.pipeline import Pipeline, PipelineConfig

    pipeline_config = PipelineConfig(**config.read, threads=1)
    models = Pipeline.from_config(pipeline_config).models
    read = {
        k: v for k, v in pipeline_config.to_dict().items() if k in READ_OPTIONS and k not in ("detector", "recognizer")
    }
    options = {**read, "formats": sorted(config.formats)}
    return models, fingerprint([m.to_dict() for m in models], options)


def _start_ray(ray: Any, config: BatchConfig) -> None:
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # a local instance on loopback needs no token
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    try:
        if config.ray_address:
            ray.init(address=config.ray_address, **kwargs)
        else:
            ray.init(num_cpus=os.cpu_count() or 1, **kwargs)
    except Exception as exc:  # noqa: BLE001  (Ray raises ConnectionError, RuntimeError, ...)
        where = config.ray_address or "a local Ray instance"
        raise TextlensError(f"cannot start or join {where} ({one_line(exc)})") from None
