"""Read files in worker processes: one ``Pipeline`` per process, pages spread over them.

Two pages read by two threads of one process take turns on the GIL in their Python stages
(layout, beam search, post-processing), so on two cores two processes read 1.3-1.4x more pages
per second than one process with two reading threads (benchmarks/README.md). ``ProcessReader``
gives the same ``ReadResult`` stream as ``Pipeline.read_many``: inputs in order, a bad input's
error in its result while the others go on. Each worker loads the models once, opens the file
itself and reads one page per task (a PDF renders only that page), so the parent stays small
and decodes nothing. A worker that dies (out of memory, a crash in a native library) is
replaced; nobody can tell which page in flight killed it, so each is read again alone, and one
that kills its worker alone is reported as an error of its input.
"""

from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from textlens.document import ModelInfo
from textlens.errors import TextlensError
from textlens.io.loading import PageImage, count_file_pages
from textlens.pipeline import PageTask, Pipeline, PipelineConfig, ReadResult, assemble_results

__all__ = ["ProcessReader"]

# Tasks handed out ahead of the results, per worker: the next page is waiting when one finishes.
_AHEAD_PER_WORKER = 2

_pipeline: Pipeline | None = None  # the worker's own, loaded once by _start_worker
_start_error: Exception | None = None  # why it could not load (every task then reports it)


@dataclass
class _PageResult:
    """What a worker sends back: the page (or the error that stopped it) and where time went."""

    outcome: Any  # (Page, timings) or an exception
    load_seconds: float
    models: list[ModelInfo]
    image: Any = None  # the page's RGB array, when the caller keeps images
    dpi: float | None = None
    fatal: bool = False  # the worker could not load its models: nothing can be read


class ProcessReader:
    """Reads file paths ``config.jobs`` pages at a time in as many worker processes.

    Use it as a context manager (or call ``close``); the workers start on the first read."""

    def __init__(self, config: PipelineConfig) -> None:
        from textlens.models.registry import resolve_model

        resolve_model(config.detector, "detector")  # a bad name or path fails here, before any worker starts
        resolve_model(config.recognizer, "recognizer")
        if config.lexicon is not None:
            from textlens.recognition.lexicon import Lexicon

            Lexicon.load(config.lexicon)  # a bad lexicon file fails here too
        self.config = config
        self._worker_config = config.replace(jobs=1, threads=config.model_threads())
        self._pool: ProcessPoolExecutor | None = None
        self._models: list[ModelInfo] = []

    def __enter__(self) -> ProcessReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def read_many(self, paths: Iterable[str | os.PathLike[str]], *, keep_images: bool = False) -> Iterator[ReadResult]:
        """One ``ReadResult`` per path, in order (see ``Pipeline.read_many``)."""
        return assemble_results(self._in_order(paths, keep_images), self._models, keep_images=keep_images)

    # --- scheduling --------------------------------------------------------------------------

    def _in_order(self, paths: Iterable[str | os.PathLike[str]], keep_images: bool) -> Iterator[tuple[Any, Any]]:
        """(task, outcome) pairs as ``Pipeline._in_order`` gives them, pages read by the workers."""
        window: deque[tuple[tuple[int, str, int | None], _Attempt | None]] = deque()
        limit = self.config.jobs * _AHEAD_PER_WORKER
        for unit in _units(paths):
            attempt = self._submit(unit, keep_images) if isinstance(unit[2], int) else None
            window.append((unit, attempt))
            while sum(1 for _, a in window if a is not None) > limit:
                yield self._finish(*window.popleft(), window, keep_images)
        while window:
            yield self._finish(*window.popleft(), window, keep_images)

    def _finish(
        self,
        unit: tuple[int, str, Any],
        attempt: _Attempt | None,
        window: deque[tuple[tuple[int, str, Any], _Attempt | None]],
        keep_images: bool,
    ) -> tuple[Any, Any]:
        number, path, index = unit
        if attempt is None:  # the end of an input: None, or the error that stopped its counting
            return PageTask(number, path, index if isinstance(index, Exception) else None, 0.0), None
        result = self._result(attempt, window, keep_images)
        if result.fatal:
            raise result.outcome
        if not self._models and result.models:
            self._models.extend(result.models)
        payload = PageImage(result.image, index, result.dpi, path)
        return PageTask(number, path, payload, result.load_seconds), result.outcome

    def _result(
        self, attempt: _Attempt, window: deque[tuple[tuple[int, str, Any], _Attempt | None]], keep_images: bool
    ) -> _PageResult:
        """The attempt's result. When a worker died, nobody can tell which of the pages in flight
        killed it: each is read again alone, and one that kills its worker alone is reported."""
        try:
            return attempt.future.result()
        except BrokenProcessPool:
            pass
        wait([a.future for _, a in window if a is not None])  # the broken pool fails all it held
        self._drop_pool()
        for suspect in [attempt] + [a for _, a in window if a is not None and _broken(a.future)]:
            suspect.future = self._pool_submit(suspect.unit, keep_images)
            try:
                suspect.future.result()
            except BrokenProcessPool:
                self._drop_pool()
                _, path, index = suspect.unit
                error = TextlensError(f"{path}: the worker reading page {index + 1} died (out of memory?)")
                suspect.future = _done(_PageResult(error, 0.0, []))
        return attempt.future.result()

    def _submit(self, unit: tuple[int, str, int], keep_images: bool) -> _Attempt:
        return _Attempt(unit, self._pool_submit(unit, keep_images))

    def _pool_submit(self, unit: tuple[int, str, int], keep_images: bool) -> Future:
        """Submit to the pool, starting it (again) if needed: a new pool spawns fresh workers."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.config.jobs,
                mp_context=_worker_context(),
                initializer=_start_worker,
                initargs=(self._worker_config.to_dict(),),
            )
        _, path, index = unit
        return self._pool.submit(_read_page, path, index, keep_images)

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def start_worker_server() -> None:
    """Start the fork server workers come from now, so that it imports the pipeline while this
    process is still parsing its arguments and finding its inputs."""
    context = _worker_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _worker_context() -> Any:
    """Workers come from a fork server that has imported the pipeline once (each worker then
    starts without importing NumPy, OpenCV and ONNX Runtime again) and has started no thread:
    never fork a process running ONNX Runtime's threads. Spawn where there is no fork server."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    context.set_forkserver_preload(["textlens.pipeline"])
    return context


