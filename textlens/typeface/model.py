"""The font-identification network: a small CNN over a text line of any width, pooled over the
whole line, with two heads: the font class and the generic kind (trained in ``textlens.training.fonts``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

HEIGHT = 48  # line height the network sees (serifs and stroke contrast need more than the recognizer's 32)


@dataclass
class FontNetConfig:
    height: int = HEIGHT
    channels: tuple[int, ...] = (24, 48, 96, 160, 224)  # the stem (5x5, stride 2), then a block each
    classes: list[dict[str, Any]] = field(default_factory=list)  # FontClass.to_dict() per output
    kinds: tuple[str, ...] = ("serif", "sans", "mono", "script", "display")
    dropout: float = 0.2

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"], data["kinds"] = list(self.channels), list(self.kinds)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FontNetConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("channels", "kinds"):
            if key in known:
                known[key] = tuple(known[key])
        return cls(**known)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class FontNet(nn.Module):
    """(N, 1, H, W) lines, ink bright on 0 -> (class logits (N, C), kind logits (N, K))."""

    def __init__(self, config: FontNetConfig) -> None:
        super().__init__()
        if not config.classes:
            raise ValueError("FontNetConfig.classes is empty: nothing to identify")
        self.config = config
        stem, *rest = config.channels
        layers: list[nn.Module] = [nn.Conv2d(1, stem, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(stem)]
        layers.append(nn.ReLU(inplace=True))
        for i, (cin, cout) in enumerate(zip([stem, *rest[:-1]], rest)):
            layers.append(_block(cin, cout))
            if i == 1:
                layers.append(_block(cout, cout))  # a second block where letters are a few units wide
            if i < len(rest) - 1:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        width = 2 * config.channels[-1]
        self.dropout = nn.Dropout(config.dropout)
        self.font_head = nn.Linear(width, len(config.classes))
        self.kind_head = nn.Linear(width, len(config.kinds))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        maps = self.features(images)
        pooled = self.dropout(torch.cat([maps.mean(dim=(2, 3)), maps.amax(dim=(2, 3))], dim=1))
        return self.font_head(pooled), self.kind_head(pooled)
