"""Work planning for a batch: sources -> inputs (with their mirrored output names) -> page units.

A source is a file, a folder (searched recursively), a glob, or a manifest listing paths (a
``.txt``/``.lst`` with one path per line, or a ``.jsonl`` with an ``"image"`` per line; relative
paths are taken from the manifest's folder). Each input keeps its path relative to its source's
root, so outputs mirror the input tree. PDFs and multi-page TIFFs are counted from their headers
(nothing decoded) so that their pages can be spread over workers.
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textlens.errors import TextlensError
from textlens.io.loading import SUPPORTED_SUFFIXES

MANIFEST_SUFFIXES = (".txt", ".lst", ".jsonl")


@dataclass(frozen=True)
class BatchInput:
    """One input file: where it is, its output name (relative, no suffix) and its identity."""

    path: str
    relative: str  # mirrored output path without the format suffix, e.g. "2024/jan/scan"

    @property
    def key(self) -> str:
        """A stable id of the input (its absolute path), for the resume ledger."""
        return hashlib.sha256(os.path.abspath(self.path).encode("utf-8", "surrogateescape")).hexdigest()[:32]


def plan_inputs(sources: list[str], on_error: Callable[[str, TextlensError], object]) -> list[BatchInput]:
    """Every input of ``sources`` in a stable order, each with a unique mirrored output name."""
    found: dict[str, str] = {}
    for source in sources:
        try:
            for path, relative in _expand(source):
                found.setdefault(os.path.abspath(path), relative)
        except TextlensError as exc:
            on_error(source, exc)
    inputs = [BatchInput(path, relative) for path, relative in found.items()]
    return _unique_names(sorted(inputs, key=lambda i: i.relative))


def _expand(source: str) -> list[tuple[str, str]]:
    path = Path(source)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _wanted(p)]
        return [(str(p), str(p.relative_to(path).with_suffix(""))) for p in files]
    if path.is_file():
        if path.suffix.lower() in MANIFEST_SUFFIXES:
            return _manifest(path)
        return [(str(path), path.stem)]
    if glob.has_magic(source):
        root = _glob_root(source)
        files = [Path(p) for p in glob.glob(source, recursive=True)]
        return [(str(p), str(p.relative_to(root).with_suffix(""))) for p in files if p.is_file() and _wanted(p)]
    raise TextlensError(f"{source}: no such file, folder or matching files")


def _wanted(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not any(part.startswith(".") for part in path.parts[-1:])


def _glob_root(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = [p for p in parts[: next((i for i, p in enumerate(parts) if glob.has_magic(p)), len(parts))]]
    return Path(*fixed) if fixed else Path(".")


def _manifest(path: Path) -> list[tuple[str, str]]:
    if path.suffix.lower() == ".jsonl":
        from textlens.training.sources import iter_jsonl

        names = [entry["image"] for _, entry in iter_jsonl(path, 'each line needs an "image" path')]
    else:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise TextlensError(f"{path}: not UTF-8 text; save the manifest as UTF-8") from None
        names = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
    entries: list[tuple[str, str]] = []
    for name in names:
        if "\0" in name:
            raise TextlensError(f"{path}: path {name[:60]!r} contains a NUL byte")
        item = Path(name)
        full = item if item.is_absolute() else path.parent / item
        relative = item.with_suffix("") if not item.is_absolute() and ".." not in item.parts else Path(item.stem)
        entries.append((str(full), str(relative)))
    return entries


def _unique_names(inputs: list[BatchInput]) -> list[BatchInput]:
    """Inputs whose output names collide (scan.png and scan.pdf) keep their suffix in the name."""
    counts: dict[str, int] = {}
    for item in inputs:
        counts[item.relative] = counts.get(item.relative, 0) + 1
    return [
        BatchInput(i.path, i.relative + Path(i.path).suffix.replace(".", "_") if counts[i.relative] > 1 else i.relative)
        for i in inputs
    ]
