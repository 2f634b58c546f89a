"""textlens itself: the ONNX recognizer for crops, ``textlens.read`` for pages.

Crops are decoded to RGB arrays and recognised in chunks of 64, so batching is part of
what is measured. ``--textlens-model`` picks a recognizer (registered name or ``.onnx``
path); the default is the registry's default model, for crops and pages alike. Pages use
the registry's default detector, or the ``.onnx`` in ``$TEXTLENS_BENCH_DETECTOR`` (set by
``benchmarks.run --textlens-detector``).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import numpy as np

DETECTOR_VAR = "TEXTLENS_BENCH_DETECTOR"


class Engine:
    def __init__(self, threads: int, model: str | None = None) -> None:
        import textlens

        self.threads = threads
        self.model = model
        self._recognizer = None
        self.version = f"textlens {textlens.__version__}"

    @staticmethod
    def unavailable() -> str | None:
        try:
            import textlens  # noqa: F401
        except ImportError as exc:
            return f"not available: {exc}"
        return None

    def _load_recognizer(self):  # noqa: ANN202 - textlens type imported lazily
        from textlens.errors import TextlensError
        from textlens.recognition.predictor import Recognizer

        try:
            rec = Recognizer.load(self.model, threads=self.threads)
        except TextlensError as exc:
            raise RuntimeError(f"{exc} (benchmark a file with --textlens-model PATH)") from None
        self.version += f" ({rec.info.name}{' + char LM' if rec.lm is not None else ''})"
        return rec

    def prepare(self, kind: str) -> None:
        """Load the models the set needs (timed as load, not as reading)."""
        if kind == "crops":
            self._recognizer = self._load_recognizer()
        else:
            import textlens

            if not hasattr(textlens, "read"):
                raise RuntimeError("textlens.read() does not exist yet")
            self._read = textlens.read
            params = inspect.signature(textlens.read).parameters
            self._read_kwargs = {"threads": self.threads} if "threads" in params else {}
            detector = os.environ.get(DETECTOR_VAR)
            if detector:
                self._read_kwargs["detector"] = detector
                self.version += f" (detector {Path(detector).name})"
            if self.model:
                self._read_kwargs["recognizer"] = self.model
            # One read of a blank page loads the models now (timed as load; textlens.read
            # caches the pipeline), and a missing detector becomes "not available: ...".
            self._read(np.full((64, 64, 3), 255, np.uint8), **self._read_kwargs)

    def read_crops(self, paths: list[str]) -> list[str]:
        from PIL import Image

        crops = []
        for path in paths:
            with Image.open(path) as image:
                crops.append(np.asarray(image.convert("RGB")))
        return [r.text for r in self._recognizer.predict(crops)]

    def read_page(self, path: str) -> tuple[str, list[list[list[float]]], list[list[list[float]]]]:
        doc = self._read(path, **self._read_kwargs)
        page = doc.pages[0]
        lines = [[list(p) for p in ln.polygon] for ln in page.lines]
        return "\n".join(ln.text for ln in page.lines), lines, [[list(p) for p in w.polygon] for w in page.words]
