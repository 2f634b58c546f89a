"""`textlens serve`: the HTTP API and the web page (FastAPI + uvicorn, the `serve` extra)."""

from __future__ import annotations

import os

import typer

from textlens.cli import app


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, min=0, max=65535, help="TCP port (0: any free port)."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes, each with its own models."),
    api_key: str | None = typer.Option(
        None, envvar="TEXTLENS_API_KEY", help="Require this key (X-API-Key or Bearer) on /v1 routes."
    ),
    max_upload_mb: float = typer.Option(25.0, help="Largest request body in MB (413 beyond)."),
    max_pages: int = typer.Option(200, min=1, help="Most pages per document (413 beyond)."),
    timeout: float = typer.Option(120.0, help="Seconds a request may take (504 beyond)."),
    concurrency: int = typer.Option(1, min=1, help="Pages each worker reads at once."),
    queue_size: int = typer.Option(16, min=0, help="Requests that may wait per worker (503 + Retry-After beyond)."),
    threads: int | None = typer.Option(None, min=1, help="ONNX Runtime threads per worker (default: its own)."),
    cors_origin: list[str] = typer.Option([], help="Allow calls from this web origin (repeatable; default: none)."),
    detector: str | None = typer.Option(None, "--det-model", help="Default detector: registered name or .onnx path."),
    recognizer: str | None = typer.Option(
        None, "--rec-model", help="Default recognizer: registered name or .onnx path."
    ),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Serve the HTTP API (/v1/read, /v1/recognize, /docs) and the web page at http://HOST:PORT/."""
    from textlens.errors import TextlensError

    try:
        import uvicorn

        from textlens.serve.config import CONFIG_ENV, ServeConfig
    except ModuleNotFoundError as exc:
        missing = f"textlens serve needs the serve extra ({exc.name} is missing)"
        raise TextlensError(f"{missing}: pip install 'textlens[serve]'") from None

    config = ServeConfig(
        api_key=api_key,
        max_upload_mb=max_upload_mb,
        max_pages=max_pages,
        timeout_s=timeout,
        concurrency=concurrency,
        queue_size=queue_size,
        threads=threads,
        cors_origins=tuple(cors_origin),
        detector=detector,
        recognizer=recognizer,
    )
    # Workers are separate processes that build their own app: the config travels in the environment.
    os.environ[CONFIG_ENV] = config.to_json()
    uvicorn.run(
        "textlens.serve.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        timeout_graceful_shutdown=10,
    )
