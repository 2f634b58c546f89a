"""Labelled-data sources: turn a manifest, a folder of named images or a CSV into samples.

A ``Sample`` is one text image to learn from: a whole image file (a crop) or a region of a
page image given by its quad (pixel coordinates of the page, 4 corners clockwise from the
top-left of the text as it reads, as in ``textlens.document``).

Accepted ``spec`` forms (see ``load_samples``):

* ``manifest.jsonl`` or any ``.jsonl``: crop lines ``{"image", "text"}`` and page lines
  ``{"image", "regions": [{"quad": [8 numbers], "text"}]}`` (one sample per region, ``###``
  and empty texts skipped); paths relative to the manifest's folder;
* a folder of images whose file names are the labels (``226md.png`` -> ``226md``,
  ``0024miih-0.png`` -> ``0024miih``), or a folder holding a ``manifest.jsonl``;
* a CSV/TSV with ``path,label`` columns (header optional, delimiter sniffed).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from textlens.errors import TextlensError
from textlens.recognition.charset import Charset, normalize_text
from textlens.recognition.preprocess import contrast_gray

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".pbm", ".pgm", ".ppm"})
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
DONT_CARE = "###"
# File name -> label: the stem up to an optional trailing "-<n>" / "_<n>" counter.
DEFAULT_LABEL_PATTERN = r"^(.*?)(?:[-_]\d+)?$"
# Above this tilt a region is straightened with a perspective warp instead of boxed.
STRAIGHTEN_ABOVE_DEG = 5.0
_PAGE_CACHE_SIZE = 4
_MAX_NAMED = 5  # files named in one error message


@dataclass(frozen=True)
class Sample:
    """One labelled text image: a whole image file, or the ``quad`` region of a page image."""

    image: str  # absolute path
    text: str
    quad: tuple[float, ...] | None = None  # 8 numbers: x1,y1,...,x4,y4 clockwise from top-left
    caseless: bool = False  # the letters' case is unknown: the label comes from an upper-cased set

    def __str__(self) -> str:
        return self.image if self.quad is None else f"{self.image} region {list(self.quad)}"


# --------------------------------------------------------------------------- loading


def load_sources(specs: Sequence[str | Path], label_pattern: str | None = None) -> list[list[Sample]]:
    """:func:`load_samples` of every spec, the folder label pattern applied to the folders among
    them (a manifest or CSV names its labels itself)."""
    paths = [Path(spec).expanduser() for spec in specs]
    return [load_samples(path, label_pattern=label_pattern if path.is_dir() else None) for path in paths]


def load_samples(spec: str | Path, *, label_pattern: str | None = None) -> list[Sample]:
    """Read every labelled sample that ``spec`` (manifest, folder or CSV/TSV) describes."""
    path = Path(spec).expanduser()
    if not path.exists():
        raise TextlensError(f"{path}: no such file or folder (give a manifest.jsonl, a CSV/TSV or a folder of images)")
    if label_pattern is not None and not path.is_dir():
        raise TextlensError(f"{path}: --label-pattern applies only to a folder of images named by labels")
    if path.is_dir():
        manifest = path / "manifest.jsonl"
        if label_pattern is None and manifest.is_file():
            samples = _load_jsonl(manifest)
        else:
            samples = _load_folder(path, label_pattern or DEFAULT_LABEL_PATTERN)
    elif path.suffix.lower() == ".jsonl":
        samples = _load_jsonl(path)
    elif path.suffix.lower() in TABLE_SUFFIXES:
        samples = _load_table(path)
    else:
        raise TextlensError(
            f"{path}: unknown data format (expected a .jsonl manifest, a path,label .csv/.tsv, or a folder)"
        )
    if not samples:
        raise TextlensError(f"{path}: no labelled samples found")
    return samples


def _resolve(base: Path, image: str) -> str:
    if "\0" in image:
        raise TextlensError(f"{base}: image path {image[:60]!r} contains a NUL byte")
    try:
        p = Path(image).expanduser()
    except RuntimeError:  # "~name" of a user this machine does not know: a plain relative name
        p = Path(image)
    return str((p if p.is_absolute() else base / p).resolve())


def iter_jsonl(path: Path, shape_hint: str) -> Iterator[tuple[str, dict]]:
    """(``file:line``, entry) for each non-blank line; clear errors for bad JSON or no "image"."""
    with open(path, encoding="utf-8") as handle:
        lineno = 0
        try:
            for lineno, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                where = f"{path}:{lineno}"
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TextlensError(f"{where}: not valid JSON ({exc.msg})") from None
                if not isinstance(entry, dict) or not isinstance(entry.get("image"), str):
                    raise TextlensError(f"{where}: {shape_hint}")
                yield where, entry
        except UnicodeDecodeError:
            raise TextlensError(f"{path}:{lineno + 1}: not UTF-8 text; save the manifest as UTF-8") from None


def _load_jsonl(path: Path) -> list[Sample]:
    base = path.parent
    samples: list[Sample] = []
    for where, entry in iter_jsonl(path, 'each line needs an "image" path and a "text" (or "regions")'):
        image = _resolve(base, entry["image"])
        if entry.get("regions") is not None:
            samples.extend(_page_regions(where, image, entry["regions"]))
            continue
        text = entry.get("text", entry.get("label"))
        if not isinstance(text, str):
            raise TextlensError(f'{where}: missing "text" for {entry["image"]!r}')
        samples.append(Sample(image, normalize_text(text)))
    return samples


def _page_regions(where: str, image: str, regions: object) -> Iterable[Sample]:
    if not isinstance(regions, list):
        raise TextlensError(f'{where}: "regions" must be a list of {{"quad": [8 numbers], "text": ...}}')
    for region in regions:
        quad = region.get("quad") if isinstance(region, dict) else None
        if not isinstance(quad, list) or len(quad) != 8:
            raise TextlensError(f'{where}: each region needs a "quad" of 8 numbers (x1,y1,...,x4,y4)')
        text = normalize_text(str(region.get("text") or ""))
        if not text or text == DONT_CARE:
            continue
        try:
            numbers = tuple(float(v) for v in quad)
        except (TypeError, ValueError):
            raise TextlensError(f"{where}: quad {quad} is not 8 numbers") from None
        yield Sample(image, text, numbers)


def _load_folder(folder: Path, pattern: str) -> list[Sample]:
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise TextlensError(f"--label-pattern {pattern!r}: invalid regular expression ({exc})") from None
    if regex.groups != 1:
        raise TextlensError(f"--label-pattern {pattern!r}: needs exactly one (group) capturing the label")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
    if not files:
        raise TextlensError(f"{folder}: no images found (expected image files named by their labels)")
    samples = []
    for file in files:
        match = regex.search(file.stem)
        if match is None or match.group(1) is None:
            raise TextlensError(f"{file}: file name does not match --label-pattern {pattern!r}")
        samples.append(Sample(str(file.resolve()), normalize_text(match.group(1))))
    return samples


_HEADER_PATH = {"path", "image", "file", "filename", "file_name", "img", "image_path"}
_HEADER_LABEL = {"label", "text", "transcription", "transcript", "gt", "ground_truth"}


def _load_table(path: Path) -> list[Sample]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextlensError(f"{path}: not UTF-8 text (byte {exc.start}); save the table as UTF-8") from None
    lines = [line for line in raw.splitlines() if line.strip()]
    if not lines:
        return []
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel_tab
    if path.suffix.lower() != ".tsv":
        try:
            dialect = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel_tab if "\t" in lines[0] else csv.excel
    try:
        rows = list(csv.reader(lines, dialect))
    except csv.Error as exc:
        raise TextlensError(f"{path}: not a readable CSV/TSV table ({exc})") from None
    path_col, label_col = 0, 1
    header = [c.strip().lower() for c in rows[0]]
    if _HEADER_PATH & set(header) and _HEADER_LABEL & set(header):
        path_col = next(i for i, c in enumerate(header) if c in _HEADER_PATH)
        label_col = next(i for i, c in enumerate(header) if c in _HEADER_LABEL)
        rows = rows[1:]
        start = 2
    else:
        start = 1
    samples = []
    for lineno, row in enumerate(rows, start):
        if len(row) <= max(path_col, label_col):
            raise TextlensError(f"{path}:{lineno}: expected path and label columns, got {row}")
        samples.append(Sample(_resolve(path.parent, row[path_col].strip()), normalize_text(row[label_col])))
    return samples


# --------------------------------------------------------------------------- images


def _decode(path: str, ink: str = "luma") -> np.ndarray:
    """The image as the recognizer's ``ink`` mode wants it: grey uint8 by luma (alpha composited
    on white), grey by colour contrast, or ``"rgb"``: RGB(A) uint8 for a predictor to convert.
    EXIF orientation is applied for JPEG."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise TextlensError(f"{path}: cannot read image ({exc.strerror})") from None
    # JPEG has no alpha but may carry EXIF orientation, which only the non-UNCHANGED modes apply.
    is_jpeg = data[:2].tobytes() == b"\xff\xd8"
    if is_jpeg and ink == "luma":
        image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    else:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR if is_jpeg else cv2.IMREAD_UNCHANGED)
    if image is None:
        image = _decode_pil(path)
    return _convert(image, ink)


