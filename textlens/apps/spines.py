"""Book spines on a shelf: the titles that run up or down each spine, left to right.

``read_spines(shelf)`` reads the photo turned a quarter both ways (page orientation off: the turn is
ours) with the document and the scene detectors' pipelines, so text running down a spine
(English-language books) and text running up it (many continental ones) both come out as horizontal
lines, small print and large titles alike. Where readings overlap, the surest stays: confidence, plus
the character LM per character (text read upside down is letters no language strings together), less
a margin against the shelf's main direction. The lines are put back into the photo's coordinates and
gathered into spines: lines close side by side belong to one book unless a border (a steep step down
most rows between them), a crease (two round backs touching) or another binding colour lies between
them. A spine's lines are read title first (for text running down the spine, its rightmost line).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from textlens.document import Line, Polygon, pixel_box
from textlens.errors import TextlensError

MIN_CONFIDENCE = 0.3  # lines read less surely than this are noise (wood grain, labels half hidden)
SAME_TEXT_OVERLAP = 0.3  # two readings whose boxes overlap this much (of the smaller) are one text
BINDING_DIFFERENCE = 40  # grey levels in some channel: lines on bindings this different are on two books
SAME_BINDING = 20  # ... and lines not side by side must be on bindings closer than this
BORDER_GRADIENT = 12.0  # grey levels per pixel: a step this steep beside most rows of two lines is a border
BORDER_CLEARANCE = 3  # pixels between a line's box and where a border is looked for
BORDER_ROWS = 0.4  # share of the common height the step must show in (the border may be hidden by a lean)
CREASE_DEPTH = 3.0  # grey levels the light falls between two touching books below both sides
OTHER_WAY_MARGIN = 0.1  # a reading against the shelf's main direction must be this much surer to win
SPINE_LM, LM_WEIGHT = "latin-lm", 0.25  # per-character log probability, added to the confidence
_LM: Any = None


@dataclass
class SpineLine:
    text: str
    confidence: float
    polygon: Polygon  # in the photo's pixels
    downwards: bool  # the text runs top to bottom

    @property
    def box(self) -> tuple[int, int, int, int]:
        return pixel_box(self.polygon)


@dataclass
class Spine:
    """The text on one spine and where it is (box in the photo's pixels)."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float
    downwards: bool
    lines: list[SpineLine]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "box": list(self.box),
            "confidence": round(self.confidence, 4),
            "direction": "down" if self.downwards else "up",
            "lines": [line.text for line in self.lines],
        }


def read_spines(image: np.ndarray, *, pipelines: list[Any] | None = None) -> list[Spine]:
    """The spines of a shelf photo (RGB or grey uint8), left to right. ``pipelines``: the readers to
    use (default: the document and the scene detector's, page orientation off)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or min(image.shape[:2]) < 8:
        raise TextlensError(f"a uint8 image of at least 8x8 pixels is needed, got {image.shape} {image.dtype}")
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else np.ascontiguousarray(image[..., :3])
    lines = []
    for reader in pipelines or default_pipelines():
        reader = reader.with_options(orientation=False)  # the turn is ours
        for turn, downwards in ((1, True), (-1, False)):  # a quarter anticlockwise makes downward text upright
            page = reader.read(np.ascontiguousarray(np.rot90(rgb, turn))).pages[0]
            lines += [_back(line, turn, rgb.shape, downwards) for line in page.lines if line.text.strip()]
    kept = _surest(
        [line for line in lines if line.confidence >= MIN_CONFIDENCE and any(c.isalnum() for c in line.text)]
    )
    return [_spine(group) for group in _group(kept, rgb)]


_PIPELINES: list[Any] = []


def default_pipelines(threads: int | None = None) -> list[Any]:
    """The document detector's pipeline and, where installed, the scene detector's: the scene one
    finds large and light-on-colour titles the document one misses, the document one reads small
    print better; each keeps what it reads surest."""
    from textlens.pipeline import Pipeline, PipelineConfig, has_scene_detector

    if not _PIPELINES:
        modes = ("document", "scene") if has_scene_detector() else ("document",)
        _PIPELINES.extend(Pipeline.from_config(PipelineConfig(mode=mode, threads=threads)) for mode in modes)
    return _PIPELINES


def _back(line: Line, turn: int, shape: tuple[int, ...], downwards: bool) -> SpineLine:
    """The line with its polygon in the photo (``np.rot90(photo, turn)`` was read)."""
    height, width = shape[:2]
    if turn == 1:  # rotated pixel (x', y') came from (width - y', x')
        points = [(width - y, x) for x, y in line.polygon]
    else:  # turn == -1: (x', y') came from (y', height - x')
        points = [(y, height - x) for x, y in line.polygon]
    return SpineLine(line.text, float(line.confidence), points, downwards)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1)


def _surest(lines: list[SpineLine]) -> list[SpineLine]:
    """Of readings that overlap (the same text read both ways up), the surest one; the shelf's main
    direction (the one more text reads surely in) wins unless the other reading is clearly surer."""
    weight = {True: 0.0, False: 0.0}
    for line in lines:
        weight[line.downwards] += line.confidence * len(line.text.strip())
    main_way = weight[True] >= weight[False]

    lm = _language_model()

    def sureness(line: SpineLine) -> float:
        # text read upside down is letters no language strings together: the LM per character says so
        fluency = LM_WEIGHT * lm.score(line.text) / max(1, len(line.text)) if lm is not None else 0.0
        return line.confidence + fluency + (0.0 if line.downwards == main_way else -OTHER_WAY_MARGIN)

    kept: list[SpineLine] = []
    for line in sorted(lines, key=lambda line: (-sureness(line), -len(line.text))):
        if all(_overlap(line.box, other.box) < SAME_TEXT_OVERLAP for other in kept):
            kept.append(line)
    return kept


def _border_between(grey_gradient: np.ndarray, a: SpineLine, b: SpineLine) -> bool:
    """A book border (a vertical edge down most of the rows between them) runs between line ``a``
    (left) and line ``b`` (right). Text strokes stop at the boxes; a binding's round back shades gently."""
    ax1, bx0 = a.box[2], b.box[0]
    top, bottom = _rows_between(a, b)
    left, right = ax1 + BORDER_CLEARANCE, bx0 - BORDER_CLEARANCE  # clear of the letters' own edges
    if right <= left:
        return False  # too close to tell: the binding colours decide
    strip = grey_gradient[top:bottom, left:right]
    if strip.size == 0:
        return False
    return float(np.mean(strip.max(axis=1) > BORDER_GRADIENT)) > BORDER_ROWS


