"""Read a benchmark set: ``manifest.jsonl`` + images, in the ../shared/data layout.

Stdlib only: engine workers import this from other virtualenvs (e.g. .bench-venv for
RapidOCR) that do not have textlens installed.

* crop set: one ``{"image", "text"}`` per line (a line or word crop and its transcript);
* page set: ``{"image", "text", "regions": [{"quad": [8 numbers], "text"}]}``; a region
  text of ``###`` means "don't care".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.jsonl"


class BenchError(Exception):
    """A user error (bad path, bad manifest): printed as one line, exit code 2."""


@dataclass
class Item:
    image: Path
    text: str
    regions: list[dict] = field(default_factory=list)


@dataclass
class BenchSet:
    name: str
    root: Path
    kind: str  # "crops" or "pages"
    items: list[Item]


def load_set(root: str | Path, limit: int | None = None) -> BenchSet:
    """The first ``limit`` items (all when None) of the set in folder ``root``."""
    root = Path(root)
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise BenchError(f"{manifest}: no such manifest (pass a data folder holding {MANIFEST})")
    items: list[Item] = []
    with open(manifest, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            if limit is not None and len(items) >= limit:
                break
            try:
                entry = json.loads(line)
                items.append(Item(root / entry["image"], str(entry["text"]), list(entry.get("regions") or [])))
            except (ValueError, KeyError, TypeError) as exc:
                raise BenchError(f"{manifest}:{number}: bad entry ({exc}); need 'image' and 'text'") from None
    if not items:
        raise BenchError(f"{manifest}: no entries")
    # A set is a page set when its entries carry regions (detection ground truth).
    kind = "pages" if any(item.regions for item in items) else "crops"
    return BenchSet(root.name, root, kind, items)
