"""Export trained checkpoints to self-describing ONNX models (needs torch + onnx)."""

from __future__ import annotations

import json
from pathlib import Path

from textlens import __version__
from textlens.errors import TextlensError
from textlens.io.atomic import atomic_open


def _add_metadata(path: Path, metadata: dict[str, object]) -> None:
    import onnx

    model = onnx.load(str(path))
    del model.metadata_props[:]
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key = key
        entry.value = value if isinstance(value, str) else json.dumps(value)
    onnx.checker.check_model(model)
    with atomic_open(path, "wb") as handle:
        handle.write(model.SerializeToString())


def export_with_metadata(
    model: object, example: object, output: str | Path, names: tuple[list[str], list[str]],
    dynamic_axes: dict[str, dict[int, str]], metadata: dict[str, object],
) -> Path:  # fmt: skip
    """Export a PyTorch module to ``output`` (.onnx) with ``metadata`` (kind, version and name added
    by the caller): written beside it first and renamed, so a failed export never leaves half a model."""
    import torch

    output = Path(output)
    if output.suffix != ".onnx":
        raise TextlensError(f"{output}: the exported model file must end in .onnx")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp.onnx")
    torch.onnx.export(
        model, (example,), str(tmp), input_names=names[0], output_names=names[1], dynamic_axes=dynamic_axes,
        opset_version=17, dynamo=False,
    )  # fmt: skip
    _add_metadata(tmp, metadata)
    tmp.replace(output)
    return output


def export_recognizer(checkpoint: str | Path, output: str | Path, name: str | None = None) -> Path:
    """Write an ONNX recognizer (dynamic batch and width) with its charset/config in the metadata.

    Also writes ``<output>.pt`` beside it: fp16 weights + config, which is what fine-tuning
    starts from (ONNX files are for inference only).
    """
    import torch

    from textlens.training.recognizer import CHECKPOINT_KIND, load_checkpoint, model_from_checkpoint

    state = load_checkpoint(checkpoint)
    model = model_from_checkpoint(state)
    output = Path(output)
    if output.suffix != ".onnx":
        raise TextlensError(f"{output}: the exported model file must end in .onnx")
    output.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(2, 1, model.config.height, 128)
    tmp = output.with_suffix(".tmp.onnx")
    try:
        torch.onnx.export(
            model,
            (dummy,),
            str(tmp),
            input_names=["images"],
            output_names=["log_probs"],
            dynamic_axes={"images": {0: "batch", 3: "width"}, "log_probs": {0: "batch", 1: "frames"}},
            opset_version=17,
            dynamo=False,
        )
        metadata = {
            "textlens_kind": "recognizer",
            "textlens_version": __version__,
            "name": name or output.stem,
            "config": model.config.to_dict(),
            "metrics": state.get("best", {}),
            "steps": state.get("step", 0),
        }
        _add_metadata(tmp, metadata)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    weights = {
        "kind": CHECKPOINT_KIND,
        "textlens_version": __version__,
        "model_config": model.config.to_dict(),
        "state_dict": {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()},
        "best": state.get("best", {}),
    }
    with atomic_open(output.with_suffix(".pt"), "wb") as handle:
        torch.save(weights, handle)
    return output
