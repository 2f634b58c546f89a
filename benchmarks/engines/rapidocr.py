"""RapidOCR 1.4.4 (``rapidocr-onnxruntime``, PP-OCRv4 models bundled, fully offline).

It needs ``opencv-python``, which clashes with textlens's headless OpenCV, so it lives in
``.bench-venv`` (made by ``benchmarks/setup.sh``) and its worker runs with that
interpreter. Crops: recognizer only (``use_det=False, use_cls=False``), one call per
crop as a user would; pages: the full det + cls + rec pipeline. Threads: 1.4.4 reads
``intra_op_num_threads`` / ``inter_op_num_threads`` from its Global config (constructor
kwargs override config.yaml and are copied into the Det/Cls/Rec sessions).
"""

from __future__ import annotations

from importlib import metadata

PACKAGE = "rapidocr-onnxruntime"
PINNED = "1.4.4"


class Engine:
    def __init__(self, threads: int, model: str | None = None) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        self.version = f"RapidOCR {metadata.version(PACKAGE)} (PP-OCRv4)"

    @staticmethod
    def unavailable() -> str | None:
        try:
            version = metadata.version(PACKAGE)
        except metadata.PackageNotFoundError:
            return f"not installed ({PACKAGE}=={PINNED}: run benchmarks/setup.sh)"
        if version != PINNED:
            return f"not available: {PACKAGE} {version} installed, the harness expects {PINNED}"
        return None

    def read_crops(self, paths: list[str]) -> list[str]:
        texts = []
        for path in paths:
            result, _ = self.ocr(path, use_det=False, use_cls=False, use_rec=True)
            texts.append(result[0][0] if result else "")
        return texts

    def read_page(self, path: str) -> tuple[str, list[list[list[float]]]]:
        result, _ = self.ocr(path)
        result = result or []  # None when nothing was found
        text = "\n".join(str(r[1]) for r in result)
        polygons = [[[float(x), float(y)] for x, y in r[0]] for r in result]
        return text, polygons
