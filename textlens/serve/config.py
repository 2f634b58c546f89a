"""How a textlens server runs: limits, security and reading defaults, in one dataclass.

The config travels to uvicorn's worker processes as JSON in ``TEXTLENS_SERVE_CONFIG`` (each worker
builds its own app and loads its own models once).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any

from textlens.errors import TextlensError

CONFIG_ENV = "TEXTLENS_SERVE_CONFIG"
API_KEY_ENV = "TEXTLENS_API_KEY"


@dataclass(frozen=True)
class ServeConfig:
    """Server settings.

    ``api_key``: required in ``X-API-Key`` or ``Authorization: Bearer`` on every /v1 route (None:
    open); ``max_upload_mb``: largest request body; ``max_pages``: most pages per document;
    ``timeout_s``: seconds a request may take before it is answered 504; ``concurrency``: pages a
    worker reads at once; ``queue_size``: requests that may wait for a reading slot before new
    ones get 503; ``threads``: ONNX Runtime threads per worker (None: its default);
    ``cors_origins``: origins allowed to call the API from other pages (empty: CORS off);
    ``detector``/``recognizer``: default models (registered names or paths given by the operator).
    """

    api_key: str | None = None
    max_upload_mb: float = 25.0
    max_pages: int = 200
    timeout_s: float = 120.0
    concurrency: int = 1
    queue_size: int = 16
    threads: int | None = None
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    detector: str | None = None
    recognizer: str | None = None

    def __post_init__(self) -> None:
        if not 0 < self.max_upload_mb <= 4096:
            raise TextlensError(f"max_upload_mb must lie in (0, 4096], got {self.max_upload_mb!r}")
        if not isinstance(self.max_pages, int) or self.max_pages < 1:
            raise TextlensError(f"max_pages must be a positive integer, got {self.max_pages!r}")
        if not self.timeout_s > 0:
            raise TextlensError(f"timeout_s must be positive, got {self.timeout_s!r}")
        if not isinstance(self.concurrency, int) or self.concurrency < 1:
            raise TextlensError(f"concurrency must be a positive integer, got {self.concurrency!r}")
        if not isinstance(self.queue_size, int) or self.queue_size < 0:
            raise TextlensError(f"queue_size must be a non-negative integer, got {self.queue_size!r}")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise TextlensError(f"threads must be a positive integer, got {self.threads!r}")
        if self.api_key is not None and not self.api_key.strip():
            raise TextlensError("api_key must not be empty")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        data: dict[str, Any] = json.loads(text)
        data["cors_origins"] = tuple(data.get("cors_origins") or ())
        return cls(**data)

    @classmethod
    def from_env(cls) -> ServeConfig:
        """The config a worker process was started with (defaults plus $TEXTLENS_API_KEY when unset)."""
        text = os.environ.get(CONFIG_ENV)
        config = cls.from_json(text) if text else cls()
        if config.api_key is None and os.environ.get(API_KEY_ENV):
            config = dataclasses.replace(config, api_key=os.environ[API_KEY_ENV])
        return config
