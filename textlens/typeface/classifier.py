"""Identify the font of text lines with the exported model (ONNX Runtime only, no PyTorch).

A line is scaled to the model's height, its contrast stretched and its ink made bright on a dark
ground (light-on-dark lines too); the network pools over the whole line, so any width works, and a
batch is padded with ground. The model file carries its classes (families drawn alike are one
class) and the generic kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from textlens.errors import TextlensError

MAX_WIDTH_RATIO = 24  # longer lines are read in their middle part: the face does not change along a line


def normalise_line(image: np.ndarray, height: int) -> np.ndarray:
    """Grey or RGB uint8 line -> float32 (height, W) in [0, 1], ink bright, ground 0."""
    image = np.asarray(image)
    if image.ndim == 3:
        image = cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2GRAY)
    if image.ndim != 2 or image.size == 0 or min(image.shape) < 2:
        raise TextlensError(f"a text line image is needed, got an array of shape {image.shape}")
    h, w = image.shape
    width = max(height // 2, int(round(w * height / h)))
    grey = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if h > height else cv2.INTER_LINEAR)
    if width > MAX_WIDTH_RATIO * height:
        start = (width - MAX_WIDTH_RATIO * height) // 2
        grey = grey[:, start : start + MAX_WIDTH_RATIO * height]
    grey = grey.astype(np.float32)
    low, high = np.percentile(grey, (2, 98))
    scaled = np.clip((grey - low) / max(high - low, 1.0), 0.0, 1.0)
    border = np.concatenate([scaled[0], scaled[-1], scaled[:, 0], scaled[:, -1]])
    ink = 1.0 - scaled if np.median(border) > 0.5 else scaled  # dark ink on light ground -> bright ink
    return ink.astype(np.float32)


def pad_batch(lines: list[np.ndarray]) -> np.ndarray:
    """(N, 1, H, max W) with each line's right side filled with ground (0)."""
    width = max(line.shape[1] for line in lines)
    batch = np.zeros((len(lines), 1, lines[0].shape[0], width), np.float32)
    for i, line in enumerate(lines):
        batch[i, 0, :, : line.shape[1]] = line
    return batch


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@dataclass
class FontGuess:
    """The likeliest font classes of one line (best first) and its generic kind."""

    fonts: list[tuple[str, float]]  # (class name, probability)
    families: list[list[str]]  # the families each of ``fonts`` stands for
    kind: str
    kind_probability: float

    @property
    def font(self) -> str:
        return self.fonts[0][0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "font": self.font,
            "kind": self.kind,
            "kind_probability": round(self.kind_probability, 4),
            "top": [
                {"font": name, "probability": round(p, 4), "families": families}
                for (name, p), families in zip(self.fonts, self.families)
            ],
        }


class FontClassifier:
    """The font model (a registered name or an .onnx path)."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        from textlens.runtime.session import create_session, model_metadata

        self.path = Path(path)
        self.session = create_session(self.path, threads)
        meta = model_metadata(self.session, self.path)
        if meta.get("textlens_kind") != "font":
            raise TextlensError(f"{self.path}: not a font model (kind {meta.get('textlens_kind')!r})")
        config = meta.get("config", {})
        self.height = int(config.get("height", 48))
        self.classes: list[dict[str, Any]] = list(config.get("classes", []))
        self.kinds: list[str] = list(config.get("kinds", []))
        if not self.classes or not self.kinds:
            raise TextlensError(f"{self.path}: the font model lists no classes; re-export it")
        self._input = self.session.get_inputs()[0].name

    @classmethod
    def load(cls, model: str | Path | None = None, threads: int | None = None) -> FontClassifier:
        from textlens.models.registry import resolve_model

        return cls(resolve_model(model, "font"), threads)

    @property
    def families(self) -> list[str]:
        return [family for c in self.classes for family in c["families"]]

    def probabilities(self, images: list[np.ndarray], batch_size: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """(class probabilities (N, C), kind probabilities (N, K)) of line images."""
        lines = [normalise_line(image, self.height) for image in images]
        order = np.argsort([line.shape[1] for line in lines])  # similar widths share a batch
        fonts = np.zeros((len(lines), len(self.classes)), np.float32)
        kinds = np.zeros((len(lines), len(self.kinds)), np.float32)
        for start in range(0, len(lines), batch_size):
            chosen = order[start : start + batch_size]
            font_logits, kind_logits = self.session.run(None, {self._input: pad_batch([lines[i] for i in chosen])})
            fonts[chosen], kinds[chosen] = softmax(font_logits), softmax(kind_logits)
        return fonts, kinds

    def identify(self, images: list[np.ndarray], top: int = 5) -> list[FontGuess]:
        """The ``top`` likeliest font classes and the kind of each line image."""
        fonts, kinds = self.probabilities(images)
        guesses = []
        for font_p, kind_p in zip(fonts, kinds):
            best = np.argsort(-font_p)[: max(1, top)]
            k = int(np.argmax(kind_p))
            guesses.append(
                FontGuess(
                    [(self.classes[i]["name"], float(font_p[i])) for i in best],
                    [list(self.classes[i]["families"]) for i in best],
                    self.kinds[k],
                    float(kind_p[k]),
                )
            )
        return guesses