def _convert(image: np.ndarray, ink: str) -> np.ndarray:
    if ink == "luma":
        return _to_grey(image)
    image = _to_uint8(image)
    if ink == "contrast":
        return contrast_gray(image)
    if image.ndim == 3 and image.shape[2] >= 3:  # "rgb": OpenCV's BGR(A) -> RGB(A)
        return image[..., [2, 1, 0, 3]].copy() if image.shape[2] == 4 else image[..., ::-1].copy()
    return image


def _decode_pil(path: str) -> np.ndarray:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            im = im.convert("RGBA") if im.mode in ("RGBA", "LA", "P", "PA") else im.convert("RGB")
            array = np.asarray(im)
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise TextlensError(f"{path}: cannot decode image ({exc})") from None
    return array[..., ::-1].copy() if array.shape[2] == 3 else array[..., [2, 1, 0, 3]].copy()


def _to_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if image.dtype != np.uint8:
        return np.clip(image, 0, 255).astype(np.uint8)
    return image


def _to_grey(image: np.ndarray) -> np.ndarray:
    image = _to_uint8(image)
    if image.ndim == 2:
        return image
    channels = image.shape[2]
    if channels == 1:
        return image[..., 0]
    if channels == 2:  # grey + alpha
        grey, alpha = image[..., 0], image[..., 1]
    else:
        grey = cv2.cvtColor(image[..., :3], cv2.COLOR_BGR2GRAY)
        alpha = image[..., 3] if channels == 4 else None
    if alpha is None:
        return grey
    a = alpha.astype(np.float32) / 255.0
    return np.rint(grey.astype(np.float32) * a + 255.0 * (1.0 - a)).astype(np.uint8)


