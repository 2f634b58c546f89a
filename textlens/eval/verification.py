"""Verification metrics: equal error rate and ROC points from genuine and impostor scores (lower = more alike)."""

from __future__ import annotations

import numpy as np


def roc_points(genuine: np.ndarray, impostor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, false acceptance rates, false rejection rates): a query is accepted when its
    score is at most the threshold; every distinct score is tried."""
    genuine, impostor = np.sort(np.asarray(genuine, float)), np.sort(np.asarray(impostor, float))
    if genuine.size == 0 or impostor.size == 0:
        raise ValueError("need at least one genuine and one impostor score")
    thresholds = np.unique(np.concatenate([[-np.inf], genuine, impostor]))
    far = np.searchsorted(impostor, thresholds, side="right") / impostor.size
    frr = 1.0 - np.searchsorted(genuine, thresholds, side="right") / genuine.size
    return thresholds, far, frr


def equal_error_rate(genuine: np.ndarray, impostor: np.ndarray) -> tuple[float, float]:
    """(EER, threshold): the rate where false acceptances and false rejections meet (their mean at
    the threshold where they are closest), and that threshold."""
    thresholds, far, frr = roc_points(genuine, impostor)
    best = int(np.argmin(np.abs(far - frr)))
    threshold = thresholds[best] if np.isfinite(thresholds[best]) else float(np.min(genuine)) - 1e-6
    return float((far[best] + frr[best]) / 2), float(threshold)


def protocol_scores(
    embeddings: np.ndarray, writers: list[str], genuine: list[bool], names: list[str], references: int, score
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(genuine, skilled, random) scores of the verification protocol: for each writer with more than
    ``references`` genuine signatures, the first ``references`` (by name) are the references; their
    other genuine signatures, the skilled forgeries of them, and two genuine signatures of every
    other writer (random forgeries) are the queries. ``score(query, refs) -> float``."""
    by_writer: dict[str, list[int]] = {}
    for i, writer in enumerate(writers):
        by_writer.setdefault(writer, []).append(i)
    real_of = {w: sorted((i for i in idx if genuine[i]), key=lambda i: names[i]) for w, idx in by_writer.items()}
    same, skilled, random = [], [], []
    for writer, indices in by_writer.items():
        real = real_of[writer]
        if len(real) <= references:
            continue
        refs = embeddings[real[:references]]
        same += [score(embeddings[i], refs) for i in real[references:]]
        skilled += [score(embeddings[i], refs) for i in indices if not genuine[i]]
        for other in by_writer:
            if other != writer:
                random += [score(embeddings[i], refs) for i in real_of[other][:2]]
    return np.array(same), np.array(skilled), np.array(random)
