"""Variants of a benchmark set, made in the parent process before any engine runs.

* ``heldout``: only the part of a training set that ``textlens train recognizer`` holds out
  by default (``split_train_val(load_samples(manifest), 0.1, seed=0)``), so a model can be
  reported on data it never trained on;
* ``rotate_set``: every page image turned clockwise by 90, 180 or 270 degrees and written as
  a lossless PNG, with the ground-truth quads turned with it, so detection is still scored;
* ``scan_set``: every page as a bilevel office scan of a print-out would give it (``scan_look``:
  scaled to the scan's resolution, a little skew, the printer's and scanner's blur and noise,
  one global threshold), the quads mapped with it.

A changed set gets its own manifest (absolute image paths) in a work folder; the engine
workers read that manifest, so every engine sees exactly the same images.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps

from benchmarks.dataset import MANIFEST, BenchError, BenchSet, Item

ROTATIONS = (0, 90, 180, 270)
# What `textlens train recognizer` holds out when no --val is given (TrainConfig defaults).
VAL_FRACTION = 0.1
VAL_SEED = 0
# Clockwise turns in PIL's terms (its ROTATE_n turn counter-clockwise).
_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def heldout(bench: BenchSet, limit: int | None = None) -> BenchSet:
    """The first ``limit`` items of ``bench`` that the recognizer training holds out."""
    from textlens.errors import TextlensError
    from textlens.training.sources import load_samples, split_train_val

    try:
        _, val = split_train_val(load_samples(bench.manifest), VAL_FRACTION, seed=VAL_SEED)
    except TextlensError as exc:
        raise BenchError(str(exc)) from None
    # Samples carry resolved image paths; a page's regions all go to one side, so matching
    # by image selects exactly the held-out crops (or pages).
    keep = {sample.image for sample in val}
    items = [item for item in bench.items if str(item.image.resolve()) in keep][:limit]
    if not items:
        raise BenchError(f"{bench.manifest}: the held-out split is empty")
    variant = f"held-out {VAL_FRACTION:.0%} of the training set (split_train_val, seed {VAL_SEED})"
    return replace(bench, name=f"{bench.name}-heldout", items=items, variant=variant)


def rotate_quad(quad: Sequence[float], degrees: int, width: int, height: int) -> list[float]:
    """A quad ``[x1, y1, ..., x4, y4]`` of a ``width`` x ``height`` image, in that image turned
    clockwise by ``degrees``. Coordinates are continuous with pixel edges at integers (the
    ``textlens.document`` convention), so 90 degrees maps (x, y) -> (height - y, x) and the
    pixel with index (i, j) -- the unit square from (i, j) -- lands on index (height - 1 - j, i),
    exactly where ``np.rot90(image, -1)`` puts it."""
    from textlens.layout.orientation import rotate_points

    return [float(v) for v in rotate_points(quad, degrees // 90, width, height).ravel()]


def rotate_image(image: Image.Image, degrees: int) -> Image.Image:
    """``image`` turned clockwise by ``degrees`` (a lossless pixel permutation)."""
    return image if degrees == 0 else image.transpose(_TRANSPOSE[degrees])


def rotate_set(bench: BenchSet, degrees: int, folder: Path) -> BenchSet:
    """``bench`` with every page image turned clockwise by ``degrees`` (PNGs under ``folder``)."""
    if degrees not in ROTATIONS:
        raise BenchError(f"cannot rotate by {degrees} degrees; choose from {', '.join(map(str, ROTATIONS))}")
    if degrees == 0:
        return bench
    if bench.kind != "pages":
        raise BenchError(f"{bench.manifest}: --rotate applies to page sets; {bench.name} is a crop set")
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for index, item in enumerate(bench.items):
        try:
            with Image.open(item.image) as opened:
                # Ground truth is in the upright (EXIF-applied) frame, as textlens reads it.
                image = ImageOps.exif_transpose(opened)
                if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
                    image = image.convert("RGB")  # e.g. CMYK JPEGs: PNG cannot hold them
                width, height = image.size
                out = folder / f"{index:05d}-{item.image.stem}.png"
                rotate_image(image, degrees).save(out)
        except OSError as exc:
            raise BenchError(f"{item.image}: cannot read the page image ({exc})") from None
        regions = [{**r, "quad": rotate_quad(r["quad"], degrees, width, height)} for r in item.regions]
        items.append(Item(out, item.text, regions, item.source or item.image))
    variant = f"every page rotated {degrees}° clockwise (ground-truth quads rotated with it)"
    return replace(bench, name=f"{bench.name}-rot{degrees}", items=items, variant=_join(bench.variant, variant))


def scan_look(image: np.ndarray, rng: np.random.Generator, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """``image`` (grey uint8) as a bilevel scan of its print-out at ``scale`` times its resolution,
    and the 2x3 affine matrix from its pixels to the scan's: skew up to 1.5 degrees, a blur of
    about a third of a pixel of the original (toner spread and scanner optics), sensor noise,
    and a threshold that thickens or thins the strokes a little, as scanners' differ. Kept apart
    from the training look (``textlens.synth.degrade.print_scan``) on purpose: the benchmark must
    not measure only what the recognizer was shown."""
    height, width = image.shape
    angle = float(rng.uniform(-1.5, 1.5))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
    size = (round(width * scale), round(height * scale))
    matrix[:, 2] += (size[0] - width) / 2, (size[1] - height) / 2  # keep the page centred
    scan = cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR, borderValue=255).astype(np.float32)
    scan = cv2.GaussianBlur(scan, (0, 0), sigmaX=0.35 * scale)
    scan += rng.normal(0.0, 12.0, scan.shape).astype(np.float32)
    threshold = float(rng.uniform(120, 170))
    return np.where(scan < threshold, 0, 255).astype(np.uint8), matrix


def map_quad(quad: Sequence[float], matrix: np.ndarray) -> list[float]:
    """A quad ``[x1, y1, ..., x4, y4]`` moved by the 2x3 affine ``matrix``."""
    points = np.asarray(quad, dtype=np.float64).reshape(1, -1, 2)
    return [float(v) for v in cv2.transform(points, matrix).ravel()]


def scan_set(bench: BenchSet, scale: float, folder: Path, seed: int = 0) -> BenchSet:
    """``bench`` with every page replaced by ``scan_look`` of it (bilevel PNGs under ``folder``)."""
    if bench.kind != "pages":
        raise BenchError(f"{bench.manifest}: --scan applies to page sets; {bench.name} is a crop set")
    if not 0.25 <= scale <= 4.0:
        raise BenchError(f"--scan {scale}: give the scan's scale over the page images, from 0.25 to 4")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    items = []
    for index, item in enumerate(bench.items):
        try:
            with Image.open(item.image) as opened:
                grey = np.asarray(ImageOps.exif_transpose(opened).convert("L"))
        except OSError as exc:
            raise BenchError(f"{item.image}: cannot read the page image ({exc})") from None
        scan, matrix = scan_look(grey, rng, scale)
        out = folder / f"{index:05d}-{item.image.stem}.png"
        Image.fromarray(scan).convert("1").save(out)
        regions = [{**r, "quad": map_quad(r["quad"], matrix)} for r in item.regions]
        items.append(Item(out, item.text, regions, item.source or item.image))
    variant = f"every page as a bilevel scan of its print-out at {scale:g}x its resolution (seed {seed})"
    return replace(bench, name=f"{bench.name}-scan{scale:g}", items=items, variant=_join(bench.variant, variant))


def write_manifest(bench: BenchSet, folder: Path) -> BenchSet:
    """``bench`` with its own manifest in ``folder`` listing exactly its items (absolute paths)."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / MANIFEST
    with open(manifest, "w", encoding="utf-8") as handle:
        for item in bench.items:
            entry = {"image": str(item.image.resolve()), "text": item.text}
            if item.regions:
                entry["regions"] = item.regions
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return replace(bench, manifest=manifest)


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)
