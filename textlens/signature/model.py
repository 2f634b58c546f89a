"""The signature embedding network: a small CNN whose unit-length output puts a writer's genuine
signatures close together and forgeries of them apart (trained in ``textlens.training.signatures``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from textlens.signature.preprocess import HEIGHT, WIDTH


@dataclass
class SignatureConfig:
    height: int = HEIGHT
    width: int = WIDTH
    channels: tuple[int, ...] = (16, 32, 64, 96, 128)  # the stem (5x5, stride 2), then a block each
    embedding: int = 128
    dropout: float = 0.2
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignatureConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "channels" in known:
            known["channels"] = tuple(known["channels"])
        return cls(**known)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SignatureNet(nn.Module):
    """(N, 1, H, W) ink images -> (N, embedding) unit vectors."""

    def __init__(self, config: SignatureConfig | None = None) -> None:
        super().__init__()
        self.config = config or SignatureConfig()
        stem, *rest = self.config.channels
        layers: list[nn.Module] = [nn.Conv2d(1, stem, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(stem)]
        layers.append(nn.ReLU(inplace=True))
        for cin, cout in zip([stem, *rest[:-1]], rest):
            layers += [_block(cin, cout), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        widths = [stem, *rest]
        self.dropout = nn.Dropout(self.config.dropout)
        self.head = nn.Linear(widths[-1] * 2, self.config.embedding)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        maps = self.features(images)
        pooled = torch.cat([maps.mean(dim=(2, 3)), maps.amax(dim=(2, 3))], dim=1)
        return F.normalize(self.head(self.dropout(pooled)), dim=1)
