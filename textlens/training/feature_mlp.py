"""Training the apps' feature perceptrons (``textlens.apps.feature_mlp.FeatureMLP``) with PyTorch.

Two losses: ``listwise_loss`` (candidates of a page compete in a softmax; the right ones should
win) for rankers, cross-entropy for classifiers. Training is full-batch AdamW: the tables are
small (thousands of rows), so an epoch is one step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch

from textlens.apps.feature_mlp import FeatureMLP


class MLPNet(torch.nn.Module):
    def __init__(self, n_features: int, hidden: int, outputs: int = 1) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(n_features, hidden)
        self.out = torch.nn.Linear(hidden, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.out(torch.relu(self.hidden(x)))
        return y.squeeze(-1) if self.out.out_features == 1 else y


def listwise_loss(scores: torch.Tensor, mask: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """-log of the softmax mass on the right candidates, for pages (rows) that have one."""
    neg = torch.finfo(scores.dtype).min / 4
    all_lse = torch.logsumexp(scores.masked_fill(~mask, neg), dim=1)
    pos_lse = torch.logsumexp(scores.masked_fill(~target, neg), dim=1)
    has = target.any(dim=1)
    return (all_lse - pos_lse)[has].mean()


def feature_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[row.get(n, 0.0) for n in names] for row in rows], dtype=np.float32).reshape(len(rows), len(names))


def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-3] = 1.0
    return mean.astype(np.float32), scale.astype(np.float32)


def fit(
    net: MLPNet,
    loss_of: Callable[[MLPNet], torch.Tensor],
    epochs: int,
    lr: float,
    weight_decay: float,
) -> MLPNet:
    optimizer = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_of(net)
        loss.backward()
        optimizer.step()
    return net.eval()


def export(net: MLPNet, names: Sequence[str], mean: np.ndarray, scale: np.ndarray) -> FeatureMLP:
    w2 = net.out.weight.detach().numpy().T.copy()
    b2 = net.out.bias.detach().numpy().copy()
    if w2.shape[1] == 1:
        return FeatureMLP(tuple(names), mean, scale, _w1(net), _b1(net), w2[:, 0].copy(), float(b2[0]))
    return FeatureMLP(tuple(names), mean, scale, _w1(net), _b1(net), w2, b2)


def _w1(net: MLPNet) -> np.ndarray:
    return net.hidden.weight.detach().numpy().T.copy()


def _b1(net: MLPNet) -> np.ndarray:
    return net.hidden.bias.detach().numpy().copy()