@lru_cache(maxsize=_PAGE_CACHE_SIZE)
def _page(path: str, ink: str) -> np.ndarray:
    # Many regions share one page: keep the last few decoded pages (read-only) per process.
    page = _decode(path, ink)
    page.setflags(write=False)
    return page


def _tilt_deg(pts: np.ndarray) -> float:
    """Largest angle (degrees) between the quad's top/bottom edges and the horizontal."""
    angles = []
    for a, b in ((pts[0], pts[1]), (pts[3], pts[2])):
        dx, dy = b - a
        angles.append(abs(math.degrees(math.atan2(dy, dx))))
    return max(angles)


def load_crop(sample: Sample, margin: int = 2, ink: str = "luma") -> np.ndarray:
    """The image of ``sample`` (the whole file, or its page region) in the ``ink`` mode of
    :func:`_decode`: grey uint8 (H, W) for "luma" and "contrast" (whose background colour is
    the page's when cutting a region), RGB(A) for "rgb".

    A region is cut as the axis-aligned box of its quad plus ``margin`` pixels (clipped to the
    page); a region tilted more than ~5 degrees (or upside down) is straightened with a
    perspective warp so the text reads left to right.
    """
    if sample.quad is None:
        return _decode(sample.image, ink)
    page = _page(sample.image, ink)
    pts = np.asarray(sample.quad, dtype=np.float32).reshape(4, 2)
    if _tilt_deg(pts) > STRAIGHTEN_ABOVE_DEG:
        return _warp(page, pts, margin, sample)
    h, w = page.shape[:2]
    x0 = max(int(math.floor(pts[:, 0].min())) - margin, 0)
    y0 = max(int(math.floor(pts[:, 1].min())) - margin, 0)
    x1 = min(int(math.ceil(pts[:, 0].max())) + margin, w)
    y1 = min(int(math.ceil(pts[:, 1].max())) + margin, h)
    if x1 <= x0 or y1 <= y0:
        raise TextlensError(f"{sample}: region lies outside the {w}x{h} image; fix the quad in the manifest")
    return page[y0:y1, x0:x1].copy()


