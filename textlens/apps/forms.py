"""Forms (FUNSD): each text segment labelled header, question, answer or other, and questions
linked to their answers (key-value pairs).

``extract_form(image_or_document)`` reads the page (or takes a ``Document``), labels every
line with a small learnt classifier over its text, its place on the page and its neighbours,
joins consecutive lines of one answer, header or other block into one entity, and links each
question to its answer with a learnt ranker over the candidate answers' positions (or to none).
Both models are ``FeatureMLP``s stored in one JSON file (``textlens train form``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from textlens.apps.feature_mlp import FeatureMLP, load_model_file, softmax
from textlens.apps.receipt_candidates import PageContext, PageLine, page_context, text_shape
from textlens.apps.source import document_of
from textlens.document import BBox, Page
from textlens.models.registry import resolve_model

MODEL_FORMAT = "textlens-form-fields"
LABELS = ("header", "question", "answer", "other")
JOINABLE = ("header", "answer", "other")  # labels whose entities often run over several lines


# --------------------------------------------------------------------------- results


@dataclass
class FormEntity:
    id: int
    label: str
    text: str
    confidence: float
    box: BBox
    lines: tuple[int, ...] = ()  # indices into the page's lines, top to bottom

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": [round(v, 1) for v in self.box],
        }


@dataclass
class FormLink:
    question: int  # entity ids
    answer: int
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "confidence": round(self.confidence, 4)}


@dataclass
class Form:
    entities: list[FormEntity]
    links: list[FormLink] = field(default_factory=list)
    source: str | None = None
    page: int = 0

    def pairs(self) -> list[tuple[str, str]]:
        """(question, answer) texts of the links, in reading order."""
        by_id = {e.id: e for e in self.entities}
        return [(by_id[k.question].text, by_id[k.answer].text) for k in self.links]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "page": self.page,
            "entities": [e.to_dict() for e in self.entities],
            "links": [k.to_dict() for k in self.links],
            "pairs": [{"question": q, "answer": a} for q, a in self.pairs()],
        }


# --------------------------------------------------------------------------- line features

_DATE = re.compile(r"\d{1,4}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}|\b(19|20)\d\d\b")


def _row_neighbour(ctx: PageContext, i: int, side: int) -> tuple[int | None, float]:
    """The nearest line on the same row to the left (side -1) or right (+1), and the gap in heights."""
    line, best, best_gap = ctx.lines[i], None, float("inf")
    for j, other in enumerate(ctx.lines):
        if j == i or _v_overlap(line.bbox, other.bbox) < 0.5 * min(line.height, other.height):
            continue
        gap = (other.bbox[0] - line.bbox[2]) if side > 0 else (line.bbox[0] - other.bbox[2])
        if gap > -0.5 * line.height and gap < best_gap:
            best, best_gap = j, gap
    return best, best_gap / max(ctx.median_height, 1.0)


def _column_neighbour(ctx: PageContext, i: int, side: int) -> tuple[int | None, float]:
    """The nearest line above (side -1) or below (+1) that overlaps this one horizontally."""
    line, best, best_gap = ctx.lines[i], None, float("inf")
    for j, other in enumerate(ctx.lines):
        if j == i or min(line.bbox[2], other.bbox[2]) - max(line.bbox[0], other.bbox[0]) <= 0:
            continue
        gap = (other.bbox[1] - line.bbox[3]) if side > 0 else (line.bbox[1] - other.bbox[3])
        if gap > -0.3 * line.height and gap < best_gap:
            best, best_gap = j, gap
    return best, best_gap / max(ctx.median_height, 1.0)


def _v_overlap(a: BBox, b: BBox) -> float:
    return min(a[3], b[3]) - max(a[1], b[1])


def _text_cues(text: str) -> dict[str, float]:
    stripped = text.strip()
    words = stripped.split()
    return {
        **text_shape(stripped),
        "ends_colon": float(stripped.endswith(":")),
        "has_colon": float(":" in stripped),
        "ends_question": float(stripped.endswith("?")),
        "title": sum(w[:1].isupper() for w in words) / max(len(words), 1),
        "all_caps": float(stripped.upper() == stripped and any(c.isalpha() for c in stripped)),
        "date": float(bool(_DATE.search(stripped))),
        "number": float(bool(re.fullmatch(r"[\d\s.,$%()/-]+", stripped))),
        "underscore": float("_" in stripped),
        "checkbox": float(bool(re.match(r"^[\[\(]?\s?[xX✓]?\s?[\]\)]", stripped))),
    }


def line_features(ctx: PageContext, i: int) -> dict[str, float]:
    """What the labeller sees of line ``i``: its text, its place, and the lines around it."""
    line = ctx.lines[i]
    f: dict[str, float] = {"conf": float(np.mean(line.confidences)), "order": i / max(len(ctx.lines) - 1, 1)}
    f.update(_text_cues(line.text))
    f.update(
        {
            "x_left": line.bbox[0] / ctx.width,
            "x_right": line.bbox[2] / ctx.width,
            "y": line.centre_y / ctx.height,
            "width": (line.bbox[2] - line.bbox[0]) / ctx.width,
            "height": min(line.height / ctx.median_height, 4.0),
            "centred": 1.0 - min(abs((line.bbox[0] + line.bbox[2]) / 2 - ctx.width / 2) / (ctx.width / 2), 1.0),
        }
    )
    for name, (j, gap) in (
        ("left", _row_neighbour(ctx, i, -1)),
        ("right", _row_neighbour(ctx, i, 1)),
        ("above", _column_neighbour(ctx, i, -1)),
        ("below", _column_neighbour(ctx, i, 1)),
    ):
        f[f"{name}_exists"] = float(j is not None)
        f[f"{name}_gap"] = min(gap, 10.0) / 5.0 if j is not None else 2.0
        if j is not None:
            cues = _text_cues(ctx.lines[j].text)
            for key in ("ends_colon", "has_colon", "alpha", "digit", "upper", "all_caps", "date", "underscore"):
                f[f"{name}_{key}"] = cues[key]
            f[f"{name}_height"] = min(ctx.lines[j].height / max(line.height, 1.0), 4.0)
    return f


def form_context(page: Page) -> PageContext:
    """The page's lines, with a line that holds a question and its answer ("Date: 9/3/92") cut
    after the first word that ends in a colon (funsd-train held-out entity F1 52.6 -> 55.8)."""
    ctx = page_context(page)
    lines: list[PageLine] = []
    for line in ctx.lines:
        cut = next((k + 1 for k, w in enumerate(line.words[:-1]) if len(w) > 1 and w.endswith(":")), None)
        lines.extend([line] if cut is None else [_part(line, 0, cut), _part(line, cut, len(line.words))])
    return PageContext(lines, ctx.width, ctx.height, ctx.median_height)


def _part(line: PageLine, start: int, end: int) -> PageLine:
    polygons = line.polygons[start:end]
    points = np.array([p for polygon in polygons for p in polygon], dtype=np.float64)
    box = (*points.min(axis=0).tolist(), *points.max(axis=0).tolist())
    words = line.words[start:end]
    return PageLine(" ".join(words), words, polygons, line.confidences[start:end], box)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- entities and links


def join_lines(ctx: PageContext, labels: list[str], probs: np.ndarray) -> list[FormEntity]:
    """Entities: consecutive lines of one answer/header/other block (stacked, overlapping in x,
    about one line apart) joined; every other line an entity of its own."""
    parent = list(range(len(ctx.lines)))
    for i in range(len(ctx.lines)):
        j, gap = _column_neighbour(ctx, i, 1)
        if j is None or labels[i] != labels[j] or labels[i] not in JOINABLE or gap > 0.8:
            continue
        a, b = ctx.lines[i].bbox, ctx.lines[j].bbox
        narrower = min(a[2] - a[0], b[2] - b[0])
        if min(a[2], b[2]) - max(a[0], b[0]) >= 0.5 * narrower and _row_neighbour(ctx, j, -1)[0] is None:
            parent[j] = _root(parent, i)
    groups: dict[int, list[int]] = {}
    for i in range(len(ctx.lines)):
        groups.setdefault(_root(parent, i), []).append(i)
    entities = []
    for members in sorted(groups.values(), key=lambda m: m[0]):
        lines = [ctx.lines[i] for i in members]
        box = (
            min(ln.bbox[0] for ln in lines),
            min(ln.bbox[1] for ln in lines),
            max(ln.bbox[2] for ln in lines),
            max(ln.bbox[3] for ln in lines),
        )
        confidence = float(np.mean([probs[i, LABELS.index(labels[i])] for i in members]))
        text = " ".join(ln.text for ln in lines)
        entities.append(FormEntity(len(entities), labels[members[0]], text, confidence, box, tuple(members)))
    return entities


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


NO_ANSWER = {"no_answer": 1.0}


def link_features(question: FormEntity, answer: FormEntity, height: float, rank: int) -> dict[str, float]:
    """How an answer candidate sits relative to a question (distances in line heights)."""
    q, a = question.box, answer.box
    dx = (a[0] - q[2]) / height
    dy = ((a[1] + a[3]) / 2 - (q[1] + q[3]) / 2) / height
    v_overlap = max(0.0, min(q[3], a[3]) - max(q[1], a[1])) / max(min(q[3] - q[1], a[3] - a[1]), 1.0)
    h_overlap = max(0.0, min(q[2], a[2]) - max(q[0], a[0])) / max(min(q[2] - q[0], a[2] - a[0]), 1.0)
    return {
        "dx": float(np.clip(dx, -20, 40)) / 10,
        "dy": float(np.clip(dy, -20, 40)) / 10,
        "abs_dy": min(abs(dy), 20.0) / 10,
        "left_aligned": float(abs(a[0] - q[0]) < height),
        "v_overlap": v_overlap,
        "h_overlap": h_overlap,
        "right_of": float(dx > -0.5 and v_overlap > 0.5),
        "below": float(dy > 0.5 and h_overlap > 0),
        "above": float(dy < -0.5),
        "rank": min(rank, 10) / 10,
        "nearest": float(rank == 0),
        "question_colon": float(question.text.rstrip().endswith(":")),
        "answer_lines": min(len(answer.lines), 5) / 5,
        "no_answer": 0.0,
    }


def link_candidates(
    question: FormEntity, answers: list[FormEntity], height: float
) -> tuple[list[dict[str, float]], list[FormEntity]]:
    """Feature rows for each answer (nearest first) and, last, the "no answer" option; and the
    answers in that order."""
    order = sorted(answers, key=lambda a: _distance(question.box, a.box))
    rows = [link_features(question, a, height, rank) for rank, a in enumerate(order)]
    return [*rows, dict(NO_ANSWER)], order


def _distance(q: BBox, a: BBox) -> float:
    dx = max(0.0, a[0] - q[2], q[0] - a[2])
    dy = max(0.0, a[1] - q[3], q[1] - a[3])
    return float(np.hypot(dx, dy))


# --------------------------------------------------------------------------- the models


@dataclass(frozen=True)
class FormModel:
    labeller: FeatureMLP
    linker: FeatureMLP
    info: dict[str, Any]


def load_form_model(model: str | Path | None = None) -> FormModel:
    """A form model: a registered name, a .json path, or None for the shipped one."""
    return _load(str(resolve_model(model, "form")))


@lru_cache(maxsize=4)
def _load(path: str) -> FormModel:
    def build(data: dict[str, Any]) -> FormModel:
        labeller, linker = FeatureMLP.from_dict(data["labeller"]), FeatureMLP.from_dict(data["linker"])
        return FormModel(labeller, linker, {k: v for k, v in data.items() if k not in ("labeller", "linker")})

    return load_model_file(path, MODEL_FORMAT, "form", build)


def label_lines(ctx: PageContext, model: FormModel) -> tuple[list[str], np.ndarray]:
    if not ctx.lines:
        return [], np.zeros((0, len(LABELS)), np.float32)
    probs = softmax(model.labeller.scores([line_features(ctx, i) for i in range(len(ctx.lines))]))
    return [LABELS[int(k)] for k in probs.argmax(axis=1)], probs


def link_entities(entities: list[FormEntity], model: FormModel, height: float) -> list[FormLink]:
    answers = [e for e in entities if e.label == "answer"]
    links = []
    for question in (e for e in entities if e.label == "question"):
        if not answers:
            break
        rows, order = link_candidates(question, answers, height)
        probs = softmax(model.linker.scores(rows))
        best = int(np.argmax(probs))
        if best < len(order):
            links.append(FormLink(question.id, order[best].id, float(probs[best])))
    return links


def extract_form_page(page: Page, model: FormModel) -> Form:
    ctx = form_context(page)
    labels, probs = label_lines(ctx, model)
    entities = join_lines(ctx, labels, probs)
    return Form(entities, link_entities(entities, model, ctx.median_height), page=page.index)


def extract_form(source: Any, *, model: str | Path | None = None, pipeline: Any = None) -> list[Form]:
    """Labelled entities and question-answer links for every page of an image, PDF or ``Document``."""
    form_model = load_form_model(model)
    document = document_of(source, pipeline)
    forms = []
    for page in document.pages:
        form = extract_form_page(page, form_model)
        form.source = document.source
        forms.append(form)
    return forms


__all__ = [
    "LABELS",
    "Form",
    "FormEntity",
    "FormLink",
    "draw_form",
    "extract_form",
    "extract_form_page",
    "load_form_model",
]


LABEL_COLOURS = {
    "header": (148, 103, 189),
    "question": (31, 119, 180),
    "answer": (44, 160, 44),
    "other": (127, 127, 127),
}


def draw_form(image: Any, form: Form) -> Any:
    """The page image, faded, with each entity boxed in its label's colour and each link drawn
    from the question to its answer (a PIL image)."""
    from PIL import Image, ImageDraw

    base = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    canvas = Image.blend(base.convert("RGB"), Image.new("RGB", base.size, (255, 255, 255)), 0.4)
    draw = ImageDraw.Draw(canvas)
    width = max(2, round(max(canvas.size) / 700))
    boxes = {e.id: e.box for e in form.entities}
    for entity in form.entities:
        x0, y0, x1, y1 = entity.box
        draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=LABEL_COLOURS[entity.label], width=width)
    for link in form.links:
        q, a = boxes[link.question], boxes[link.answer]
        start, end = (q[2], (q[1] + q[3]) / 2), (a[0], (a[1] + a[3]) / 2)
        draw.line((start, end), fill=(214, 39, 40), width=width)
        draw.ellipse(
            (end[0] - 2 * width, end[1] - 2 * width, end[0] + 2 * width, end[1] + 2 * width), fill=(214, 39, 40)
        )
    return canvas
