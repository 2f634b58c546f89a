"""DBNet-style text detector: a lean MobileNet-like backbone, a light FPN and a DB head.

Sized for 2 CPU cores: depthwise-separable inverted-residual blocks at strides 2/4/8/16/32
(channels 16-24-48-96-160), a 64-channel FPN whose four levels are fused at stride 4, and a
head upsampled back to the input resolution (text lines on receipts are only ~15 px tall,
so a stride-4 map would shrink them to nothing). At inference the network outputs only the
text probability map; the threshold branch exists for training (differentiable binarisation,
Liao et al. 2020). Training lives in ``textlens.training.detector``, post-processing in
``textlens.detection.postprocess`` and ONNX inference in ``textlens.detection.predictor``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from textlens.errors import TextlensError

# ImageNet RGB statistics, in 0-255 units (the predictor normalises uint8 pages with them).
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


@dataclass
class DetectorConfig:
    """Architecture, input policy and post-processing defaults; stored in checkpoints and ONNX."""

    channels: tuple[int, ...] = (16, 24, 48, 96, 160)  # stem (stride 2), then strides 4/8/16/32
    blocks: tuple[int, ...] = (2, 2, 3, 2)  # inverted-residual blocks per stage (strides 4..32)
    expansion: int = 3
    fpn_channels: int = 64
    head_channels: int = 16
    k: float = 50.0  # steepness of the differentiable binarisation
    mean: tuple[float, ...] = IMAGENET_MEAN
    std: tuple[float, ...] = IMAGENET_STD
    long_side: int = 1024  # inference: the page's long side is resized to this (multiple of 32)
    # Post-processing defaults (see textlens.detection.postprocess.PostprocessConfig).
    bin_thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.5
    shrink_ratio: float = 0.4  # training targets; unclip_ratio undoes it at inference
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if len(self.channels) != 5:
            raise TextlensError(f"detector needs 5 channel widths (stem + 4 stages), got {self.channels}")
        if len(self.blocks) != 4 or min(self.blocks) < 1:
            raise TextlensError(f"detector needs 4 stage depths >= 1, got {self.blocks}")
        if self.long_side % 32 or self.long_side < 64:
            raise TextlensError(f"detector long_side must be a multiple of 32 and >= 64, got {self.long_side}")
        if len(self.mean) != 3 or len(self.std) != 3:
            raise TextlensError("detector mean/std need 3 (RGB) values")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("channels", "blocks", "mean", "std"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorConfig:
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise TextlensError(f"unknown detector config keys: {sorted(unknown)}")
        data = dict(data)
        for key in ("channels", "blocks", "mean", "std"):
            if key in data:
                data[key] = tuple(data[key])
        config = cls(**data)
        config.validate()
        return config


def _conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1, act: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise (maybe strided), 1x1 project."""

    def __init__(self, cin: int, cout: int, stride: int, expansion: int) -> None:
        super().__init__()
        hidden = cin * expansion
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            _conv_bn(cin, hidden, k=1),
            _conv_bn(hidden, hidden, k=3, stride=stride, groups=hidden),
            _conv_bn(hidden, cout, k=1, act=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.body(x)
        return x + out if self.residual else out


class Backbone(nn.Module):
    """Feature maps at strides 4, 8, 16 and 32."""

    def __init__(self, config: DetectorConfig) -> None:
        super().__init__()
        stem, *widths = config.channels
        self.stem = _conv_bn(3, stem, stride=2)
        self.stages = nn.ModuleList()
        cin = stem
        for cout, depth in zip(widths, config.blocks):
            blocks = [InvertedResidual(cin, cout, 2, config.expansion)]
            blocks += [InvertedResidual(cout, cout, 1, config.expansion) for _ in range(depth - 1)]
            self.stages.append(nn.Sequential(*blocks))
            cin = cout

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        features = []
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features


class FPN(nn.Module):
    """Top-down feature pyramid; every level is smoothed and fused at stride 4 (as in DBNet)."""

    def __init__(self, in_channels: list[int], channels: int) -> None:
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, channels, 1, bias=False) for c in in_channels)
        quarter = channels // len(in_channels)
        # Depthwise-separable smoothing keeps the stride-4 level cheap.
        self.smooth = nn.ModuleList(
            nn.Sequential(_conv_bn(channels, channels, groups=channels), _conv_bn(channels, quarter, k=1))
            for _ in in_channels
        )

    def forward(self, features: list[torch.Tensor]) -> torch.Tensor:
        laterals = [conv(f) for conv, f in zip(self.lateral, features)]
        for i in range(len(laterals) - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + F.interpolate(laterals[i], size=laterals[i - 1].shape[-2:])
        size = laterals[0].shape[-2:]
        outs = []
        for i, (smooth, lat) in enumerate(zip(self.smooth, laterals)):
            out = smooth(lat)
            if i:
                out = F.interpolate(out, size=size)
            outs.append(out)
        return torch.cat(outs, dim=1)


class Head(nn.Module):
    """Stride-4 features -> a full-resolution map in [0, 1] (two x2 transposed convolutions)."""

    def __init__(self, cin: int, hidden: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _conv_bn(cin, hidden),
            nn.ConvTranspose2d(hidden, hidden, 2, 2, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(hidden, 1, 2, 2),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.body(x))


class DBNet(nn.Module):
    """Input: (N, 3, H, W) normalised RGB, H and W multiples of 32.

    ``forward`` returns the probability map (N, 1, H, W); ``forward_train`` returns the
    probability, threshold and approximate-binary maps used by the DB loss.
    """

    def __init__(self, config: DetectorConfig | None = None) -> None:
        super().__init__()
        self.config = config or DetectorConfig()
        self.config.validate()
        self.backbone = Backbone(self.config)
        self.fpn = FPN(list(self.config.channels[1:]), self.config.fpn_channels)
        fused = (self.config.fpn_channels // 4) * 4
        self.prob_head = Head(fused, self.config.head_channels)
        self.thresh_head = Head(fused, self.config.head_channels)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.prob_head(self.fpn(self.backbone(x)))

    def forward_train(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        fused = self.fpn(self.backbone(x))
        prob = self.prob_head(fused)
        thresh = self.thresh_head(fused)
        binary = torch.sigmoid(self.config.k * (prob - thresh))
        return {"prob": prob, "thresh": thresh, "binary": binary}


def build_model(config: DetectorConfig | None = None) -> DBNet:
    return DBNet(config)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
