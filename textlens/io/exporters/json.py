"""JSON: exactly ``Document.to_dict()`` (layout documented in docs/json-format.md)."""

from __future__ import annotations

import json
import math
from typing import Any

from textlens.document import BLOCK_KINDS, Block, Document
from textlens.errors import TextlensError

from ._common import NOT_XML


def export(document: Document) -> bytes:
    try:
        # allow_nan=False: NaN/Infinity are not JSON and break strict readers.
        text = json.dumps(document.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError as exc:
        raise TextlensError(f"cannot write JSON: {exc} (a confidence or coordinate is NaN/infinite)") from None
    return (text + "\n").encode("utf-8")


def parse(data: bytes | str, name: str = "<json>") -> Document:
    """A Document from textlens JSON (what ``export`` writes); anything else is a one-line TextlensError.

    Checked beyond its shape: texts are strings, confidences and coordinates finite numbers, so a
    parsed document can be exported to every format.
    """
    try:
        raw = json.loads(data, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TextlensError(f"{name}: not JSON ({' '.join(str(exc).split())[:100]})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("pages"), list):
        raise TextlensError(f"{name}: not a textlens Document (expected an object with a `pages` list)")
    try:
        _check_strings(raw)
        document = Document.from_dict(raw)
        _check(document)
    except TextlensError as exc:
        raise TextlensError(f"{name}: not a valid textlens Document ({exc})") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        what = f"missing field {exc}" if isinstance(exc, KeyError) else " ".join(str(exc).split())[:100]
        raise TextlensError(f"{name}: not a valid textlens Document ({what})") from None
    return document


def _check_strings(value: Any) -> None:
    """Refuse a text, key or name anywhere in the document that holds a character XML cannot carry
    (hOCR, ALTO and PAGE could not be written)."""
    if isinstance(value, str):
        found = NOT_XML.search(value)
        if found:
            raise TextlensError(f"a text holds U+{ord(found.group()):04X}, a character XML cannot carry")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _check(document: Document) -> None:
    for page in document.pages:
        if not (0 < page.width <= 1_000_000 and 0 < page.height <= 1_000_000):
            raise TextlensError(f"page {page.index} is {page.width} x {page.height} px")
        for block in page.blocks:
            _check_polygon(block.polygon)
            _check_kind(block)
            for line in block.lines:
                _check_polygon(line.polygon)
                for word in line.words:
                    if not isinstance(word.text, str) or not math.isfinite(word.confidence):
                        raise TextlensError("a word needs a text string and a finite confidence")
                    _check_polygon(word.polygon)
                    for char in word.chars:
                        if not isinstance(char.text, str) or not math.isfinite(char.confidence):
                            raise TextlensError("a character needs a text string and a finite confidence")
                        _check_polygon(char.polygon)


def _check_kind(block: Block) -> None:
    if block.kind not in BLOCK_KINDS:
        raise TextlensError(f"block kind {block.kind[:40]!r} is not one of {', '.join(BLOCK_KINDS)}")
    for cell in block.cells:
        if min(cell.row, cell.column) < 0 or min(cell.row_span, cell.column_span) < 1:
            raise TextlensError("a table cell needs a row and column >= 0 and spans >= 1")
        if any(not 0 <= i < len(block.lines) for i in cell.lines):
            raise TextlensError("a table cell points at a line its block does not have")


def _check_polygon(polygon: list[tuple[float, float]]) -> None:
    if not all(math.isfinite(x) and math.isfinite(y) for x, y in polygon):
        raise TextlensError("a polygon has a coordinate that is not a finite number")