@dataclass
class _Attempt:
    unit: tuple[int, str, int]
    future: Future


def _done(result: _PageResult) -> Future:
    future: Future = Future()
    future.set_result(result)
    return future


def _broken(future: Future) -> bool:
    return isinstance(future.exception(), BrokenProcessPool)


def _units(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[int, str, Any]]:
    """(input number, path, page index) for every page, then (number, path, None) closing each
    input, or (number, path, error) when its pages cannot be counted."""
    for number, path in enumerate(paths):
        name = os.fspath(path)
        try:
            pages = count_file_pages(name)
        except TextlensError as exc:
            yield number, name, exc
            continue
        for index in range(pages):
            yield number, name, index
        yield number, name, None


# --- in the worker ---------------------------------------------------------------------------


def _start_worker(config: dict[str, Any]) -> None:
    global _pipeline, _start_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        _pipeline = Pipeline.from_config(PipelineConfig(**config))
        threads = _pipeline.config.model_threads()
        if threads:  # OpenCV's own pool would use every core, beside the other workers
            import cv2

            cv2.setNumThreads(threads)
    except Exception as exc:  # noqa: BLE001  (a failing initializer would look like a dead worker)
        _start_error = _picklable(exc)


def _read_page(path: str, index: int, keep_image: bool) -> _PageResult:
    from textlens.io.loading import load_page

    if _pipeline is None:
        return _PageResult(_start_error or TextlensError("the models did not load"), 0.0, [], fatal=True)
    started = time.perf_counter()
    try:
        page = load_page(path, index, dpi=_pipeline.config.dpi)
    except Exception as exc:  # noqa: BLE001  (the input's error, reported by the parent)
        return _PageResult(_picklable(exc), time.perf_counter() - started, _pipeline.models)
    loaded = time.perf_counter() - started
    outcome = _pipeline._read_task(PageTask(0, path, page, loaded))  # (Page, timings, models) or the page's error
    if isinstance(outcome, Exception):
        outcome = _picklable(outcome)
    return _PageResult(outcome, loaded, _pipeline.models, page.image if keep_image else None, page.dpi)


def _picklable(error: Exception) -> Exception:
    """The error itself when it survives the trip to the parent, else a RuntimeError naming it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001  (an exception type that does not pickle)
        from textlens.io.images import one_line

        return RuntimeError(f"{type(error).__name__}: {one_line(error)}")
