"""Start a detector's training from a shipped ONNX detector (``textlens train detector --init``).

The exported file holds the inference graph: each convolution followed by batch norm was folded
into one convolution with a bias (``onnx::Conv_*`` initializers), and the threshold head, needed
only by the training loss, is not there. The ONNX convolutions come in the same order as the
model's own (checked shape by shape), so each is copied into its module; a folded one goes into
the convolution and its batch norm becomes the identity plus that bias (mean 0, variance 1), which
must then stay fixed during training (``freeze_batchnorm``). The threshold head starts fresh.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from textlens.detection.model import DBNet, DetectorConfig
from textlens.errors import TextlensError


def detector_from_onnx(path: str | Path) -> DBNet:
    """A DBNet whose probability path computes what the ONNX detector at ``path`` computes."""
    import onnx
    from onnx import numpy_helper

    try:
        proto = onnx.load(str(path))
        meta = {p.key: p.value for p in proto.metadata_props}
        if meta.get("textlens_kind") != "detector":
            raise TextlensError(f"{path}: not a textlens detector model")
        config = DetectorConfig.from_dict(json.loads(meta["config"]))
    except TextlensError:
        raise
    except Exception as exc:  # noqa: BLE001  (a damaged or foreign file)
        raise TextlensError(f"{path}: cannot read the detector to start from ({exc})") from None
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in proto.graph.initializer}
    if any(init.dtype != torch.float32 for init in inits.values()):
        raise TextlensError(f"{path}: an INT8 model cannot be trained further; start from the float one")
    model = DBNet(config)
    convs = [n for n in proto.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    modules = [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)) and not name.startswith("thresh_head")
    ]
    if len(convs) != len(modules):
        raise TextlensError(f"{path}: {len(convs)} convolutions, the architecture has {len(modules)}")
    following = _batchnorm_after(model)
    with torch.no_grad():
        for node, (name, conv) in zip(convs, modules):
            weight = inits[node.input[1]]
            if tuple(weight.shape) != tuple(conv.weight.shape):
                raise TextlensError(
                    f"{path}: {name} has shape {tuple(weight.shape)}, expected {tuple(conv.weight.shape)}"
                )
            conv.weight.copy_(weight)
            bias = inits[node.input[2]] if len(node.input) > 2 else None
            bn = following.get(name)
            if bias is not None and conv.bias is not None:
                conv.bias.copy_(bias)
            elif bias is not None and bn is not None:  # folded: the batch norm passes the bias on
                _identity(bn, bias)
            elif bn is not None:  # kept apart in the graph (after a transposed convolution)
                bn_name = next(n for n, m in model.named_modules() if m is bn)
                for part in ("weight", "bias", "running_mean", "running_var"):
                    getattr(bn, part).copy_(inits[f"{bn_name}.{part}"])
    return model


def _batchnorm_after(model: nn.Module) -> dict[str, nn.BatchNorm2d]:
    """Convolution name -> the batch norm that directly follows it in its Sequential."""
    out = {}
    for parent_name, parent in model.named_modules():
        if not isinstance(parent, nn.Sequential):
            continue
        children = list(parent.named_children())
        for (name, module), (_, nxt) in zip(children, children[1:]):
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)) and isinstance(nxt, nn.BatchNorm2d):
                out[f"{parent_name}.{name}" if parent_name else name] = nxt
    return out


def _identity(bn: nn.BatchNorm2d, bias: torch.Tensor) -> None:
    bn.running_mean.zero_()
    bn.running_var.fill_(1.0 - bn.eps)
    bn.weight.fill_(1.0)
    bn.bias.copy_(bias)


def freeze_batchnorm(model: nn.Module) -> None:
    """Batch norms use their stored statistics (eval mode) while the rest trains."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.eval()
