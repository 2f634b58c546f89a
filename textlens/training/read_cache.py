"""Labelled pages as ``read`` outputs them, read once and cached as JSON.

The apps' models (receipt fields, form labels) learn from the pipeline's real output, OCR errors
included; reading a few hundred pages takes minutes, so each page is read once per cache folder
(delete the folder after changing the pipeline).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from textlens.document import Document
from textlens.io.atomic import write_atomic


def read_cached(images: list[str], cache: Path, threads: int, log: Callable[[str], None]) -> list[Document]:
    cache.mkdir(parents=True, exist_ok=True)
    pipeline = None
    documents, fresh, started = [], 0, time.monotonic()
    for image in images:
        key = hashlib.sha1(str(Path(image).resolve()).encode()).hexdigest()[:10]
        target = cache / f"{Path(image).stem}-{key}.json"
        if target.exists():
            document = Document.from_dict(json.loads(target.read_text(encoding="utf-8")))
        else:
            if pipeline is None:
                from textlens.pipeline import Pipeline, PipelineConfig

                pipeline = Pipeline.from_config(PipelineConfig(threads=threads))
            document = pipeline.read(image)
            write_atomic(target, json.dumps(document.to_dict()))
            fresh += 1
            if fresh % 25 == 0:
                log(f"read {fresh} pages ({time.monotonic() - started:.0f} s)")
        documents.append(document)
    if fresh:
        log(f"read {fresh} pages with the pipeline, {len(documents) - fresh} from {cache}")
    return documents
