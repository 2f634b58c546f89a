"""Verify a signature against a writer's references with the exported embedding (ONNX Runtime only).

The score is how far the query lies from the references (mean cosine distance) measured in units
of how far the references lie from each other, plus a little (``SPREAD_FLOOR``): a writer who signs
the same way every time is held to that, one whose signatures vary is allowed their variation.
Lower is more alike. The model file carries the threshold chosen on validation writers (the equal
error rate's operating point for skilled forgeries) and what it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from textlens.errors import TextlensError
from textlens.signature.preprocess import normalise

SPREAD_FLOOR = 0.05  # cosine distance: references copied from one scan would otherwise make any change a forgery


def distances(query: np.ndarray, references: np.ndarray) -> np.ndarray:
    """Cosine distances of unit vector ``query`` (d,) to unit ``references`` (k, d)."""
    return 1.0 - references @ query


def spread(references: np.ndarray) -> float:
    """Mean cosine distance between the references (0 for a single one)."""
    k = len(references)
    if k < 2:
        return 0.0
    similarity = references @ references.T
    return float((k * k - similarity.sum()) / (k * (k - 1)))


def score(query: np.ndarray, references: np.ndarray) -> float:
    """How unlike the references the query is, in units of the references' own spread."""
    return float(distances(query, references).mean()) / (spread(references) + SPREAD_FLOOR)


@dataclass
class Verification:
    score: float
    threshold: float
    genuine: bool
    meaning: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "threshold": round(self.threshold, 4),
            "decision": "genuine" if self.genuine else "forgery",
            "meaning": self.meaning,
        }


class SignatureVerifier:
    """The embedding model (a registered name or an .onnx path) and its operating point."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        from textlens.runtime.session import create_session, model_metadata

        self.path = Path(path)
        self.session = create_session(self.path, threads)
        meta = model_metadata(self.session, self.path)
        if meta.get("textlens_kind") != "signature":
            raise TextlensError(f"{self.path}: not a signature model (kind {meta.get('textlens_kind')!r})")
        config = meta.get("config", {})
        self.height, self.width = int(config.get("height", 112)), int(config.get("width", 224))
        self.threshold = float(meta.get("threshold", 1.0))
        self.meaning = str(meta.get("threshold_meaning", "the equal-error-rate point on validation writers"))
        self._input = self.session.get_inputs()[0].name

    @classmethod
    def load(cls, model: str | Path | None = None, threads: int | None = None) -> SignatureVerifier:
        from textlens.models.registry import resolve_model

        return cls(resolve_model(model, "signature"), threads)

    def embed(self, images: list[np.ndarray]) -> np.ndarray:
        """Unit embeddings (n, d) of signature images (grey or RGB uint8)."""
        if not images:
            return np.zeros((0, 0), np.float32)
        batch = np.stack([normalise(image, self.height, self.width) for image in images])[:, None]
        return self.session.run(None, {self._input: batch.astype(np.float32)})[0]

    def verify(self, query: np.ndarray, references: list[np.ndarray], threshold: float | None = None) -> Verification:
        if not references:
            raise TextlensError("give at least one reference signature of the writer")
        embedded = self.embed([query, *references])
        value = score(embedded[0], embedded[1:])
        limit = self.threshold if threshold is None else float(threshold)
        return Verification(value, limit, value <= limit, self.meaning)
