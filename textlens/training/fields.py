"""Train the receipt-fields ranker (``textlens train fields``) on pages as ``read`` outputs them.

Every labelled page (a manifest entry with ``"fields"``, as in SROIE) is read once by the real
pipeline (the documents are cached as JSON next to the model), its candidates are listed and
labelled against the ground truth, and per field a small perceptron learns to rank the right
candidate first (a softmax over the page's candidates). The model is written as JSON: feature
names, normalisation, weights, the training config and the held-out scores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rapidfuzz import fuzz

from textlens.apps.feature_mlp import FeatureMLP
from textlens.apps.fields import MODEL_FORMAT, tidy
from textlens.apps.receipt_candidates import FIELDS, Candidate, candidates, parse_amount
from textlens.document import Document
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic
from textlens.training.feature_mlp import MLPNet, export, fit, listwise_loss, standardiser
from textlens.training.read_cache import read_cached
from textlens.training.sources import iter_jsonl


@dataclass
class FieldsTrainConfig:
    """Everything that decides a training run; written into the model file."""

    data: list[str] = field(default_factory=list)  # manifests whose entries carry "fields"
    out: str = "receipt-fields.json"
    cache_dir: str | None = None  # read documents (JSON); default: OUT's folder / documents
    hidden: int = 32
    epochs: int = 400
    lr: float = 0.01
    weight_decay: float = 1e-3
    val_fraction: float = 0.1
    fuzzy: float = 90.0  # company/address: a candidate this similar (rapidfuzz ratio) counts as right
    seed: int = 0
    threads: int = 1


def normalise_field(text: str) -> str:
    """SROIE task-3 comparison: whitespace collapsed, case ignored."""
    return re.sub(r"\s+", " ", text).strip().upper()


def field_correct(name: str, predicted: str, truth: str) -> bool:
    return normalise_field(predicted) == normalise_field(truth)


# --------------------------------------------------------------------------- pages


@dataclass
class LabelledPage:
    image: str
    truth: dict[str, str]
    document: Document


def labelled_entries(manifests: list[str]) -> list[tuple[str, dict[str, str]]]:
    entries = []
    for manifest in manifests:
        path = Path(manifest).expanduser()
        path = path / "manifest.jsonl" if path.is_dir() else path
        if not path.is_file():
            raise TextlensError(f"{path}: no such manifest")
        if "sroie-test" in str(path):
            raise TextlensError(f"{path}: sroie-test is the benchmark; never train on it")
        for where, entry in iter_jsonl(path, 'each line needs an "image" and "fields"'):
            truth = entry.get("fields")
            if not isinstance(truth, dict):
                continue
            if not all(isinstance(truth.get(k, ""), str) for k in FIELDS):
                raise TextlensError(f"{where}: every field must be a string")
            image = Path(str(entry["image"]))
            entries.append((str(image if image.is_absolute() else path.parent / image), truth))
    if not entries:
        raise TextlensError('no labelled receipts: the manifests need entries with "fields"')
    return entries


def read_documents(
    entries: list[tuple[str, dict[str, str]]], cache: Path, threads: int, log: Callable[[str], None]
) -> list[LabelledPage]:
    """Each page as ``read`` outputs it, read once and cached as JSON."""
    documents = read_cached([image for image, _ in entries], cache, threads, log)
    return [LabelledPage(image, truth, doc) for (image, truth), doc in zip(entries, documents)]


# --------------------------------------------------------------------------- labels and tensors


def is_answer(name: str, cand: Candidate, truth: str, fuzzy: float) -> bool:
    if not truth.strip():
        return False
    if name == "total":
        value = parse_amount(re.sub(r"[^\d.,-]", "", truth))
        return value is not None and cand.value is not None and abs(float(cand.value) - value) < 1e-6
    if name == "date":
        return re.sub(r"\s", "", cand.text).upper() == re.sub(r"\s", "", truth).upper()
    a, b = normalise_field(tidy(name, cand.text)), normalise_field(truth)
    return a == b or fuzz.ratio(a, b) >= fuzzy


def answer_labels(name: str, cands: list[Candidate], truth: str, fuzzy: float) -> list[bool]:
    """Which candidates are right: the exact text where one matches, else the looser match."""
    exact = [field_correct(name, tidy(name, c.text), truth) for c in cands]
    return exact if any(exact) else [is_answer(name, c, truth, fuzzy) for c in cands]


@dataclass
class FieldData:
    names: tuple[str, ...]
    x: np.ndarray  # (pages, max candidates, features)
    mask: np.ndarray  # (pages, max candidates): a real candidate
    target: np.ndarray  # (pages, max candidates): a right answer


def field_tensors(pages_cands: list[list[Candidate]], labels: list[list[bool]], names: tuple[str, ...]) -> FieldData:
    width = max((len(c) for c in pages_cands), default=1) or 1
    x = np.zeros((len(pages_cands), width, len(names)), dtype=np.float32)
    mask = np.zeros((len(pages_cands), width), dtype=bool)
    target = np.zeros_like(mask)
    for p, (cands, labs) in enumerate(zip(pages_cands, labels)):
        for c, (cand, lab) in enumerate(zip(cands, labs)):
            x[p, c] = [cand.features.get(n, 0.0) for n in names]
            mask[p, c], target[p, c] = True, lab
    return FieldData(names, x, mask, target)


# --------------------------------------------------------------------------- training


def train_scorer(data: FieldData, config: FieldsTrainConfig) -> FeatureMLP:
    mean, scale = standardiser(data.x[data.mask])
    torch.manual_seed(config.seed)
    x = torch.from_numpy((data.x - mean) / scale)
    mask, target = torch.from_numpy(data.mask), torch.from_numpy(data.target)
    net = MLPNet(len(data.names), config.hidden)
    fit(net, lambda n: listwise_loss(n(x), mask, target), config.epochs, config.lr, config.weight_decay)
    return export(net, data.names, mean, scale)


def accuracy(scorer: FeatureMLP, name: str, pages: list[list[Candidate]], truths: list[str]) -> float:
    """Share of pages whose chosen candidate equals the truth under the SROIE comparison."""
    right = 0
    for cands, truth in zip(pages, truths):
        if cands:
            best = cands[int(np.argmax(scorer.scores([c.features for c in cands])))]
            right += field_correct(name, tidy(name, best.text), truth)
    return right / max(len(pages), 1)


def _reachable(name: str, cands: list[Candidate], truth: str) -> bool:
    """Whether some candidate is exactly right (the most any ranker could get on this page)."""
    return any(field_correct(name, tidy(name, c.text), truth) for c in cands)


def split_indices(n: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    order = np.random.default_rng(seed).permutation(n)
    n_val = int(round(n * fraction)) if fraction > 0 else 0
    return sorted(order[n_val:].tolist()), sorted(order[:n_val].tolist())


def train_fields(config: FieldsTrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, write the model JSON to ``config.out`` and return its summary."""
    torch.set_num_threads(max(1, config.threads))
    out = Path(config.out)
    cache = Path(config.cache_dir) if config.cache_dir else out.parent / "documents"
    pages = read_documents(labelled_entries(config.data), cache, config.threads, log)
    all_cands = [candidates(p.document.pages[0]) if p.document.pages else {f: [] for f in FIELDS} for p in pages]
    train_idx, val_idx = split_indices(len(pages), config.val_fraction, config.seed)
    log(f"{len(train_idx)} training pages, {len(val_idx)} held out")
    fields_out, metrics = {}, {}
    for name in FIELDS:
        per_page = [c[name] for c in all_cands]
        truths = [p.truth.get(name, "") for p in pages]
        labels = [answer_labels(name, cands, t, config.fuzzy) for cands, t in zip(per_page, truths)]
        names = tuple(sorted({k for cands in per_page for c in cands for k in c.features}))
        data = field_tensors([per_page[i] for i in train_idx], [labels[i] for i in train_idx], names)
        scorer = train_scorer(data, config)
        fields_out[name] = scorer.to_dict()
        reachable = sum(_reachable(name, per_page[i], truths[i]) for i in val_idx) / max(len(val_idx), 1)
        metrics[name] = {
            "train_accuracy": round(
                accuracy(scorer, name, [per_page[i] for i in train_idx], [truths[i] for i in train_idx]), 4
            ),
            "val_accuracy": round(
                accuracy(scorer, name, [per_page[i] for i in val_idx], [truths[i] for i in val_idx]), 4
            ),
            "val_reachable": round(reachable, 4),
        }
        log(f"{name}: {metrics[name]}")
    model = {
        "format": MODEL_FORMAT,
        "version": 1,
        "config": asdict(config),
        "pages": {"train": len(train_idx), "val": len(val_idx)},
        "metrics": metrics,
        "fields": fields_out,
    }
    write_atomic(out, json.dumps(model))
    return {"model": str(out), "pages": model["pages"], "metrics": metrics}
