"""Key fields of a receipt: company, date, address and total (SROIE task 3), plus tax and items.

``extract_receipt(image_or_document)`` reads the page (or takes a ``Document`` that ``read``
gave), lists every candidate for each field (``receipt_candidates``) and lets a small learnt
ranker pick one: per field a two-layer perceptron over the candidate's features, trained with
``textlens train fields`` on pages as ``read`` outputs them, and stored as plain JSON (weights
and the feature names), never pickled. Every field keeps the boxes of the words it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from textlens.apps.feature_mlp import FeatureMLP, load_model_file, softmax
from textlens.apps.receipt_candidates import FIELDS, Candidate, candidates
from textlens.apps.source import document_of
from textlens.document import Page, Polygon, polygon_bbox
from textlens.models.registry import resolve_model

MODEL_FORMAT = "textlens-receipt-fields"


# --------------------------------------------------------------------------- results


@dataclass
class ReceiptField:
    """One extracted field: the text as printed, its normalised value, how sure, and where."""

    name: str
    text: str
    confidence: float
    polygons: list[Polygon] = field(default_factory=list)
    value: float | str | None = None  # total/tax: the number; date: ISO 8601 when unambiguous
    currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "confidence": round(self.confidence, 4)}
        if self.value is not None:
            out["value"] = self.value
        if self.currency:
            out["currency"] = self.currency
        out["boxes"] = [[round(v, 1) for v in polygon_bbox(p)] for p in self.polygons]
        return out


@dataclass
class LineItem:
    description: str
    amount: float
    text: str  # the amount as printed
    polygons: list[Polygon] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "amount": self.amount,
            "text": self.text,
            "boxes": [[round(v, 1) for v in polygon_bbox(p)] for p in self.polygons],
        }


@dataclass
class Receipt:
    """The fields found on one receipt page (a missing field is absent from ``fields``)."""

    fields: dict[str, ReceiptField]
    items: list[LineItem] = field(default_factory=list)
    source: str | None = None
    page: int = 0

    def text(self, name: str) -> str:
        found = self.fields.get(name)
        return found.text if found else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "page": self.page,
            "fields": {name: f.to_dict() for name, f in self.fields.items()},
            "items": [item.to_dict() for item in self.items],
        }

    def csv_row(self) -> dict[str, str]:
        row = {"source": self.source or "", "page": str(self.page)}
        for name in (*FIELDS, "tax"):
            found = self.fields.get(name)
            row[name] = found.text if found else ""
            row[f"{name}_confidence"] = f"{found.confidence:.3f}" if found else ""
        date = self.fields.get("date")
        row["date_iso"] = str(date.value) if date and date.value else ""
        total = self.fields.get("total")
        row["currency"] = (total.currency or "") if total else ""
        return row


# --------------------------------------------------------------------------- the ranker


@dataclass(frozen=True)
class FieldsModel:
    scorers: dict[str, FeatureMLP]
    info: dict[str, Any]


def load_fields_model(model: str | Path | None = None) -> FieldsModel:
    """A receipt-fields model: a registered name, a .json path, or None for the shipped one."""
    return _load(str(resolve_model(model, "fields")))


@lru_cache(maxsize=4)
def _load(path: str) -> FieldsModel:
    def build(data: dict[str, Any]) -> FieldsModel:
        scorers = {name: FeatureMLP.from_dict(spec) for name, spec in data["fields"].items()}
        return FieldsModel(scorers, {k: v for k, v in data.items() if k != "fields"})

    return load_model_file(path, MODEL_FORMAT, "receipt-fields", build)


# --------------------------------------------------------------------------- extraction

# OCR slips in the corporate suffix that every Malaysian company name ends with.
_SUFFIX_FIXES = (
    (re.compile(r"\bSDNBHD\b"), "SDN BHD"),
    (re.compile(r"\bS[O0I1L]N(?=\.?\s*B\S?D\b)"), "SDN"),
    (re.compile(r"(?<=\bSDN )(?:B-D|BND|8HD|BH0|B\.D)(?=\W|$)"), "BHD"),
    (re.compile(r"\bS/3\b"), "S/B"),
    (re.compile(r"\)(?=SDN\b|BHD\b|S/B\b)"), ") "),  # "(KL)SDN BHD": the space OCR lost after a bracket
)


# A lone "8" between two words of a name is an "&" that OCR read as a digit ("B 8 BEST RESTAURANT").
_AMPERSAND = re.compile(r"(?<=[A-Za-z]) 8 (?=[A-Za-z])")


def tidy_company(text: str) -> str:
    for pattern, repl in _SUFFIX_FIXES:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", _AMPERSAND.sub(" & ", text)).strip()


# In an address, a lone "8" between two numbers is an "&" too ("NO 2 8 4" for "NO 2 & 4").
_ADDRESS_AMPERSAND = re.compile(r"(?<=\b\d) 8 (?=\d{1,3}\b)|(?<=\b\d\d) 8 (?=\d{1,3}\b)")


# A comma or full stop that OCR set apart from the word it ends ("BALAKONG , 43300").
_SPACED_STOP = re.compile(r"\s+([,.])(?=\s|$)")


def tidy_address(text: str) -> str:
    return re.sub(r"\s+", " ", _SPACED_STOP.sub(r"\1", _ADDRESS_AMPERSAND.sub(" & ", text))).strip()


def tidy(name: str, text: str) -> str:
    """A field's text with the OCR slips its kind is known for put right."""
    if name == "company":
        return tidy_company(text)
    if name == "address":
        return tidy_address(text)
    return text.strip()


def _field(cand: Candidate, confidence: float) -> ReceiptField:
    text = tidy(cand.field, cand.text)
    return ReceiptField(cand.field, text, confidence, list(cand.polygons), cand.value, cand.currency)


def _choose(scorer: FeatureMLP, cands: list[Candidate]) -> ReceiptField | None:
    if not cands:
        return None
    probs = softmax(scorer.scores([c.features for c in cands]))
    best = int(np.argmax(probs))
    return _field(cands[best], float(probs[best]))


def _tax(total: ReceiptField | None, amounts: list[Candidate]) -> ReceiptField | None:
    """The tax amount: the last amount labelled GST/VAT/tax on its row that is below the total."""
    limit = float(total.value) if total and isinstance(total.value, float) else float("inf")
    taxed = [c for c in amounts if c.features.get("left_tax", 0) > 0 and c.features.get("left_total", 0) > 0]
    taxed = taxed or [c for c in amounts if c.features.get("left_tax", 0) > 0]
    taxed = [c for c in taxed if 0 < float(c.value) < limit]  # type: ignore[arg-type]
    return _field(taxed[-1], 0.5) if taxed else None


def _items(page_cands: dict[str, list[Candidate]]) -> list[LineItem]:
    """Rows between the head and the first total-like label whose amount follows a description."""
    amounts = page_cands["total"]
    stop = next((k for k, c in enumerate(amounts) if _is_summary(c)), len(amounts))
    items = []
    for c in amounts[:stop]:
        label = c.context
        if sum(ch.isalpha() for ch in label) >= 3:
            items.append(LineItem(label.strip(), float(c.value), c.text, list(c.polygons)))  # type: ignore[arg-type]
    return items


def _is_summary(c: Candidate) -> bool:
    f = c.features
    return any(f.get(f"left_{g}", 0) > 0 for g in ("total", "sub", "cash", "change", "due", "tax"))


def extract_fields(page: Page, model: FieldsModel) -> Receipt:
    """The receipt fields of one page that ``read`` gave."""
    page_cands = candidates(page)
    found: dict[str, ReceiptField] = {}
    for name in FIELDS:
        scorer = model.scorers.get(name)
        chosen = _choose(scorer, page_cands[name]) if scorer else None
        if chosen is not None:
            found[name] = chosen
    tax = _tax(found.get("total"), page_cands["total"])
    if tax is not None:
        found["tax"] = tax
    return Receipt(found, _items(page_cands), page=page.index)


def extract_receipt(
    source: Any,
    *,
    model: str | Path | None = None,
    pipeline: Any = None,
) -> list[Receipt]:
    """Receipt fields for every page of an image, PDF, array or ``Document`` (one ``Receipt`` per page).

    ``pipeline`` reuses a ``textlens.Pipeline`` (its models stay loaded); ``model`` is a
    receipt-fields model name or .json path (default: the shipped one).
    """
    fields_model = load_fields_model(model)
    document = document_of(source, pipeline)
    receipts = []
    for page in document.pages:
        receipt = extract_fields(page, fields_model)
        receipt.source = document.source
        receipts.append(receipt)
    return receipts


FIELD_COLOURS = {
    "company": (214, 39, 40),
    "date": (31, 119, 180),
    "address": (44, 160, 44),
    "total": (148, 103, 189),
    "tax": (255, 127, 14),
}


def draw_receipt(image: Any, receipt: Receipt) -> Any:
    """The page image, faded, with each field's word boxes in its colour and labelled (a PIL image)."""
    from PIL import Image, ImageDraw

    from textlens.io.overlay import _font

    base = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
    canvas = Image.blend(base.convert("RGB"), Image.new("RGB", base.size, (255, 255, 255)), 0.4)
    draw = ImageDraw.Draw(canvas)
    width = max(2, round(max(canvas.size) / 600))
    font = _font(max(12, round(max(canvas.size) / 70)))
    for name, found in receipt.fields.items():
        colour = FIELD_COLOURS.get(name, (0, 0, 0))
        boxes = [polygon_bbox(p) for p in found.polygons]
        for x0, y0, x1, y1 in boxes:
            draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=colour, width=width)
        if boxes:
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            draw.text(
                (x0, max(0, y0 - getattr(font, "size", 11) - 4)),
                f"{name} {found.confidence:.2f}",
                fill=colour,
                font=font,
            )
    for item in receipt.items:
        for x0, y0, x1, y1 in (polygon_bbox(p) for p in item.polygons):
            draw.rectangle((x0 - 1, y0 - 1, x1 + 1, y1 + 1), outline=(127, 127, 127), width=1)
    return canvas


__all__ = [
    "draw_receipt",
    "LineItem",
    "Receipt",
    "ReceiptField",
    "extract_fields",
    "extract_receipt",
    "load_fields_model",
    "tidy",
    "tidy_address",
    "tidy_company",
]
