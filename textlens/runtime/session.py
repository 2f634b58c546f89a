"""The one seam to ONNX Runtime: sessions with a thread budget and model metadata."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

from textlens.errors import TextlensError


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def create_session(path: str | Path, threads: int | None = None) -> Any:
    """An ORT CPU session for ``path`` using ``threads`` intra-op threads."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Memory patterns plan buffers per input shape and keep every plan: page sizes and line widths
    # change with every input, so they only grow memory (a 100-page PDF: 673 MB -> 294 MB peak
    # without them) and cost time (2.51 -> 3.10 pages/s).
    options.enable_mem_pattern = False
    options.log_severity_level = 3
    try:
        # On a bad file onnxruntime prints an "EP Error ... retrying" banner to stdout before it raises:
        # that would land in the middle of `textlens read` output, so it is swallowed (the error is ours).
        with contextlib.redirect_stdout(io.StringIO()):
            return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise TextlensError(f"{path}: not a valid ONNX model ({str(exc).splitlines()[0][:160]})") from None


def model_metadata(session: Any, path: str | Path = "model") -> dict[str, Any]:
    """The textlens metadata stored in an ONNX file (JSON values decoded)."""
    try:
        raw = session.get_modelmeta().custom_metadata_map
    except Exception as exc:  # damaged metadata strings (not UTF-8) surface here
        raise TextlensError(
            f"{path}: the model's metadata is damaged ({type(exc).__name__}); reinstall or re-export it"
        ) from None
    meta: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            meta[key] = json.loads(value)
        except json.JSONDecodeError:
            meta[key] = value
    return meta
