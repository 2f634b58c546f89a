"""INT8 models for faster reading on CPUs: static per-channel quantization of the convolutions
(calibrated on real inputs), dynamic quantization of the LSTMs (needs onnx).

The calibration inputs are exactly what the model sees when textlens reads: pages are read with
the pipeline, the model to quantize standing in for the shipped detector or recognizer, and
every tensor handed to it is kept. A recognizer may also be calibrated on line crops.

Measured on the shipped models (benchmarks/README.md, "INT8"): the recognizer runs 1.7x and
the detector 1.3x faster on an AVX-512 VNNI CPU, with page CER and F1 within 0.1 point. The
recognizer's classifier and projection (MatMul) stay in float: quantizing them cost exact-case
accuracy on UW3 lines; its first convolution is quantized (keeping it in float was slower, for
no accuracy).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from textlens.errors import TextlensError
from textlens.io.atomic import atomic_open

# Recognizer nodes kept in float (see the module docstring); names from the CRNN export.
FLOAT_NODES = ("/project/project.0/MatMul", "/classifier/MatMul")
MAX_CALIBRATION = 150  # tensors; enough for MinMax ranges, and memory stays bounded


def calibration_inputs(
    model: Path, kind: str, pages: Sequence[str], lines: Sequence[str], limit: int = MAX_CALIBRATION
) -> list[np.ndarray]:
    """The tensors ``model`` (a detector or recognizer) receives while textlens reads ``pages``
    (and, for a recognizer, the single-line images ``lines``)."""
    from textlens.io.loading import expand_inputs, load_image
    from textlens.pipeline import Pipeline, PipelineConfig

    config = PipelineConfig(threads=2, **{kind: str(model)})  # type: ignore[arg-type]
    pipeline = Pipeline.from_config(config)
    stage = pipeline.detector if kind == "detector" else pipeline.recognizer
    seen: list[np.ndarray] = []
    run = stage.session.run

    def recording_run(outputs: Any, feeds: dict[str, np.ndarray]) -> Any:
        seen.append(next(iter(feeds.values())).copy())
        return run(outputs, feeds)

    stage.session.run = recording_run
    for path in expand_inputs(list(pages)) if pages else []:
        pipeline.read(path)
    if lines and kind == "recognizer":
        pipeline.recognizer.predict([load_image(p) for p in expand_inputs(list(lines))])
    if not seen:
        raise TextlensError("no calibration inputs: give pages (or, for a recognizer, line images)")
    step = max(1, len(seen) // limit)
    return seen[::step][:limit]


def quantize_model(model: str | Path, output: str | Path, inputs: list[np.ndarray], name: str | None = None) -> Path:
    """Write an INT8 copy of ``model`` to ``output``; its metadata is kept (``name`` renames it)."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_dynamic,
        quantize_static,
    )

    model, output = Path(model), Path(output)
    if output.suffix != ".onnx":
        raise TextlensError(f"{output}: the INT8 model is an .onnx file")
    graph = onnx.load(str(model))
    input_name = graph.graph.input[0].name
    has_lstm = any(node.op_type == "LSTM" for node in graph.graph.node)
    kept = [n.name for n in graph.graph.node if n.name in FLOAT_NODES]

    class Feeds(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds: Iterator[dict[str, np.ndarray]] = iter({input_name: x} for x in inputs)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._feeds, None)

    with tempfile.TemporaryDirectory(prefix="textlens-int8-") as tmp:
        static = Path(tmp) / "static.onnx"
        quantize_static(
            str(model),
            str(static),
            Feeds(),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=CalibrationMethod.MinMax,
            op_types_to_quantize=["Conv", "MatMul"] if has_lstm else None,
            nodes_to_exclude=kept,
            extra_options={"CalibMovingAverage": True},
        )
        final = Path(tmp) / "final.onnx"
        if has_lstm:
            quantize_dynamic(str(static), str(final), op_types_to_quantize=["LSTM"], weight_type=QuantType.QInt8)
        else:
            final = static
        quantized = onnx.load(str(final))
    _keep_metadata(quantized, graph, name)
    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(output, "wb") as handle:
        handle.write(quantized.SerializeToString())
    return output


def _keep_metadata(quantized: Any, original: Any, name: str | None) -> None:
    meta = {p.key: p.value for p in original.metadata_props}
    if name is not None:
        meta["name"] = name
    meta["quantized"] = "int8"
    del quantized.metadata_props[:]
    for key, value in meta.items():
        entry = quantized.metadata_props.add()
        entry.key, entry.value = key, value
