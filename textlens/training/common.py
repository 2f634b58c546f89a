"""Pieces every training loop shares: self-describing checkpoints and the LR schedule."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import torch

from textlens.errors import TextlensError


def parse_spec(spec: str) -> tuple[str, float]:
    """``"data/manifest.jsonl@0.3"`` -> (path, 0.3); no suffix means ratio 1."""
    if "@" in spec:
        path, _, ratio = spec.rpartition("@")
        try:
            return path, float(ratio)
        except ValueError:
            pass
    return spec, 1.0


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: an interrupted save never corrupts the previous checkpoint."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def read_checkpoint(path: str | Path, kind: str, what: str) -> dict[str, Any]:
    """Load a checkpoint and check it is of ``kind`` (``what`` names it in errors).

    Only tensors and plain containers are read (``weights_only``): a checkpoint someone hands us
    never runs code when it is opened; a file that would is refused as not a checkpoint."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise TextlensError(f"{path}: no such checkpoint") from None
    except Exception as exc:
        raise TextlensError(f"{path}: cannot read checkpoint ({exc.__class__.__name__})") from None
    if not isinstance(state, dict) or state.get("kind") != kind:
        raise TextlensError(f"{path}: not a textlens {what} checkpoint")
    return state


def warmup_cosine(
    step: int, elapsed: float, max_steps: int, max_minutes: float | None, warmup: float, floor: float = 0.02
) -> float:
    """LR multiplier: linear warm-up then cosine decay to ``floor``.

    Progress is whichever is further along, steps or the wall-clock budget, so a run
    limited by minutes still anneals properly before it stops.
    """
    progress = step / max(max_steps, 1)
    if max_minutes:
        progress = max(progress, elapsed / (max_minutes * 60))
    if progress < warmup:
        return max(progress / warmup, floor)
    rest = (progress - warmup) / max(1 - warmup, 1e-6)
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(rest, 1.0)))


def training_state(kind: str, model: Any, train_config: dict[str, Any], optimizer: Any, **progress: Any) -> dict:
    """A self-describing checkpoint: model and training configs travel with the weights,
    plus whatever progress the loop needs to resume (step, elapsed, best, history, ...)."""
    from textlens import __version__

    return {
        "kind": kind,
        "textlens_version": __version__,
        "model_config": model.config.to_dict(),
        "train_config": train_config,
        "state_dict": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        **progress,
    }