def _warp(page: np.ndarray, pts: np.ndarray, margin: int, sample: Sample) -> np.ndarray:
    width = max(np.linalg.norm(pts[1] - pts[0]), np.linalg.norm(pts[2] - pts[3]))
    height = max(np.linalg.norm(pts[3] - pts[0]), np.linalg.norm(pts[2] - pts[1]))
    out_w, out_h = int(round(width)) + 2 * margin, int(round(height)) + 2 * margin
    if width < 1 or height < 1:
        raise TextlensError(f"{sample}: degenerate quad (zero width or height); fix it in the manifest")
    m = float(margin)
    dst = np.array([[m, m], [m + width, m], [m + width, m + height], [m, m + height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(pts, dst)
    return cv2.warpPerspective(page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# --------------------------------------------------------------------------- splitting


def looks_like_one_line(sample: Sample, max_ratio: float = 5.0) -> bool:
    """False for a page region whose box is far too tall for one line of its label: an entity box
    spanning several lines (FUNSD-style), which squeezed to one line height teaches only noise.

    One line of n characters is at least ~0.2 n heights wide, so height x n <= 5 x width; two
    lines of the same text are already beyond that."""
    if sample.quad is None or not sample.text:
        return True
    p0, p1, p2, p3 = np.asarray(sample.quad, dtype=np.float64).reshape(4, 2)
    width = (np.hypot(*(p1 - p0)) + np.hypot(*(p2 - p3))) / 2
    height = (np.hypot(*(p3 - p0)) + np.hypot(*(p2 - p1))) / 2
    return height * len(sample.text) <= max_ratio * width


def split_train_val(
    samples: Sequence[Sample],
    val_fraction: float = 0.1,
    seed: int = 0,
    min_val: int = 1,
    max_val: int = 2000,
) -> tuple[list[Sample], list[Sample]]:
    """Hold out about ``val_fraction`` of the samples (clamped to [min_val, max_val]).

    Whole page images go to one side only, so no page leaks across; the choice depends only
    on the set of images and ``seed``; both lists keep the input order.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise TextlensError(f"val_fraction must be in [0, 1), got {val_fraction}")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, sample in enumerate(samples):
        groups[sample.image].append(i)
    if val_fraction == 0.0 or not samples:
        return list(samples), []
    if len(groups) < 2:
        raise TextlensError(
            f"{samples[0].image}: all samples come from one image, so no validation set can be held out "
            "without leaking; give a separate validation set (--val)"
        )
    target = min(max(round(len(samples) * val_fraction), min_val), max_val)
    keys = sorted(groups)
    random.Random(seed).shuffle(keys)
    chosen: set[int] = set()
    for key in keys[:-1]:  # never take every group: training must keep at least one
        if len(chosen) >= target:
            break
        if len(chosen) + len(groups[key]) > max_val and chosen:
            continue  # a large page would overshoot the cap; try smaller ones
        chosen.update(groups[key])
    train = [s for i, s in enumerate(samples) if i not in chosen]
    val = [s for i, s in enumerate(samples) if i in chosen]
    return train, val


# --------------------------------------------------------------------------- checking


def labels_look_case_folded(texts: Sequence[str]) -> bool:
    """True when the label case looks arbitrary: no label mixes upper and lower case letters,
    yet some labels are all upper and others all lower (one folder per case, as in the
    generic CAPTCHA set whose glyphs appear in either case whatever the label says)."""
    upper = lower = False
    for text in texts:
        letters = [c for c in text if c.isalpha() and c.lower() != c.upper()]
        has_up, has_low = any(c.isupper() for c in letters), any(c.islower() for c in letters)
        if has_up and has_low:
            return False
        upper |= has_up
        lower |= has_low
    return upper and lower


def fold_case(sample: Sample) -> Sample:
    """The sample with its label lower-cased (for labels whose case is arbitrary)."""
    return replace(sample, text=sample.text.lower())


def labels_all_upper(texts: Sequence[str]) -> bool:
    """True when the labels have letters but not one lower-case letter: a set transcribed in
    capitals (SROIE receipts, SVT), whose labels say nothing of the case printed."""
    letters = False
    for text in texts:
        for c in text:
            if c.islower():
                return False
            letters |= c.isupper()
    return letters


def ctc_steps(text: str) -> int:
    """Output steps CTC needs for ``text``: one per character plus a blank between repeats."""
    return len(text) + sum(1 for a, b in zip(text, text[1:], strict=False) if a == b)


def _named(items: Sequence[str]) -> str:
    more = f" and {len(items) - _MAX_NAMED} more" if len(items) > _MAX_NAMED else ""
    return ", ".join(items[:_MAX_NAMED]) + more


def check_samples(samples: Sequence[Sample], charset: Charset | None, max_label_len: int | None) -> None:
    """Raise ``TextlensError`` naming the bad file(s) before any training time is spent.

    Checks: every image opens; no empty label; every label fits in ``max_label_len`` output
    steps (CTC: a repeated character needs a blank between, see ``ctc_steps``); every
    character is in ``charset`` (when given). Duplicates are :func:`check_duplicates`' job, run once
    over the whole set (copies may fall on both sides of a train/validation split).
    """
    if not samples:
        raise TextlensError("no training samples")
    _check_images(samples)
    empty = [str(s) for s in samples if not s.text]
    if empty:
        raise TextlensError(f"{len(empty)} sample(s) with an empty label: {_named(empty)}; label or drop it")
    if max_label_len is not None:
        long = [s for s in samples if ctc_steps(s.text) > max_label_len]
        if long:
            names = [f"{s} ({ctc_steps(s.text)} steps)" for s in long]
            raise TextlensError(
                f"{len(long)} label(s) are longer than the model can emit ({max_label_len} steps): "
                f"{_named(names)}; use a wider input width, or split these images into shorter lines"
            )
    if charset is not None:
        _check_charset(samples, charset)


def unreadable_images(samples: Sequence[Sample]) -> dict[str, str]:
    """image -> why it cannot be opened, for every image of ``samples`` that cannot (header only: cheap)."""
    return {image: why for image, why in _image_sizes(samples).items() if isinstance(why, str)}


def drop_unreadable(samples: Sequence[Sample], log: Callable[[str], None]) -> list[Sample]:
    """``samples`` without those whose image cannot be opened; one log line names what was left out."""
    bad = unreadable_images(samples)
    if not bad:
        return list(samples)
    log(f"skipped {len(bad)} unreadable image(s): {_named([f'{i} ({why})' for i, why in bad.items()])}")
    return [s for s in samples if s.image not in bad]


def _image_sizes(samples: Sequence[Sample]) -> dict[str, tuple[int, int] | str]:
    """image -> (width, height), or the reason it cannot be opened."""
    from PIL import Image, UnidentifiedImageError

    sizes: dict[str, tuple[int, int] | str] = {}
    for image in dict.fromkeys(s.image for s in samples):
        try:
            with Image.open(image) as im:  # reads the header only: cheap
                sizes[image] = im.size
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            sizes[image] = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not an image"
    return sizes


def _check_images(samples: Sequence[Sample]) -> None:
    sizes = _image_sizes(samples)
    bad = [f"{image} ({why})" for image, why in sizes.items() if isinstance(why, str)]
    if bad:
        raise TextlensError(f"{len(bad)} image(s) cannot be read: {_named(bad)}; fix or remove them")
    outside = []
    for s in samples:
        if s.quad is None:
            continue
        w, h = sizes[s.image]  # type: ignore[misc]  # every image opened (checked above)
        xs, ys = s.quad[0::2], s.quad[1::2]
        if max(xs) <= 0 or max(ys) <= 0 or min(xs) >= w or min(ys) >= h:
            outside.append(str(s))
    if outside:
        raise TextlensError(f"{len(outside)} region(s) lie outside their image: {_named(outside)}; fix quads")


def _check_charset(samples: Sequence[Sample], charset: Charset) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for s in samples:
        for char in sorted(charset.missing(s.text)):
            missing[char].append(str(s))
    if missing:
        chars = "".join(sorted(missing))
        files = list(dict.fromkeys(f for names in missing.values() for f in names))
        raise TextlensError(
            f"{len(files)} label(s) use characters outside the model's charset ({chars!r}), "
            f"e.g. {_named(files)}; "
            "pass --extend-charset when fine-tuning to add them, or fix the labels"
        )


def check_duplicates(samples: Sequence[Sample]) -> int:
    """Raise if identical image files carry different labels; return how many crop samples are
    further copies of an earlier one with the same label (harmless, but they leak into validation)."""
    conflicts, copies = _duplicates(samples)
    if conflicts:
        raise TextlensError(
            f"{len(conflicts)} identical image file(s) carry different labels: "
            f"{_named([c.described() for c in conflicts])}; "
            "fix the labels or remove the duplicates (or train without --strict: they are then set aside)"
        )
    return copies


def drop_conflicting(samples: Sequence[Sample], log: Callable[[str], None]) -> list[Sample]:
    """``samples`` without every copy of an image that the set labels in two ways (which label is
    right cannot be told); one log line names them."""
    conflicts, _ = _duplicates(samples)
    if not conflicts:
        return list(samples)
    aside = {image for conflict in conflicts for image in conflict.files}
    log(
        f"set aside {len(aside)} image(s): {len(conflicts)} identical image(s) carry different labels: "
        f"{_named([c.described() for c in conflicts])}"
    )
    return [s for s in samples if s.quad is not None or s.image not in aside]


def drop_unlabelled(samples: Sequence[Sample], log: Callable[[str], None]) -> list[Sample]:
    """``samples`` without those whose label is empty; one log line counts and names them."""
    empty = [str(s) for s in samples if not s.text]
    if empty:
        log(f"set aside {len(empty)} sample(s) with an empty label: {_named(empty)}")
    return [s for s in samples if s.text]


@dataclass
class _Conflict:
    """Byte-identical crop images with more than one label: each label's first file, and every file."""

    labels: dict[str, str]
    files: set[str]

    def described(self) -> str:
        return " vs ".join(f"{f} ({t!r})" for t, f in self.labels.items())


def _duplicates(samples: Sequence[Sample]) -> tuple[list[_Conflict], int]:
    """(the images labelled in several ways; how many crop samples are further copies of an
    earlier one with the same label)."""
    groups: dict[str, _Conflict] = {}  # content hash -> its labels and files
    copies = 0
    for s in samples:
        if s.quad is not None:
            continue
        try:
            digest = hashlib.blake2b(Path(s.image).read_bytes(), digest_size=16).hexdigest()
        except OSError as exc:
            raise TextlensError(f"{s.image}: cannot read image ({exc.strerror})") from None
        group = groups.setdefault(digest, _Conflict({}, set()))
        copies += s.text in group.labels
        group.labels.setdefault(s.text, s.image)
        group.files.add(s.image)
    return [g for g in groups.values() if len(g.labels) > 1], copies
