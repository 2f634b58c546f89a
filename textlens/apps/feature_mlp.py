"""A small perceptron over named features, stored as plain JSON: the scorer of the apps' rankers.

``score = relu(norm(x) @ w1 + b1) @ w2 + b2`` where ``norm`` standardises each named feature
with the training mean and scale. One output (a candidate's score, ranked within its page) or
several (class logits). Inference is NumPy only; training lives in ``textlens.training.feature_mlp``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from textlens.errors import TextlensError

T = TypeVar("T")


@dataclass(frozen=True)
class FeatureMLP:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray  # (features, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden,) for one output, (hidden, outputs) for several
    b2: np.ndarray | float

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        x = np.array([[row.get(name, 0.0) for name in self.features] for row in rows], dtype=np.float32)
        return (x.reshape(len(rows), len(self.features)) - self.mean) / self.scale

    def scores(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """(n,) scores, or (n, outputs) logits."""
        if not rows:
            return np.zeros((0,) + np.shape(self.b2), dtype=np.float32)
        hidden = np.maximum(self.matrix(rows) @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "w1": self.w1.tolist(),
            "b1": self.b1.tolist(),
            "w2": self.w2.tolist(),
            "b2": self.b2.tolist() if isinstance(self.b2, np.ndarray) else float(self.b2),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureMLP:
        arr = lambda key: np.asarray(data[key], dtype=np.float32)  # noqa: E731
        b2 = data["b2"]
        bias = float(b2) if isinstance(b2, (int, float)) else arr("b2")
        return cls(tuple(data["features"]), arr("mean"), arr("scale"), arr("w1"), arr("b1"), arr("w2"), bias)


def softmax(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    z = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def load_model_file(path: str, model_format: str, what: str, build: Callable[[dict[str, Any]], T]) -> T:
    """Read a JSON model file of ``model_format`` and ``build`` it; any fault is one clear error."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != model_format:
            found = data.get("format") if isinstance(data, dict) else None
            raise TextlensError(f"{path}: not a textlens {what} model (format {found!r})")
        return build(data)
    except TextlensError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TextlensError(f"{path}: cannot load the {what} model ({exc})") from None
