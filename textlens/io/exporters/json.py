"""JSON: exactly ``Document.to_dict()`` (layout documented in docs/json-format.md)."""

from __future__ import annotations

import json

from textlens.document import Document
from textlens.errors import TextlensError


def export(document: Document) -> bytes:
    try:
        # allow_nan=False: NaN/Infinity are not JSON and break strict readers.
        text = json.dumps(document.to_dict(), ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError as exc:
        raise TextlensError(f"cannot write JSON: {exc} (a confidence or coordinate is NaN/infinite)") from None
    return (text + "\n").encode("utf-8")
