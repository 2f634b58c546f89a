"""Reading behind the HTTP API: models loaded once, a bounded queue, pages read one at a time.

Every page of every request is one job in a small thread pool (``ServeConfig.concurrency`` slots),
submitted only when the request's previous page is done: pages of concurrent requests interleave,
so a 200-page PDF never holds every slot while a one-page photo waits. A request that would wait
behind more than ``queue_size`` others is refused at once (503 + Retry-After); one past its
deadline is answered 504 and its reading stops at the next page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from textlens.document import Document, Page, Provenance
from textlens.errors import TextlensError
from textlens.io.exporters import FORMATS
from textlens.io.loading import PageImage, count_pages, iter_pages
from textlens.models.registry import registered_models
from textlens.pipeline import Pipeline, PipelineConfig
from textlens.recognition.scripts import parse_languages
from textlens.serve.config import ServeConfig
from textlens.serve.metrics import Metrics

log = logging.getLogger("textlens.serve")
T = TypeVar("T")

PIPELINE_CACHE = 3  # model sets kept loaded per worker (the default plus two a request picked)
MAX_CROPS = 256  # line crops per /v1/recognize request
RETRY_AFTER_S = 2


class ApiError(Exception):
    """An answer other than 200: HTTP status, a stable machine code and a one-line message."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def bad_input(exc: TextlensError) -> ApiError:
    """A loader's refusal as an API error: 415 for content that is no image or PDF, else 400."""
    message = str(exc)
    if "not an image or PDF" in message:
        return ApiError(415, "unsupported_media_type", message)
    return ApiError(400, "bad_input", message)


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ReadOptions:
    """The read options a request may set (form fields, query parameters or JSON keys)."""

    format: str = "json"
    dpi: float = 200.0
    detector: str | None = None
    recognizer: str | None = None
    lang: str = "auto"  # languages: auto, or ISO 639 codes such as el,de (textlens.recognition.scripts)
    orientation: bool = True
    deskew: bool = True
    min_confidence: float = PipelineConfig.min_confidence
    password: str | None = None
    images: bool = False  # page images (JPEG data URLs) in the JSON answer, for viewers of PDFs
    stream: bool = False  # NDJSON, one line per page as it is read

    @classmethod
    def parse(cls, fields: Mapping[str, Any]) -> ReadOptions:
        """Validate request fields; anything unknown or out of range is a 422 naming the field."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, raw in fields.items():
            if name not in known:
                raise ApiError(422, "bad_option", f"unknown option {name!r}; known: {', '.join(known)}")
            values[name] = _coerce(name, raw, known[name].default)
        options = cls(**values)
        options.check()
        return options

    def check(self) -> None:
        if self.format not in FORMATS:
            raise ApiError(422, "bad_option", f"format must be one of {', '.join(FORMATS)}, got {self.format!r}")
        if not 36 <= self.dpi <= 600:
            raise ApiError(422, "bad_option", f"dpi must lie in [36, 600], got {self.dpi:g}")
        if not 0 <= self.min_confidence <= 1:
            raise ApiError(422, "bad_option", f"min_confidence must lie in [0, 1], got {self.min_confidence:g}")
        if self.stream and self.format != "json":
            raise ApiError(422, "bad_option", "stream=true answers NDJSON: use it with format=json")
        try:
            parse_languages(self.lang)
        except TextlensError as exc:
            raise ApiError(422, "bad_option", str(exc).replace("--lang", "lang")) from None
        for kind in ("detector", "recognizer"):
            name = getattr(self, kind)
            # Only registered names: a request never names a file on the server.
            if name is not None and name not in registered_names(kind):
                known = ", ".join(sorted(registered_names(kind)))
                raise ApiError(422, "unknown_model", f"{kind} {name!r} is not a registered model; known: {known}")


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        text = str(raw).strip().lower()
        if isinstance(raw, bool) or text in _TRUE | _FALSE:
            return raw if isinstance(raw, bool) else text in _TRUE
        raise ApiError(422, "bad_option", f"{name} must be true or false, got {str(raw)[:40]!r}")
    if isinstance(default, float):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ApiError(422, "bad_option", f"{name} must be a number, got {str(raw)[:40]!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ApiError(422, "bad_option", f"{name} must be a finite number")
        return value
    if raw is None or raw == "":
        return default
    if not isinstance(raw, str) or len(raw) > 200:
        raise ApiError(422, "bad_option", f"{name} must be a short string")
    return raw.lower() if name == "format" else raw


@functools.lru_cache(maxsize=4)
def registered_names(kind: str) -> frozenset[str]:
    return frozenset(e.name for e in registered_models() if e.kind == kind)


class ReadService:
    """One worker's models and reading slots."""

    def __init__(self, config: ServeConfig, metrics: Metrics) -> None:
        self.config = config
        self.metrics = metrics
        self._executor = ThreadPoolExecutor(config.concurrency, thread_name_prefix="textlens-serve")
        self._pipelines: OrderedDict[tuple[str | None, str | None, str], Pipeline] = OrderedDict()
        self._load_lock = threading.Lock()
        self._admitted = 0
        self.ready = False

    # --- lifecycle ---------------------------------------------------------------------------

    def load(self) -> None:
        """Load the default models (before the worker says it is ready)."""
        self._pipeline(None, None, "auto")
        self.ready = True

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- admission ---------------------------------------------------------------------------

    def admit(self) -> Ticket:
        """A place in the queue for one request (release it when answered), or 503 when the queue is full."""
        if self._admitted >= self.config.concurrency + self.config.queue_size:
            raise ApiError(
                503,
                "busy",
                f"server busy: {self._admitted} requests are reading or waiting; retry in {RETRY_AFTER_S} s",
                {"Retry-After": str(RETRY_AFTER_S)},
            )
        self._admitted += 1
        self.metrics.queue_depth.set(self._admitted)
        return Ticket(self)

    def _release(self) -> None:
        self._admitted -= 1
        self.metrics.queue_depth.set(self._admitted)

    # --- reading -----------------------------------------------------------------------------

    def deadline(self) -> float:
        return time.monotonic() + self.config.timeout_s

    async def pipeline(self, options: ReadOptions, deadline: float) -> Pipeline:
        base = await self.call(deadline, self._pipeline, options.detector, options.recognizer, options.lang)
        return base.with_options(
            dpi=options.dpi,
            orientation=options.orientation,
            deskew=options.deskew,
            min_confidence=options.min_confidence,
        )

    async def read_pages(
        self,
        pipeline: Pipeline,
        data: bytes,
        name: str,
        options: ReadOptions,
        deadline: float,
        *,
        keep_images: bool,
    ) -> AsyncIterator[tuple[int, Page, np.ndarray | None]]:
        """(page count, page, page image or None) for each page, read one slot-job at a time."""
        total = await self.call(deadline, self._count_pages, data, name, options.password)
        pages = iter_pages(data, dpi=options.dpi, password=options.password)
        pending: list[asyncio.Future[Any]] = []
        try:
            while True:
                page_image: PageImage | None = await self.call(deadline, next, pages, None, pending=pending)
                if page_image is None:
                    return
                page = await self.call(deadline, pipeline.read_page, page_image)
                self.metrics.pages.inc()
                yield total, page, page_image.image if keep_images else None
        finally:
            _close_when_idle(pages, pending)

    async def read_document(
        self, data: bytes, name: str, options: ReadOptions, *, keep_images: bool
    ) -> tuple[Document, list[np.ndarray]]:
        deadline = self.deadline()
        pipeline = await self.pipeline(options, deadline)
        document = Document(source=name, provenance=Provenance(models=pipeline.models))
        images: list[np.ndarray] = []
        pages = self.read_pages(pipeline, data, name, options, deadline, keep_images=keep_images)
        async for _, page, image in pages:
            document.pages.append(page)
            if image is not None:
                images.append(image)
        return document, images

    async def recognize(self, crops: list[bytes], names: list[str], options: ReadOptions) -> list[dict[str, Any]]:
        if len(crops) > MAX_CROPS:
            raise ApiError(413, "too_many_crops", f"{len(crops)} crops in one request; at most {MAX_CROPS}")
        deadline = self.deadline()
        pipeline = await self.pipeline(options, deadline)
        arrays = [await self.call(deadline, _load_crop, data, name) for data, name in zip(crops, names)]
        results = await self.call(deadline, pipeline.recognizer.predict, arrays)
        return [
            {"image": name, "text": r.text, "confidence": round(float(r.confidence), 4)}
            for name, r in zip(names, results)
        ]

    async def call(
        self, deadline: float, fn: Callable[..., T], *args: Any, pending: list[Any] | None = None, **kwargs: Any
    ) -> T:
        """Run ``fn`` in a reading slot; 504 when the deadline passes first (the job finishes alone)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _timeout(self.config.timeout_s)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
        try:
            return await asyncio.wait_for(asyncio.shield(future), remaining)
        except asyncio.TimeoutError:
            if pending is not None:
                pending.append(future)
            raise _timeout(self.config.timeout_s) from None
        except TextlensError as exc:
            raise bad_input(exc) from None

    # --- models ------------------------------------------------------------------------------

    def _pipeline(self, detector: str | None, recognizer: str | None, lang: str) -> Pipeline:
        key = (detector or self.config.detector, recognizer or self.config.recognizer, lang)
        with self._load_lock:
            if key in self._pipelines:
                self._pipelines.move_to_end(key)
                return self._pipelines[key]
            config = PipelineConfig(detector=key[0], recognizer=key[1], lang=lang, threads=self._model_threads())
            pipeline = Pipeline.from_config(config)
            self._pipelines[key] = pipeline
            while len(self._pipelines) > PIPELINE_CACHE:
                self._pipelines.popitem(last=False)
            return pipeline

    def _model_threads(self) -> int | None:
        if self.config.threads is None:
            return None
        return max(1, self.config.threads // self.config.concurrency)

    def _count_pages(self, data: bytes, name: str, password: str | None) -> int:
        total = count_pages(data, name, password=password)
        if total > self.config.max_pages:
            raise ApiError(
                413, "too_many_pages", f"{name}: {total} pages; this server reads at most {self.config.max_pages}"
            )
        return total


class Ticket:
    """A request's place in the queue; ``release`` (or leaving a ``with`` block) gives it back once."""

    def __init__(self, service: ReadService) -> None:
        self._service: ReadService | None = service

    def release(self) -> None:
        if self._service is not None:
            self._service._release()
            self._service = None

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _load_crop(data: bytes, name: str) -> np.ndarray:
    from textlens.io.loading import load_image

    try:
        return load_image(data)
    except TextlensError as exc:
        raise TextlensError(f"{name}: {str(exc).removeprefix('<bytes>: ')}") from None


def _timeout(seconds: float) -> ApiError:
    return ApiError(504, "timeout", f"reading took longer than this server's {seconds:g} s limit")


def _close_when_idle(pages: Iterator[Any], pending: list[asyncio.Future[Any]]) -> None:
    """Close the page iterator now, or when the slot job still advancing it ends (after a 504)."""
    close = getattr(pages, "close", None)
    if close is None:
        return
    running = [f for f in pending if not f.done()]
    if running:
        running[-1].add_done_callback(lambda _: close())
    else:
        close()
