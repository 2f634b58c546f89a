"""Prometheus metrics of one server worker (``GET /metrics``), in the app's own registry."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Seconds: a crop takes milliseconds, a page about a second, a long PDF minutes.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 300)


class Metrics:
    """Requests, latency, pages, errors and queue depth; one set per app (tests build many apps)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "textlens_requests", "HTTP requests answered", ("route", "status"), registry=self.registry
        )
        self.latency = Histogram(
            "textlens_request_seconds",
            "Seconds from request to answer",
            ("route",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.pages = Counter("textlens_pages", "Pages read", registry=self.registry)
        self.errors = Counter("textlens_errors", "Error answers by code", ("code",), registry=self.registry)
        self.queue_depth = Gauge(
            "textlens_queue_depth", "Requests admitted (reading or waiting for a slot)", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
