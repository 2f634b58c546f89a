"""CRNN-CTC text-line recognizer: a lean conv stack, a BiLSTM and a per-column classifier.

Sized for 2 CPU cores: about 130M multiply-accumulates for a 32x292 line (a third of a
classic 3.5M-parameter CRNN), output stride 4 along the width so even narrow glyphs get
enough CTC frames. The network is a plain ``nn.Module``; training lives in
``textlens.training.recognizer`` and inference in ``textlens.recognition.predictor``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from textlens.errors import TextlensError
from textlens.recognition.charset import DEFAULT_CHARS, SCRIPT_CHARS, Charset
from textlens.recognition.preprocess import INK_MODES


@dataclass
class RecognizerConfig:
    """Architecture and input format; stored in every checkpoint and ONNX file."""

    charset: str = DEFAULT_CHARS
    height: int = 32
    channels: tuple[int, ...] = (16, 32, 64, 96, 128)
    rnn_hidden: int = 112
    rnn_layers: int = 2
    rnn_input: int = 160
    dropout: float = 0.1
    mean: float = 0.5
    std: float = 0.5
    stride: int = 4  # input columns per output frame
    ink: str = "luma"  # how colour becomes grey: "luma", or "contrast" (distance from the background)
    fit_ink: bool = False  # crop inputs to their text band first (glyphs small in a large canvas)
    lengths: tuple[int, ...] = ()  # label lengths a specialised reader emits (CAPTCHA codes); () = any
    script: str = "latin"  # script group it reads (SCRIPT_CHARS); right-to-left ones emit visual order
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if self.height != 32:
            raise TextlensError(f"recognizer height must be 32 (got {self.height})")
        if len(self.channels) != 5:
            raise TextlensError("recognizer needs exactly 5 conv channel widths")
        if self.ink not in INK_MODES:
            raise TextlensError(f"recognizer ink mode must be one of {', '.join(INK_MODES)} (got {self.ink!r})")
        if not self.charset:
            raise TextlensError("recognizer charset is empty")
        if self.script not in SCRIPT_CHARS:
            raise TextlensError(f"recognizer script must be one of {', '.join(SCRIPT_CHARS)} (got {self.script!r})")
        if any(not isinstance(n, int) or n < 1 for n in self.lengths):
            raise TextlensError(f"recognizer label lengths must be positive integers (got {list(self.lengths)})")
        Charset(self.charset)  # checks duplicates

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        data["lengths"] = list(self.lengths)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecognizerConfig:
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise TextlensError(f"unknown recognizer config keys: {sorted(unknown)}")
        data = dict(data)
        for key in ("channels", "lengths"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)


def _conv(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class CRNN(nn.Module):
    """(B, 1, 32, W) grey images -> (B, W/4, num_classes) log-probabilities."""

    def __init__(self, config: RecognizerConfig) -> None:
        super().__init__()
        config.validate()
        self.config = config
        c1, c2, c3, c4, c5 = config.channels
        self.features = nn.Sequential(
            *_conv(1, c1),
            nn.MaxPool2d(2, 2),  # 16 x W/2
            *_conv(c1, c2),
            nn.MaxPool2d(2, 2),  # 8 x W/4
            *_conv(c2, c3),
            *_conv(c3, c4),
            nn.MaxPool2d((2, 1), (2, 1)),  # 4 x W/4
            *_conv(c4, c5),
            nn.MaxPool2d((2, 1), (2, 1)),  # 2 x W/4
        )
        self.project = nn.Sequential(nn.Linear(2 * c5, config.rnn_input), nn.ReLU(inplace=True))
        self.rnn = nn.LSTM(
            config.rnn_input,
            config.rnn_hidden,
            num_layers=config.rnn_layers,
            bidirectional=True,
            batch_first=True,
            dropout=config.dropout if config.rnn_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(2 * config.rnn_hidden, Charset(config.charset).num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        feats = self.features(images)  # B, C, 2, T
        b, c, h, t = feats.shape
        seq = feats.permute(0, 3, 1, 2).reshape(b, t, c * h)
        seq, _ = self.rnn(self.project(seq))
        return self.classifier(self.dropout(seq)).log_softmax(-1)


def output_length(width: int, stride: int = 4) -> int:
    """Number of CTC frames the network emits for an input of ``width`` columns."""
    return max(1, width // stride)
