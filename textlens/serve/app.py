"""The FastAPI app: routes, errors as JSON, API key, metrics; ``create_app(config)`` builds one.

Routes: ``POST /v1/read`` (image or PDF -> any export format, or NDJSON page by page),
``POST /v1/recognize`` (line crops -> text), ``POST /v1/export`` (Document JSON -> a format),
``GET /v1/models`` and ``GET /v1/models/{name}`` (the ONNX file, for in-browser reading),
``GET /healthz``, ``GET /readyz``, ``GET /metrics``, OpenAPI at ``/docs``, the web page at ``/``.
Every error is ``{"error": {"code", "message"}}`` with its status.
"""

from __future__ import annotations

import base64
import functools
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from PIL import Image
from starlette.exceptions import HTTPException as StarletteHTTPException

from textlens import __version__
from textlens.document import Document
from textlens.errors import TextlensError
from textlens.io.exporters import FORMATS, export_document
from textlens.io.exporters.json import parse as parse_document
from textlens.models.registry import ModelEntry, registered_models
from textlens.serve.config import ServeConfig
from textlens.serve.metrics import Metrics
from textlens.serve.service import MAX_CROPS, ApiError, ReadOptions, ReadService
from textlens.serve.uploads import read_body, read_upload

log = logging.getLogger("textlens.serve")
STATIC = Path(__file__).parent / "static"
PREVIEW_SIDE = 1600  # page images sent back for viewers are at most this many pixels on a side
API_PREFIX = "/v1/"
NDJSON = "application/x-ndjson"


def create_app(config: ServeConfig | None = None) -> FastAPI:
    """A server app with its own models, queue and metrics (models load in the background at start)."""
    config = config or ServeConfig()
    metrics = Metrics()
    service = ReadService(config, metrics)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=_load_models, args=(service,), daemon=True, name="textlens-load").start()
        yield
        service.close()

    app = FastAPI(
        title="textlens",
        version=__version__,
        description="Find and read text in images and PDFs.",
        lifespan=lifespan,
        docs_url=None,  # served below from our own copy of Swagger UI: the page works offline
        redoc_url=None,
    )
    app.state.service = service
    app.state.config = config
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(config.cors_origins), allow_methods=["GET", "POST"], allow_headers=["*"]
        )
    _add_error_handlers(app, metrics)
    _add_gate(app, config, metrics)
    _add_routes(app, service, config, metrics)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_env() -> FastAPI:
    """The app of a uvicorn worker process (``uvicorn --factory``): config from the environment."""
    return create_app(ServeConfig.from_env())


def _load_models(service: ReadService) -> None:
    try:
        service.load()
    except Exception:  # readyz stays 503 and says why in the log; requests get the error themselves
        log.exception("textlens: loading the default models failed")


