"""Detector checkpoint -> self-describing ONNX file (needs torch and onnx: the ``train`` extra).

The graph takes a normalised (N, 3, H, W) float32 page (H, W multiples of 32, both dynamic)
and returns the (N, 1, H, W) text probability map; the threshold branch is left out. The
metadata carries everything the torch-free predictor needs: kind, name, textlens version,
the model config as JSON (mean/std, long side, post-processing defaults) and the input
size policy.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch

from textlens import __version__
from textlens.detection.model import DBNet
from textlens.errors import TextlensError
from textlens.io.atomic import atomic_open

INPUT_POLICY = "rgb; resize long side to config.long_side, each side rounded to a multiple of 32; (x-mean)/std"


def export_model(model: DBNet, out: str | Path, name: str, extra: dict[str, Any] | None = None) -> Path:
    """Write ``model`` (eval mode, probability map only) to ``out`` with textlens metadata."""
    import onnx

    out = Path(out)
    model = model.eval()
    dummy = torch.zeros(1, 3, 64, 96)
    tmp = out.with_name(f".{out.name}.export")
    try:
        # The TorchScript exporter handles dynamic H/W here without extra dependencies.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(
                model,
                (dummy,),
                str(tmp),
                input_names=["image"],
                output_names=["prob"],
                dynamic_axes={
                    "image": {0: "batch", 2: "height", 3: "width"},
                    "prob": {0: "batch", 2: "height", 3: "width"},
                },
                opset_version=17,
                dynamo=False,
            )
        proto = onnx.load(str(tmp))
    finally:
        tmp.unlink(missing_ok=True)
    meta = {
        "textlens_kind": "detector",
        "name": name,
        "textlens_version": __version__,
        "architecture": "dbnet-mobile",
        "config": json.dumps(model.config.to_dict()),
        "input_policy": INPUT_POLICY,
        "output": "prob: (N, 1, H, W) text probability at input resolution",
    }
    for key, value in (extra or {}).items():
        meta[key] = value if isinstance(value, str) else json.dumps(value)
    del proto.metadata_props[:]
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    with atomic_open(out, "wb") as handle:
        handle.write(proto.SerializeToString())
    return out


def export_onnx(
    checkpoint: str | Path,
    out: str | Path,
    name: str | None = None,
    box_thresh: float | None = None,
    unclip_ratio: float | None = None,
    long_side: int | None = None,
    tune: bool = False,
    tune_long_sides: tuple[int, ...] | None = None,
    log=None,
) -> dict[str, Any]:
    """Export a training checkpoint; returns a summary (path, sha256, size, metrics).

    ``tune`` first picks ``unclip_ratio`` and ``box_thresh`` (and the long side among
    ``tune_long_sides``) for the best H-mean on the pages the run held out; explicit
    ``box_thresh`` / ``unclip_ratio`` / ``long_side`` arguments still win.
    """
    from textlens.models.registry import file_sha256
    from textlens.training.detector import load_checkpoint, model_from_checkpoint

    out = Path(out)
    if out.suffix != ".onnx":
        raise TextlensError(f"{out}: the output file must end in .onnx")
    state = load_checkpoint(checkpoint)
    model = model_from_checkpoint(state)
    tuned: dict[str, float] = {}
    if tune:
        from textlens.training.detector import held_out_pages, tune_postprocess

        pages = held_out_pages(state.get("train_config") or {})
        if not pages:
            raise TextlensError(f"{checkpoint}: the run held out no pages to tune on; drop --tune")
        tuned = tune_postprocess(model, pages, long_sides=tune_long_sides)
        model.config.box_thresh = tuned["box_thresh"]
        model.config.unclip_ratio = tuned["unclip_ratio"]
        model.config.long_side = int(tuned["long_side"])
        if log:
            log(f"tuned on {len(pages)} held-out pages: {tuned}")
    if box_thresh is not None:
        model.config.box_thresh = box_thresh
    if unclip_ratio is not None:
        model.config.unclip_ratio = unclip_ratio
    if long_side is not None:
        model.config.long_side = long_side
    model.config.validate()
    metrics = {k: v for k, v in (state.get("best") or {}).items() if isinstance(v, (int, float))}
    extra = {"train_metrics": metrics, "train_steps": state.get("step", 0)}
    if tuned:
        extra["tuned_on_held_out"] = tuned
    export_model(model, out, name or out.stem, extra)
    return {
        "path": str(out),
        "name": name or out.stem,
        "sha256": file_sha256(out),
        "bytes": out.stat().st_size,
        "steps": state.get("step", 0),
        "val_metrics": metrics,
        "tuned": tuned,
        "postprocess": {
            "box_thresh": model.config.box_thresh,
            "unclip_ratio": model.config.unclip_ratio,
            "long_side": model.config.long_side,
        },
    }
