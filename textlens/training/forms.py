"""Train the form labeller and linker (``textlens train form``) on FUNSD-style pages as ``read``
outputs them, and score forms end to end (entities and question-answer links).

Each labelled page (``words_and_labels.jsonl``: ``segments_with_labels`` with quads, labels and
links) is read once by the pipeline (cached). Every line that ``read`` found takes the label of
the segment that covers most of it (``other`` when none does); the labeller learns those labels.
The linker learns, for each question, which answer (or none) the segments' links name, over
entities joined from the assigned labels. Held out: a seeded 10% of the pages, never trained on;
the model file records their scores.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from textlens.apps.forms import (
    LABELS,
    MODEL_FORMAT,
    Form,
    FormModel,
    extract_form_page,
    form_context,
    join_lines,
    line_features,
    link_candidates,
)
from textlens.apps.receipt_candidates import PageContext
from textlens.document import BBox, Document
from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic
from textlens.training.feature_mlp import MLPNet, export, feature_matrix, fit, listwise_loss, standardiser
from textlens.training.fields import split_indices
from textlens.training.read_cache import read_cached
from textlens.training.sources import iter_jsonl


@dataclass
class FormTrainConfig:
    """Everything that decides a training run; written into the model file."""

    data: list[str] = field(default_factory=list)  # words_and_labels.jsonl files (or their folders)
    out: str = "form-fields.json"
    cache_dir: str | None = None  # read documents (JSON); default: OUT's folder / documents
    hidden: int = 16
    epochs: int = 200
    lr: float = 0.01
    weight_decay: float = 0.05
    val_fraction: float = 0.1
    iou: float = 0.5  # an entity found counts when it covers a labelled one this well, same label
    seed: int = 0
    threads: int = 1


@dataclass(frozen=True)
class Segment:
    id: int
    label: str
    box: BBox
    text: str


@dataclass
class FormPage:
    image: str
    segments: list[Segment]
    links: set[tuple[int, int]]  # (question id, answer id)
    document: Document | None = None


# --------------------------------------------------------------------------- data


def load_form_pages(paths: list[str]) -> list[FormPage]:
    pages = []
    for spec in paths:
        path = Path(spec).expanduser()
        path = path / "words_and_labels.jsonl" if path.is_dir() else path
        if not path.is_file():
            raise TextlensError(f"{path}: no such file (give FUNSD-style words_and_labels.jsonl)")
        for where, entry in iter_jsonl(path, 'each line needs "image" and "segments_with_labels"'):
            raw = entry.get("segments_with_labels")
            if not isinstance(raw, list):
                raise TextlensError(f'{where}: no "segments_with_labels"')
            segments, by_id = [], {}
            for seg in raw:
                quad = np.asarray(seg.get("quad", []), dtype=np.float64).reshape(-1, 2)
                if seg.get("label") not in LABELS or len(quad) < 2:
                    raise TextlensError(f"{where}: each segment needs a quad and a label among {', '.join(LABELS)}")
                segment = Segment(int(seg["id"]), seg["label"], (*quad.min(0), *quad.max(0)), str(seg.get("text", "")))
                segments.append(segment)
                by_id[segment.id] = segment
            links = set()
            for seg in raw:
                for a, b in seg.get("linking", []):
                    if a in by_id and b in by_id:
                        pair = _question_answer(by_id[a], by_id[b])
                        if pair:
                            links.add(pair)
            image = Path(str(entry["image"]))
            pages.append(FormPage(str(image if image.is_absolute() else path.parent / image), segments, links))
    if not pages:
        raise TextlensError("no labelled form pages found")
    return pages


def _question_answer(a: Segment, b: Segment) -> tuple[int, int] | None:
    if a.label == "question" and b.label == "answer":
        return a.id, b.id
    if b.label == "question" and a.label == "answer":
        return b.id, a.id
    return None


def _overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _area(a: BBox) -> float:
    return max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1])


def iou(a: BBox, b: BBox) -> float:
    inter = _overlap(a, b)
    return inter / max(_area(a) + _area(b) - inter, 1e-9)


def assign_segments(ctx: PageContext, segments: list[Segment]) -> list[Segment | None]:
    """For each line, the labelled segment covering most of it (at least half), else None."""
    out: list[Segment | None] = []
    for line in ctx.lines:
        best, best_share = None, 0.5
        for seg in segments:
            share = _overlap(line.bbox, seg.box) / max(_area(line.bbox), 1e-9)
            if share >= best_share:
                best, best_share = seg, share
        out.append(best)
    return out


# --------------------------------------------------------------------------- scoring


def match(pred: list[tuple[str, BBox]], truth: list[tuple[str, BBox]], threshold: float) -> list[tuple[int, int]]:
    """One-to-one (pred index, truth index) pairs of the same label with IoU >= threshold, best first."""
    pairs = sorted(
        ((iou(p[1], t[1]), i, j) for i, p in enumerate(pred) for j, t in enumerate(truth) if p[0] == t[0]),
        reverse=True,
    )
    used_p, used_t, out = set(), set(), []
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


@dataclass
class FormCounts:
    entities: Counter = field(default_factory=Counter)  # tp / pred / gt, overall and per label
    links: Counter = field(default_factory=Counter)

    def add(self, form: Form, page: FormPage, threshold: float) -> None:
        truth = [s for s in page.segments if s.text.strip()]
        pairs = match([(e.label, e.box) for e in form.entities], [(s.label, s.box) for s in truth], threshold)
        self.entities.update(pred=len(form.entities), gt=len(truth), tp=len(pairs))
        for e in form.entities:
            self.entities[f"pred_{e.label}"] += 1
        for s in truth:
            self.entities[f"gt_{s.label}"] += 1
        for i, _ in pairs:
            self.entities[f"tp_{form.entities[i].label}"] += 1
        found = {form.entities[i].id: truth[j].id for i, j in pairs}
        wanted = {(q, a) for q, a in page.links if any(s.id == q for s in truth) and any(s.id == a for s in truth)}
        got = {(found.get(k.question), found.get(k.answer)) for k in form.links}
        self.links.update(pred=len(form.links), gt=len(wanted), tp=len(got & wanted))

    def report(self) -> dict[str, Any]:
        out = {"entity_f1": _f1(self.entities, ""), "link_f1": _f1(self.links, "")}
        out["entity_f1_per_label"] = {label: _f1(self.entities, f"_{label}") for label in LABELS}
        out["entities"] = {k: self.entities[k] for k in ("tp", "pred", "gt")}
        out["links"] = {k: self.links[k] for k in ("tp", "pred", "gt")}
        return out


def _f1(counts: Counter, suffix: str) -> float:
    tp, pred, gt = counts[f"tp{suffix}"], counts[f"pred{suffix}"], counts[f"gt{suffix}"]
    return round(100 * 2 * tp / max(pred + gt, 1), 2)


# --------------------------------------------------------------------------- training


def _labeller(ctxs: list[PageContext], assigned: list[list[Segment | None]], config: FormTrainConfig) -> Any:
    rows = [line_features(ctx, i) for ctx in ctxs for i in range(len(ctx.lines))]
    labels = [LABELS.index(s.label) if s else LABELS.index("other") for page in assigned for s in page]
    names = tuple(sorted({k for row in rows for k in row}))
    x = feature_matrix(rows, names)
    mean, scale = standardiser(x)
    xt, yt = torch.from_numpy((x - mean) / scale), torch.tensor(labels)
    torch.manual_seed(config.seed)
    net = MLPNet(len(names), config.hidden, len(LABELS))
    loss = torch.nn.CrossEntropyLoss()
    fit(net, lambda n: loss(n(xt), yt), config.epochs, config.lr, config.weight_decay)
    return export(net, names, mean, scale)


def _link_tables(ctxs, assigned, pages: list[FormPage]) -> tuple[list[list[dict[str, float]]], list[list[bool]]]:
    """Per question entity (entities joined from the assigned labels): candidate rows and which are right."""
    tables, targets = [], []
    for ctx, segs, page in zip(ctxs, assigned, pages):
        labels = [s.label if s else "other" for s in segs]
        entities = join_lines(ctx, labels, np.ones((len(labels), len(LABELS)), np.float32))
        owner = {e.id: _majority([segs[i] for i in e.lines]) for e in entities}
        answers = [e for e in entities if e.label == "answer"]
        for question in (e for e in entities if e.label == "question"):
            if not answers or owner[question.id] is None:
                continue
            rows, order = link_candidates(question, answers, ctx.median_height)
            right = [(owner[question.id], owner[a.id]) in page.links for a in order]
            tables.append(rows)
            targets.append([*right, not any(right)])
    return tables, targets


def _majority(segs: list[Segment | None]) -> int | None:
    ids = [s.id for s in segs if s is not None]
    return Counter(ids).most_common(1)[0][0] if ids else None


def _linker(tables: list[list[dict[str, float]]], targets: list[list[bool]], config: FormTrainConfig) -> Any:
    names = tuple(sorted({k for rows in tables for row in rows for k in row}))
    width = max(len(rows) for rows in tables)
    x = np.zeros((len(tables), width, len(names)), np.float32)
    mask = np.zeros((len(tables), width), bool)
    target = np.zeros_like(mask)
    for t, (rows, right) in enumerate(zip(tables, targets)):
        x[t, : len(rows)] = feature_matrix(rows, names)
        mask[t, : len(rows)] = True
        target[t, : len(right)] = right
    mean, scale = standardiser(x[mask])
    xt = torch.from_numpy((x - mean) / scale)
    torch.manual_seed(config.seed)
    net = MLPNet(len(names), max(8, config.hidden // 2))
    mt, tt = torch.from_numpy(mask), torch.from_numpy(target)
    fit(net, lambda n: listwise_loss(n(xt), mt, tt), config.epochs, config.lr, config.weight_decay)
    return export(net, names, mean, scale)


def train_form(config: FormTrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, write the model JSON to ``config.out`` and return its summary (held-out scores)."""
    torch.set_num_threads(max(1, config.threads))
    out = Path(config.out)
    pages = load_form_pages(config.data)
    cache = Path(config.cache_dir) if config.cache_dir else out.parent / "documents"
    for page, document in zip(pages, read_cached([p.image for p in pages], cache, config.threads, log)):
        page.document = document
    ctxs = [form_context(p.document.pages[0]) for p in pages]  # type: ignore[union-attr]
    assigned = [assign_segments(ctx, p.segments) for ctx, p in zip(ctxs, pages)]
    train, val = split_indices(len(pages), config.val_fraction, config.seed)
    log(f"{len(train)} training pages, {len(val)} held out")
    labeller = _labeller([ctxs[i] for i in train], [assigned[i] for i in train], config)
    tables, targets = _link_tables([ctxs[i] for i in train], [assigned[i] for i in train], [pages[i] for i in train])
    linker = _linker(tables, targets, config)
    model = FormModel(labeller, linker, {})
    scores = {}
    for name, idx in (("train", train), ("val", val)):
        counts = FormCounts()
        for i in idx:
            counts.add(extract_form_page(pages[i].document.pages[0], model), pages[i], config.iou)  # type: ignore[union-attr]
        scores[name] = counts.report()
        log(f"{name}: entity F1 {scores[name]['entity_f1']}, link F1 {scores[name]['link_f1']}")
    data = {
        "format": MODEL_FORMAT,
        "version": 1,
        "labels": list(LABELS),
        "config": asdict(config),
        "pages": {"train": len(train), "val": len(val), "val_images": [Path(pages[i].image).name for i in val]},
        "metrics": scores,
        "labeller": labeller.to_dict(),
        "linker": linker.to_dict(),
    }
    write_atomic(out, json.dumps(data))
    return {"model": str(out), "pages": data["pages"], "metrics": scores}
