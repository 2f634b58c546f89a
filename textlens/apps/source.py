"""What an app reads: a ``Document`` that ``read`` gave, or anything ``read`` takes."""

from __future__ import annotations

from typing import Any

from textlens.document import Document


def document_of(source: Any, pipeline: Any = None) -> Document:
    """``source`` itself when it is a ``Document``; else read it (with ``pipeline``, or the default one)."""
    if isinstance(source, Document):
        return source
    if pipeline is None:
        from textlens.pipeline import Pipeline

        pipeline = Pipeline.from_config()
    return pipeline.read(source)
