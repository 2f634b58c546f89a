"""Torch-free line recognition on ONNX Runtime.

Crops are converted to grey, scaled to the model height and batched by similar width
(sorted, so little padding is wasted); the CTC output is decoded greedily or with a beam.
Lines read with low confidence are read twice more with a little more and less vertical margin,
the three readings' probabilities averaged (test-time augmentation where it pays), and the
average decoded with a beam search guided by the model's character language model, if it has
one (see ``textlens.recognition.lm``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from textlens.document import ModelInfo
from textlens.errors import TextlensError
from textlens.models.registry import companion_lm, file_sha256, model_name, resolve_model
from textlens.recognition.charset import Charset
from textlens.recognition.decoding import (
    LineResult,
    LmFusion,
    beam_decode,
    build_line,
    greedy_decode,
    hold_to_lengths,
)
from textlens.recognition.lm import CharNgramLM
from textlens.recognition.preprocess import (
    INK_MODES,
    ink_box,
    normalize,
    pad_batch,
    resize_to_height,
    to_model_gray,
    vertical_variants,
)
from textlens.runtime.session import create_session, model_metadata

__all__ = ["LineResult", "Recognizer"]

# Lines read less confidently than this are re-read with other margins (and the LM). 0.985 was
# chosen on held-out sroie-train and funsd-train lines; at 0.97 typeset pages read better and
# faster (docpages-dev CER 5.27 -> 5.12%, 620 -> ~500 ms/page) with receipts unchanged
# (sroie-test 4.63%; 40 sroie-train pages 3.34 -> 3.41%; uw3 lines 1.17% either way).
RETRY_BELOW = 0.97


class Recognizer:
    """A recognizer model loaded in ONNX Runtime."""

    def __init__(
        self,
        path: Path,
        threads: int | None = None,
        decoder: str = "greedy",
        retry_below: float | None = RETRY_BELOW,
        lm: CharNgramLM | None = None,
        lm_weight: float = 0.45,
        lm_bonus: float = 2.0,
    ) -> None:
        if decoder not in ("greedy", "beam"):
            raise TextlensError(f"unknown decoder {decoder!r}: use 'greedy' or 'beam'")
        if retry_below is not None and not 0.0 <= retry_below <= 1.0:
            raise TextlensError(f"retry_below must lie in [0, 1] or be None, got {retry_below!r}")
        self.retry_below = retry_below  # re-read lines below this confidence with margin variants
        self.path = Path(path)
        self.session = create_session(self.path, threads)
        meta = model_metadata(self.session, path)
        if meta.get("textlens_kind") != "recognizer":
            raise TextlensError(f"{path}: not a textlens recognizer model (no recognizer metadata)")
        try:
            config = meta["config"]
            self.charset = Charset(config["charset"])
            self.height = int(config["height"])
            self.mean = float(config["mean"])
            self.std = float(config["std"])
            self.stride = int(config["stride"])
            self.ink = str(config.get("ink", "luma"))
            self.fit_ink = bool(config.get("fit_ink", False))
            # a reader of fixed-length codes never answers with another length (empty: any length)
            self.lengths = tuple(int(n) for n in config.get("lengths", ()))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TextlensError(
                f"{path}: damaged textlens metadata in the model ({type(exc).__name__}: {exc})"
            ) from None
        if self.ink not in INK_MODES:
            raise TextlensError(f"{path}: unknown input ink mode {self.ink!r} (known: {', '.join(INK_MODES)})")
        self.decoder = decoder
        # ~10 average lines per run: smaller batches stay in cache (sroie-test-lines 11% less CPU than
        # 64 lines) and bound the activations ONNX Runtime keeps (docpages-dev RSS 478 -> 350 MB)
        self.max_batch_pixels = 10 * 32 * 400
        self.info = ModelInfo(meta.get("name", self.path.stem), "recognizer", file_sha256(self.path))
        self._input = self.session.get_inputs()[0].name
        # the language model steers the beam over unsure lines (all lines with decoder="beam")
        self.lm = LmFusion(lm, self.charset, lm_weight, lm_bonus) if lm is not None else None
        self.lm_info: ModelInfo | None = None  # set when loaded from a file (provenance)

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        threads: int | None = None,
        decoder: str = "greedy",
        retry_below: float | None = RETRY_BELOW,
        lm: str | Path | None = "auto",
    ) -> Recognizer:
        """Load a registered model name, an ``.onnx`` path, or the default (None).

        ``lm``: a language model name or ``.npz`` path, None for none, or "auto": the one registered
        with the recognizer (shipped models; a model given by path has none unless named here).
        """
        path = resolve_model(model, "recognizer")
        lm_path = companion_lm(model) if lm == "auto" else (None if lm in (None, "none") else resolve_model(lm, "lm"))
        language_model = CharNgramLM.load(lm_path) if lm_path is not None else None
        recognizer = cls(path, threads=threads, decoder=decoder, retry_below=retry_below, lm=language_model)
        if lm_path is not None:
            recognizer.lm_info = ModelInfo(model_name(lm_path), "lm", file_sha256(lm_path))
        return recognizer

    def predict(self, crops: Sequence[np.ndarray], *, retry: bool = True) -> list[LineResult]:
        """Recognise single-line crops (grey/RGB/RGBA uint8); one result per crop, in order.
        ``retry=False`` skips the re-read of unsure lines (when only confidences are compared)."""
        grays = [to_model_gray(c, self.ink) for c in crops]
        boxes = [ink_box(g) if self.fit_ink else (0, g.shape[0], 0, g.shape[1]) for g in grays]
        texts = [g[y0:y1, x0:x1] for g, (y0, y1, x0, x1) in zip(grays, boxes)]
        lines = [resize_to_height(t, self.height) for t in texts]
        scales = [(box[3] - box[2]) / line.shape[1] for box, line in zip(boxes, lines)]
        results: list[LineResult] = [LineResult("", 0.0, [], [])] * len(lines)
        unsure: dict[int, np.ndarray] = {}
        for i, log_probs in self._log_probs(lines):
            results[i] = self._decode(log_probs, self.stride * scales[i], boxes[i][2])
            if retry and self.retry_below is not None and results[i].confidence < self.retry_below:
                unsure[i] = log_probs
        if unsure:
            retried = list(unsure)
            variants = [v for i in retried for v in vertical_variants(texts[i], lines[i].shape[1], self.height)]
            more = dict(self._log_probs(variants))
            for k, i in enumerate(retried):
                readings = np.stack([unsure[i], more[2 * k], more[2 * k + 1]])
                mean = np.log(np.exp(readings).mean(axis=0) + 1e-12)
                results[i] = self._decode(mean, self.stride * scales[i], boxes[i][2], guided=True)
        return results

    def predict_one(self, crop: np.ndarray) -> LineResult:
        return self.predict([crop])[0]

    def _log_probs(self, lines: list[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        """(index, per-frame log-probabilities) of every line, run in width-sorted batches."""
        for batch in self._batches(lines):
            width = max(lines[i].shape[1] for i in batch)
            tensor = normalize(pad_batch([lines[i] for i in batch], width), self.mean, self.std)
            log_probs = self.session.run(None, {self._input: tensor})[0]
            for row, i in enumerate(batch):
                yield i, log_probs[row, : max(1, lines[i].shape[1] // self.stride)]

    def _decode(
        self, log_probs: np.ndarray, columns_per_frame: float, x_offset: int = 0, guided: bool = False
    ) -> LineResult:
        if self.decoder == "beam" or (guided and self.lm is not None):
            hits = beam_decode(log_probs, self.charset, lm=self.lm)
        else:
            hits = greedy_decode(log_probs, self.charset)
        return build_line(hold_to_lengths(hits, log_probs, self.charset, self.lengths), columns_per_frame, x_offset)

    def _batches(self, lines: list[np.ndarray]) -> list[list[int]]:
        """Indices grouped by width so each batch pads little and stays memory-bounded."""
        order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1])
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            width = lines[i].shape[1]
            too_big = (len(current) + 1) * width * self.height > self.max_batch_pixels
            too_uneven = current and width > 1.5 * lines[current[0]].shape[1] + 32
            if current and (too_big or too_uneven):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches
