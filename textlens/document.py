"""The document object model: Document > Page > Block > Line > Word (> Char).

Geometry convention, used by every stage of textlens:

* coordinates are pixels of the *original* page image (after EXIF orientation, before
  any rotation textlens applies internally), origin at the top-left corner, x to the
  right, y down;
* a polygon is a list of ``(x, y)`` points, clockwise (on screen) starting from the
  top-left point of the text as it reads; axis-aligned boxes derive from it.

Every element round-trips losslessly through ``to_dict()`` / ``from_dict()``; the JSON
layout is exactly those dicts (see ``docs/json-format.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

Point = tuple[float, float]
Polygon = list[Point]
BBox = tuple[float, float, float, float]

JSON_SCHEMA_VERSION = 1


def polygon_bbox(polygon: Polygon) -> BBox:
    """Axis-aligned ``(x0, y0, x1, y1)`` of a polygon."""
    if not polygon:
        return (0.0, 0.0, 0.0, 0.0)
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    return (min(xs), min(ys), max(xs), max(ys))


def pixel_box(polygon: Polygon) -> tuple[int, int, int, int]:
    """The smallest whole-pixel box ``(x0, y0, x1, y1)`` holding a polygon."""
    x0, y0, x1, y1 = polygon_bbox(polygon)
    return math.floor(x0), math.floor(y0), math.ceil(x1), math.ceil(y1)


def bbox_polygon(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """The clockwise 4-point polygon of an axis-aligned box."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def union_polygon(polygons: list[Polygon]) -> Polygon:
    """Axis-aligned box around several polygons (used for lines and blocks)."""
    points = [p for poly in polygons for p in poly]
    return bbox_polygon(*polygon_bbox(points)) if points else []


def _poly_to_list(polygon: Polygon) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in polygon]


def _poly_from_list(data: list[list[float]] | None) -> Polygon:
    return [(float(x), float(y)) for x, y in (data or [])]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass
class Char:
    """One recognised character (optional detail below a word)."""

    text: str
    confidence: float
    polygon: Polygon = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "confidence": self.confidence, "polygon": _poly_to_list(self.polygon)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Char:
        return cls(data["text"], float(data["confidence"]), _poly_from_list(data.get("polygon")))


@dataclass
class Word:
    """A run of characters without spaces, with its polygon and confidence in [0, 1]."""

    text: str
    confidence: float
    polygon: Polygon
    chars: list[Char] = field(default_factory=list)

    @property
    def bbox(self) -> BBox:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "confidence": self.confidence,
            "polygon": _poly_to_list(self.polygon),
        }
        if self.chars:
            data["chars"] = [c.to_dict() for c in self.chars]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            text=data["text"],
            confidence=float(data["confidence"]),
            polygon=_poly_from_list(data.get("polygon")),
            chars=[Char.from_dict(c) for c in data.get("chars", [])],
        )


@dataclass
class Line:
    """Words on one baseline, in reading order."""

    words: list[Word]
    polygon: Polygon = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.polygon and self.words:
            self.polygon = union_polygon([w.polygon for w in self.words])

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        return _mean([w.confidence for w in self.words])

    @property
    def bbox(self) -> BBox:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        return {"polygon": _poly_to_list(self.polygon), "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Line:
        return cls(
            words=[Word.from_dict(w) for w in data.get("words", [])],
            polygon=_poly_from_list(data.get("polygon")),
        )


# What a block is on its page (``Block.kind``); PAGE XML, hOCR and ALTO carry what they can of it.
BLOCK_KINDS = (
    "paragraph", "heading", "list", "table", "caption", "header", "footer", "page-number", "footnote", "other",
)  # fmt: skip


@dataclass
class Cell:
    """A table cell: its row and column (0-based, reading order), its spans, and which of its
    block's lines it holds (indices into ``Block.lines``)."""

    row: int
    column: int
    lines: list[int]
    row_span: int = 1
    column_span: int = 1

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "column": self.column, "lines": list(self.lines)}
        if self.row_span != 1:
            data["row_span"] = self.row_span
        if self.column_span != 1:
            data["column_span"] = self.column_span
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cell:
        return cls(
            row=int(data["row"]),
            column=int(data["column"]),
            lines=[int(i) for i in data.get("lines", [])],
            row_span=int(data.get("row_span", 1)),
            column_span=int(data.get("column_span", 1)),
        )


@dataclass
class Block:
    """A group of lines read together, and what it is (``kind``: one of ``BLOCK_KINDS``); a table
    holds its ``cells``, each pointing at its lines."""

    lines: list[Line]
    polygon: Polygon = field(default_factory=list)
    kind: str = "paragraph"
    cells: list[Cell] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.polygon and self.lines:
            self.polygon = union_polygon([ln.polygon for ln in self.lines])

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for ln in self.lines for w in ln.words]

    @property
    def confidence(self) -> float:
        return _mean([w.confidence for w in self.words])

    @property
    def bbox(self) -> BBox:
        return polygon_bbox(self.polygon)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "polygon": _poly_to_list(self.polygon)}
        data["lines"] = [ln.to_dict() for ln in self.lines]
        if self.cells:
            data["cells"] = [cell.to_dict() for cell in self.cells]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(
            lines=[Line.from_dict(ln) for ln in data.get("lines", [])],
            polygon=_poly_from_list(data.get("polygon")),
            kind=str(data.get("kind", "paragraph")),
            cells=[Cell.from_dict(c) for c in data.get("cells", [])],
        )


@dataclass
class Page:
    """One page (or image) and its text.

    ``orientation`` is the clockwise rotation in degrees (0/90/180/270) that textlens found
    the page content to be turned by, and ``skew`` the small residual angle in degrees;
    polygons are still in the coordinates of the image as given.
    """

    width: int
    height: int
    blocks: list[Block] = field(default_factory=list)
    index: int = 0
    orientation: int = 0
    skew: float = 0.0
    language: str | None = None
    dpi: float | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.lines)

    @property
    def lines(self) -> list[Line]:
        return [ln for b in self.blocks for ln in b.lines]

    @property
    def words(self) -> list[Word]:
        return [w for b in self.blocks for w in b.words]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "width": self.width,
            "height": self.height,
            "orientation": self.orientation,
            "skew": self.skew,
            "language": self.language,
            "dpi": self.dpi,
            "blocks": [b.to_dict() for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            blocks=[Block.from_dict(b) for b in data.get("blocks", [])],
            index=int(data.get("index", 0)),
            orientation=int(data.get("orientation", 0)),
            skew=float(data.get("skew", 0.0)),
            language=data.get("language"),
            dpi=data.get("dpi"),
        )


def scale_page(page: Page, width: int, height: int) -> Page:
    """``page`` read from a reduced image, in the coordinates of the ``width`` x ``height`` original
    (every polygon scaled in place; the page itself is returned)."""
    sx, sy = width / max(page.width, 1), height / max(page.height, 1)

    def scaled(polygon: Polygon) -> Polygon:
        return [(x * sx, y * sy) for x, y in polygon]

    for block in page.blocks:
        block.polygon = scaled(block.polygon)
        for line in block.lines:
            line.polygon = scaled(line.polygon)
            for word in line.words:
                word.polygon = scaled(word.polygon)
                for char in word.chars:
                    char.polygon = scaled(char.polygon)
    page.width, page.height = width, height
    if page.dpi:
        page.dpi = page.dpi * sx
    return page


@dataclass
class ModelInfo:
    """Which model produced a result: name, kind (detector/recognizer/...) and weights hash."""

    name: str
    kind: str
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelInfo:
        return cls(data["name"], data["kind"], data.get("sha256", ""))


@dataclass
class Provenance:
    """How a Document was made: textlens version, models and seconds spent per stage."""

    textlens_version: str = ""
    models: list[ModelInfo] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.textlens_version:
            from textlens import __version__

            self.textlens_version = __version__

    def add_time(self, stage: str, seconds: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "textlens_version": self.textlens_version,
            "models": [m.to_dict() for m in self.models],
            "timings": dict(self.timings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            textlens_version=data.get("textlens_version", ""),
            models=[ModelInfo.from_dict(m) for m in data.get("models", [])],
            timings={k: float(v) for k, v in data.get("timings", {}).items()},
        )


@dataclass
class Document:
    """The result of reading one input (an image, a multi-page TIFF or a PDF)."""

    pages: list[Page] = field(default_factory=list)
    source: str | None = None
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)

    def save_overlay(self, page_images: Any, path: str) -> list[Any]:
        """Draw boxes and text over the page images; one PNG per page (or one PDF/TIFF)."""
        from textlens.io.overlay import save_overlay

        return save_overlay(self, page_images, path)

    def show(self, page_images: Any, page: int = 0) -> Any:
        """The overlay of one page as a PIL image (displays inline in notebooks)."""
        from textlens.io.overlay import show

        return show(self, page_images, page)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "source": self.source,
            "provenance": self.provenance.to_dict(),
            "pages": [p.to_dict() for p in self.pages],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            pages=[Page.from_dict(p) for p in data.get("pages", [])],
            source=data.get("source"),
            provenance=Provenance.from_dict(data.get("provenance", {})),
        )