# --- errors, API key, metrics --------------------------------------------------------------


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI, metrics: Metrics) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        metrics.errors.labels(exc.code).inc()
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(TextlensError)
    async def textlens_error(_: Request, exc: TextlensError) -> JSONResponse:
        metrics.errors.labels("bad_input").inc()
        return error_response(400, "bad_input", str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        metrics.errors.labels("bad_option").inc()
        return error_response(422, "bad_option", f"{where}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        metrics.errors.labels(code).inc()
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("textlens: internal error")
        metrics.errors.labels("internal").inc()
        message = " ".join(str(exc).split())[:200] or type(exc).__name__
        return error_response(500, "internal", f"internal error ({message}); the server goes on")


def _add_gate(app: FastAPI, config: ServeConfig, metrics: Metrics) -> None:
    """API key on /v1 routes (constant-time compare), then request count and latency per route."""

    @app.middleware("http")
    async def gate(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        path = request.url.path
        if config.api_key and path.startswith(API_PREFIX) and not _key_ok(request, config.api_key):
            metrics.errors.labels("unauthorized").inc()
            response: Response = error_response(
                401, "unauthorized", "missing or wrong API key: send it as X-API-Key", {"WWW-Authenticate": "Bearer"}
            )
        else:
            response = await call_next(request)
        route = _route_label(request)
        metrics.requests.labels(route, str(response.status_code)).inc()
        metrics.latency.labels(route).observe(time.perf_counter() - started)
        return response


def _key_ok(request: Request, key: str) -> bool:
    given = request.headers.get("x-api-key", "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:].strip()
    return hmac.compare_digest(given.encode("utf-8", "replace"), key.encode("utf-8"))


def _route_label(request: Request) -> str:
    # The route's template, never the raw path: labels stay few whatever clients send.
    route = request.scope.get("route")
    return getattr(route, "path", None) or "unmatched"


# --- routes --------------------------------------------------------------------------------


def _add_routes(app: FastAPI, service: ReadService, config: ServeConfig, metrics: Metrics) -> None:
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="textlens API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", summary="Models are loaded and requests are taken")
    async def readyz() -> JSONResponse:
        if not service.ready:
            return error_response(503, "not_ready", "models are still loading")
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", summary="Prometheus metrics of this worker")
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=metrics.content_type)

    @app.get("/v1/models", summary="Registered models")
    async def models() -> dict[str, Any]:
        return {
            "models": [
                {"name": e.name, "kind": e.kind, "default": e.default, "description": e.description, "sha256": e.sha256}
                for e in registered_models()
            ],
            "formats": list(FORMATS),
            "limits": {"max_upload_mb": config.max_upload_mb, "max_pages": config.max_pages, "max_crops": MAX_CROPS},
        }

    @app.get("/v1/models/{name}", summary="A registered ONNX model file (for reading in the browser)")
    async def model_file(name: str) -> FileResponse:
        entry = _registered_onnx(name)
        return FileResponse(entry.path, media_type="application/octet-stream", filename=entry.file)

    @app.get("/v1/models/{name}/config", summary="A registered ONNX model's textlens metadata (config, kind)")
    async def model_config(name: str) -> dict[str, Any]:
        return onnx_metadata(_registered_onnx(name).path)

    @app.post(
        "/v1/read",
        summary="Read an image or PDF",
        description="multipart `file` (or JSON with base64 `file`, or raw bytes) plus read options: "
        "format=json|txt|tsv|hocr|alto|page|pdf, dpi, detector, recognizer, lang, orientation, deskew, "
        "min_confidence, password, images (page images in the JSON), stream (NDJSON page by page).",
    )
    async def read(request: Request) -> Response:
        ticket = service.admit()
        streaming = False
        try:
            upload = await read_upload(request, config.max_upload_bytes)
            options = ReadOptions.parse(upload.fields)
            name, data = upload.files[0]
            if options.stream:
                streaming = True  # the stream releases the ticket when it ends
                return StreamingResponse(_stream_pages(service, data, name, options, ticket), media_type=NDJSON)
            document, images = await service.read_document(data, name, options, keep_images=_wants_images(options))
            return _document_response(document, images, options)
        finally:
            if not streaming:
                ticket.release()

    @app.post("/v1/recognize", summary="Read text-line crops (one line per image)")
    async def recognize(request: Request) -> dict[str, Any]:
        with service.admit():
            upload = await read_upload(request, config.max_upload_bytes, max_files=MAX_CROPS)
            options = ReadOptions.parse(upload.fields)
            names = [name for name, _ in upload.files]
            lines = await service.recognize([data for _, data in upload.files], names, options)
            return {"lines": lines}

    @app.post("/v1/export", summary="Turn a Document (textlens JSON) into another format, without reading again")
    async def export(request: Request, format: str = "txt") -> Response:
        body = await read_body(request, config.max_upload_bytes)
        document = _document_from_json(body)
        fmt = format.lower()
        if fmt not in FORMATS:
            raise ApiError(422, "bad_option", f"format must be one of {', '.join(FORMATS)}, got {format[:20]!r}")
        return Response(export_document(document, fmt), media_type=FORMATS[fmt].media_type)


def _registered_onnx(name: str) -> ModelEntry:
    entry = next((e for e in registered_models() if e.name == name and e.file.endswith(".onnx")), None)
    if entry is None:  # only registered names: a request never picks a path
        raise ApiError(404, "not_found", f"no registered ONNX model named {name[:60]!r}")
    return entry


@functools.lru_cache(maxsize=16)
def onnx_metadata(path: Path) -> dict[str, Any]:
    """The textlens metadata of a shipped ONNX file (read once per worker)."""
    from textlens.runtime.session import create_session, model_metadata

    return model_metadata(create_session(path, 1))


def _wants_images(options: ReadOptions) -> bool:
    return options.format == "pdf" or options.images


def _document_response(document: Document, images: list[np.ndarray], options: ReadOptions) -> Response:
    if options.format == "json":
        data = document.to_dict()
        if options.images:
            data["page_images"] = [preview_url(image) for image in images]
        return JSONResponse(data)
    page_images = images if options.format == "pdf" else None
    body = export_document(document, options.format, page_images=page_images)
    return Response(body, media_type=FORMATS[options.format].media_type)


async def _stream_pages(
    service: ReadService, data: bytes, name: str, options: ReadOptions, ticket: Any
) -> AsyncIterator[bytes]:
    """NDJSON: {"event": "page", "page", "pages", "image"?} per page, then "end" (or "error")."""
    try:
        deadline = service.deadline()
        pipeline = await service.pipeline(options, deadline)
        yield _line({"event": "start", "source": name, "models": [m.to_dict() for m in pipeline.models]})
        async for total, page, image in service.read_pages(
            pipeline, data, name, options, deadline, keep_images=options.images
        ):
            event: dict[str, Any] = {"event": "page", "pages": total, "page": page.to_dict()}
            if image is not None:
                event["image"] = preview_url(image)
            yield _line(event)
        yield _line({"event": "end"})
    except ApiError as exc:
        service.metrics.errors.labels(exc.code).inc()
        yield _line({"event": "error", "error": {"code": exc.code, "message": exc.message}})
    finally:
        ticket.release()


def _line(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode("utf-8") + b"\n"


def preview_url(image: np.ndarray) -> str:
    """A page image as a JPEG data URL, at most PREVIEW_SIDE px on a side (boxes scale by page size)."""
    picture = Image.fromarray(image)
    picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _document_from_json(body: bytes) -> Document:
    try:
        return parse_document(body, "body")
    except TextlensError as exc:
        raise ApiError(422, "bad_document", str(exc)) from None
