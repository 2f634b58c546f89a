"""textlens: find and read text in images, and train your own readers."""

__version__ = "0.1.0"

from textlens.errors import TextlensError  # noqa: E402

_LAZY = {
    "read": "textlens.pipeline",
    "read_pages": "textlens.pipeline",
    "Pipeline": "textlens.pipeline",
    "PipelineConfig": "textlens.pipeline",
    "Document": "textlens.document",
    "extract_receipt": "textlens.apps.fields",
}


def __getattr__(name: str):
    # `textlens.read` without importing NumPy/OpenCV/ONNX Runtime at `import textlens`.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'textlens' has no attribute {name!r}")


__all__ = [
    "Document",
    "Pipeline",
    "PipelineConfig",
    "TextlensError",
    "__version__",
    "extract_receipt",
    "read",
    "read_pages",
]
