"""Tesseract 5 through its command line (Debian ``tesseract-ocr`` + ``tesseract-ocr-eng``).

Images are passed as a list file, so one CLI run reads a whole chunk and loads the model
once (like a library call would); the load itself is timed separately on a blank image.
Crops use ``--psm 7`` (a single text line); Tesseract separates the pages' text with a
form feed. Pages use the default ``--psm 3`` with TSV output; words are grouped into lines
by (block, paragraph, line) numbers and each line's box is the union of its word boxes,
so detection is scored at line level like the ground truth. Threads: the parent sets
``OMP_THREAD_LIMIT``, which the CLI inherits.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict

Polygon = list[list[float]]


def _run(args: list[str]) -> str:
    done = subprocess.run(["tesseract", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"tesseract {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return done.stdout


def _run_list(paths: list[str], args: list[str]) -> str:
    """One Tesseract run over several images (named in a temporary list file)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    try:
        return _run([handle.name, "stdout", *args])
    finally:
        os.unlink(handle.name)


class Engine:
    def __init__(self, threads: int, model: str | None = None) -> None:
        first = _run(["--version"]).splitlines()
        self.version = first[0] if first else "tesseract"
        # Model load = one run on a blank image (a tiny binary PGM; no imaging library needed).
        with tempfile.NamedTemporaryFile("wb", suffix=".pgm", delete=False) as handle:
            handle.write(b"P5 32 16 255\n" + b"\xff" * (32 * 16))
        try:
            _run([handle.name, "stdout", "-l", "eng", "--psm", "7"])
        finally:
            os.unlink(handle.name)

    @staticmethod
    def unavailable() -> str | None:
        if shutil.which("tesseract") is None:
            return "not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
        if "eng" not in langs.stdout.split():
            return "not installed: no 'eng' language data (apt-get install tesseract-ocr-eng)"
        return None

    def read_crops(self, paths: list[str]) -> list[str]:
        # The text renderer puts a form feed before every page but the first, even an empty one.
        parts = _run_list(paths, ["-l", "eng", "--psm", "7"]).split("\f")
        if len(parts) != len(paths):  # should not happen; fall back to one run per crop
            parts = [_run([p, "stdout", "-l", "eng", "--psm", "7"]) for p in paths]
        return [p.strip() for p in parts]

    def read_pages(self, paths: list[str]) -> list[tuple[str, list[Polygon]]]:
        tsv = _run_list(paths, ["-l", "eng", "--psm", "3", "tsv"])
        # page_num (1-based, one per listed image) -> (block, par, line) -> words with boxes
        pages: dict[int, dict[tuple[int, int, int], list[tuple]]] = defaultdict(dict)
        for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
            text = (row.get("text") or "").strip()
            if row["level"] != "5" or not text:
                continue
            key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
            box = (int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]))
            pages[int(row["page_num"])].setdefault(key, []).append((text, *box))
        return [_page(pages.get(i, {})) for i in range(1, len(paths) + 1)]

    def read_page(self, path: str) -> tuple[str, list[Polygon]]:
        return self.read_pages([path])[0]


def _page(lines: dict[tuple[int, int, int], list[tuple]]) -> tuple[str, list[Polygon]]:
    texts, polygons = [], []
    for words in lines.values():  # dicts keep Tesseract's reading order
        texts.append(" ".join(w[0] for w in words))
        x0, y0 = min(w[1] for w in words), min(w[2] for w in words)
        x1, y1 = max(w[1] + w[3] for w in words), max(w[2] + w[4] for w in words)
        polygons.append([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    return "\n".join(texts), polygons