def _crease_between(grey: np.ndarray, a: SpineLine, b: SpineLine) -> bool:
    """Two books of one colour touching: across the gap between their lines the light falls into a
    crease (the round backs shade towards their edges), where across one spine it peaks or stays flat."""
    ax1, bx0 = a.box[2], b.box[0]
    top, bottom = _rows_between(a, b)
    left, right = ax1 + BORDER_CLEARANCE, bx0 - BORDER_CLEARANCE
    if bottom - top < 8 or right - left < 3:
        return False
    profile = np.median(grey[top:bottom, left:right], axis=0)
    inner = profile[1:-1].min() if len(profile) > 2 else profile.min()
    return float(min(profile[0], profile[-1]) - inner) > CREASE_DEPTH


def _rows_between(a: SpineLine, b: SpineLine) -> tuple[int, int]:
    """The rows to look for a border in: the lines' common height, or all of both where they have
    little in common (a book border runs the whole height; no text lies between the two lines)."""
    top, bottom = max(a.box[1], b.box[1]), min(a.box[3], b.box[3])
    if bottom - top < 8:
        top, bottom = min(a.box[1], b.box[1]), max(a.box[3], b.box[3])
    return top, bottom


def _horizontal_gradient(rgb: np.ndarray) -> np.ndarray:
    """|d/dx| of the smoothed image, the strongest over the colour channels, spread a pixel sideways."""
    smooth = cv2.GaussianBlur(rgb, (0, 0), 1.5).astype(np.float32)
    gradient = np.abs(cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)).max(axis=2) / 4
    return cv2.dilate(gradient, np.ones((1, 3), np.uint8))


def _group(lines: list[SpineLine], rgb: np.ndarray) -> list[list[SpineLine]]:
    """Lines side by side on the same binding colour, running the same way with no book border between
    them, form one spine; spines left to right."""
    gradient = _horizontal_gradient(rgb)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    groups: list[list[SpineLine]] = []
    for line in sorted(lines, key=lambda line: (line.box[0] + line.box[2]) / 2):
        if groups:
            last = max(groups[-1], key=lambda other: other.box[2])
            thickness = min(line.box[2] - line.box[0], last.box[2] - last.box[0])
            close = line.box[0] - last.box[2] < 1.5 * thickness
            difference = np.abs(_binding(rgb, line.box) - _binding(rgb, last.box)).max()
            # side by side along a common height, or pieces of one line, or one binding colour exactly
            beside = _common_height(last, line) >= 0.25 * min(_length(last), _length(line))
            alike = difference < (BINDING_DIFFERENCE if beside or _shares_width(last, line) else SAME_BINDING)
            border = _border_between(gradient, last, line) or _crease_between(grey, last, line)
            if close and alike and last.downwards == line.downwards and not border:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _language_model() -> Any:
    from textlens.models.registry import resolve_model
    from textlens.recognition.lm import CharNgramLM

    global _LM
    if _LM is None:
        try:
            _LM = CharNgramLM.load(resolve_model(SPINE_LM, "lm"))
        except TextlensError:
            _LM = False  # not installed: confidences alone decide
    return _LM or None


def _common_height(a: SpineLine, b: SpineLine) -> int:
    return max(0, min(a.box[3], b.box[3]) - max(a.box[1], b.box[1]))


def _length(line: SpineLine) -> int:
    return line.box[3] - line.box[1]


def _binding(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The colour around a line's letters (the median of its box: letters cover less than half)."""
    x0, y0, x1, y1 = box
    region = rgb[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1)].reshape(-1, 3)
    return np.median(region, axis=0) if region.size else np.zeros(3)


def _spine(lines: list[SpineLine]) -> Spine:
    downwards = lines[0].downwards
    # columns of pieces (one line of text along the spine, maybe cut in pieces); running down the
    # spine the first column is the rightmost and its pieces go top to bottom; running up, the reverse
    columns: list[list[SpineLine]] = []
    for line in sorted(lines, key=lambda line: -line.box[2] if downwards else line.box[0]):
        column = next((c for c in columns if _shares_width(c[0], line)), None)
        if column is not None:
            column.append(line)
        else:
            columns.append([line])
    ordered = [
        piece for column in columns for piece in sorted(column, key=lambda p: p.box[1] if downwards else -p.box[3])
    ]
    x0 = min(line.box[0] for line in lines)
    y0 = min(line.box[1] for line in lines)
    x1 = max(line.box[2] for line in lines)
    y1 = max(line.box[3] for line in lines)
    confidence = float(np.mean([line.confidence for line in lines]))
    return Spine(" ".join(line.text for line in ordered), (x0, y0, x1, y1), confidence, downwards, ordered)


def _shares_width(a: SpineLine, b: SpineLine) -> bool:
    shared = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    return shared >= 0.5 * min(a.box[2] - a.box[0], b.box[2] - b.box[0])
