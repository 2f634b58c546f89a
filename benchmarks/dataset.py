"""Read a benchmark set: ``manifest.jsonl`` + images, in the ../shared/data layout.

Stdlib only: engine workers import this from other virtualenvs (e.g. .bench-venv for
RapidOCR) that do not have textlens installed.

* crop set: one ``{"image", "text"}`` per line (a line or word crop and its transcript);
* page set: ``{"image", "text", "regions": [{"quad": [8 numbers], "text"}]}``; a region
  text of ``###`` means "don't care".

A set is named by its folder (``manifest.jsonl`` inside) or by a manifest file, e.g.
``uw3-lines/manifest_test.jsonl`` (set name ``uw3-lines-test``). Image paths are relative
to the manifest's folder, or absolute (the harness writes such manifests for rotated and
held-out variants).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "manifest.jsonl"


class BenchError(Exception):
    """A user error (bad path, bad manifest): printed as one line, exit code 2."""


@dataclass
class Item:
    image: Path  # what the engines read
    text: str
    regions: list[dict] = field(default_factory=list)
    source: Path | None = None  # the set's own image when ``image`` is a derived copy (rotated)


@dataclass
class BenchSet:
    name: str
    root: Path  # the manifest's folder: image paths in the manifest are relative to it
    kind: str  # "crops" or "pages"
    items: list[Item]
    manifest: Path | None = None  # what the engine workers read (default: root / manifest.jsonl)
    variant: str = ""  # how the set was changed for this run, for the table title

    def __post_init__(self) -> None:
        if self.manifest is None:
            self.manifest = self.root / MANIFEST


def set_name(manifest: Path) -> str:
    """``x/manifest.jsonl`` -> ``x``; ``x/manifest_test.jsonl`` -> ``x-test``; ``x/a.jsonl`` -> ``x-a``."""
    stem = manifest.stem.removeprefix("manifest").lstrip("_-")
    return f"{manifest.parent.name}-{stem}" if stem else manifest.parent.name


def load_set(path: str | Path, limit: int | None = None) -> BenchSet:
    """The first ``limit`` items (all when None) of the set in folder ``path`` (holding
    ``manifest.jsonl``) or in the manifest file ``path``."""
    path = Path(path)
    manifest = path if path.suffix == ".jsonl" and not path.is_dir() else path / MANIFEST
    if not manifest.is_file():
        raise BenchError(
            f"{manifest}: no such manifest (pass a data folder holding {MANIFEST}, or a .jsonl manifest file)"
        )
    root = manifest.parent
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
    return BenchSet(set_name(manifest), root, kind, items, manifest)


def write_tables(program: str, sets: list[str], table: Callable[[str], str], out: Path | None) -> int:
    """Print ``table(set)`` for each set (and write them all to ``out``); a ``BenchError`` is one
    line on stderr and exit code 2."""
    import sys

    tables = []
    try:
        for name in sets:
            tables.append(table(name))
            print(tables[-1], flush=True)
    except BenchError as exc:
        print(f"{program}: error: {exc}", file=sys.stderr)
        return 2
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(tables), encoding="utf-8")
    return 0
