"""Page orientation (0/90/180/270) and skew, and the geometry that maps points between
the original image and the upright, levelled frame that layout analysis works in.

Frames used by the pipeline:

* *original*: the image as given (``textlens.document``'s coordinates);
* *upright*: the original turned clockwise by ``turns`` quarter turns so text reads left
  to right (``rotate_image``); detection polygons and crops live here;
* *level*: the upright frame rotated by ``-skew`` about its centre so text lines are
  horizontal; used only to group lines and order them (images are never resampled:
  each line crop is straightened on its own).

Orientation is found with the models themselves (see ``OrientationFinder``): unless the
detector found plenty of wide lines, the page is detected again a quarter turn round; 0
versus 180 is decided by recognizing the longest lines both ways up and keeping the more
confident reading. Checked on the 41 SROIE test receipts turned by 0/90/180/270: every
orientation right, and an upright page costs no extra detection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median

import cv2
import numpy as np

from textlens.document import Polygon
from textlens.layout.crops import crop_line, order_quad, quad_size

__all__ = [
    "Orientation",
    "OrientationFinder",
    "PageFrame",
    "horizontal_score",
    "rotate_image",
    "rotate_points",
    "skew_angle",
]

_ROTATE_CODES = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate_image(image: np.ndarray, turns: int) -> np.ndarray:
    """``image`` turned clockwise by ``turns`` quarter turns (exact pixel permutation)."""
    turns %= 4
    return image if turns == 0 else cv2.rotate(image, _ROTATE_CODES[turns])


def rotate_points(points: np.ndarray | Polygon, turns: int, width: float, height: float) -> np.ndarray:
    """Map points of a ``width`` x ``height`` image into that image turned clockwise by
    ``turns`` quarter turns. Negative ``turns`` undo a rotation: pass the size of the
    *turned* image then (pixel edges are coordinates: the corner (0, 0) maps to a corner)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2).copy()
    turns %= 4
    for _ in range(turns):  # one clockwise quarter: (x, y) -> (H - y, x), size (W, H) -> (H, W)
        pts = np.stack([height - pts[:, 1], pts[:, 0]], axis=1)
        width, height = height, width
    return pts


def _as_polygon(points: np.ndarray) -> Polygon:
    return [(float(x), float(y)) for x, y in points]


@dataclass(frozen=True)
class PageFrame:
    """The transforms between the original image and the upright/level frames of one page."""

    width: int  # original image size
    height: int
    turns: int = 0  # clockwise quarter turns that make the text upright
    skew: float = 0.0  # degrees, clockwise on screen, of text lines in the upright frame

    @property
    def orientation(self) -> int:
        """Clockwise degrees the page content is turned by (``Page.orientation``)."""
        return (-90 * self.turns) % 360

    @property
    def upright_size(self) -> tuple[int, int]:
        return (self.height, self.width) if self.turns % 2 else (self.width, self.height)

    def upright_image(self, image: np.ndarray) -> np.ndarray:
        return rotate_image(image, self.turns)

    def to_original(self, points: np.ndarray | Polygon) -> Polygon:
        """Upright-frame points -> original image points."""
        w, h = self.upright_size
        return _as_polygon(rotate_points(points, -self.turns, w, h))

    def to_upright(self, points: np.ndarray | Polygon) -> np.ndarray:
        """Original image points -> upright-frame points."""
        return rotate_points(points, self.turns, self.width, self.height)

    def to_level(self, points: np.ndarray | Polygon) -> np.ndarray:
        """Upright-frame points -> level frame (rotated by -skew about the centre)."""
        return self._rotate_about_centre(points, -self.skew)

    def level_to_original(self, points: np.ndarray | Polygon) -> Polygon:
        return self.to_original(self._rotate_about_centre(points, self.skew))

    def _rotate_about_centre(self, points: np.ndarray | Polygon, degrees: float) -> np.ndarray:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if not degrees:
            return pts
        w, h = self.upright_size
        centre = np.array([w / 2, h / 2])
        a = math.radians(degrees)  # y points down, so a positive angle turns clockwise on screen
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return (pts - centre) @ rot.T + centre


def horizontal_score(quads: Sequence[np.ndarray], elongation: float = 1.5) -> tuple[float, float]:
    """(horizontal, vertical): total long-side length of quads clearly wider than tall, and
    of quads clearly taller than wide, measured on their axis-aligned boxes."""
    horizontal = vertical = 0.0
    for quad in quads:
        w = float(np.ptp(quad[:, 0]))
        h = float(np.ptp(quad[:, 1]))
        if w >= elongation * h:
            horizontal += w
        elif h >= elongation * w:
            vertical += h
    return horizontal, vertical


def skew_angle(quads: Sequence[np.ndarray], max_angle: float = 15.0) -> float:
    """Median angle (degrees, clockwise on screen) of the top edges of elongated upright
    quads; 0 when there are none or the median is beyond ``max_angle``."""
    angles = []
    for quad in quads:
        width, height = quad_size(quad)
        if width >= 2 * height:
            dx, dy = quad[1] - quad[0]
            angles.append(math.degrees(math.atan2(dy, dx)))
    if not angles:
        return 0.0
    angle = float(median(angles))
    return angle if abs(angle) <= max_angle else 0.0


Detect = Callable[[np.ndarray], list[np.ndarray]]  # image -> ordered quads
Recognize = Callable[[list[np.ndarray]], list]  # crops -> LineResults (with .confidence)


@dataclass
class Orientation:
    """What ``OrientationFinder`` found: quarter turns, the quads in the upright frame, and
    recognizer results already computed for some of them (index -> LineResult)."""

    turns: int
    quads: list[np.ndarray]
    known: dict[int, object] = field(default_factory=dict)


@dataclass
class OrientationFinder:
    """Decides the quarter turns that make a page upright, using the detector and recognizer.

    0 or 90: a detector trained on upright text finds long, wide lines on an upright page
    and short or tall fragments (often hardly anything) on a page turned a quarter; so unless
    at least ``min_lines`` boxes are found with a median width/height of ``min_aspect`` or
    more, the page is detected again a quarter turn round, and kept so if then at least
    ``turn_ratio`` times as much text lies horizontal.

    0 or 180: the ``samples`` longest lines are recognized both ways up and their confidences
    compared, each line weighted by its longer reading (a few characters read from a stain or
    a logo weigh little); when the two are within ``unsure``, up to ``2 * samples`` more lines
    are read first. Pages come upright far more often than upside down, so the page is turned
    over only when it reads at least ``flip_margin`` more confidently that way. A flipped page
    is detected again the right way up (``redetect``), so its boxes are exactly an upright
    page's.
    """

    samples: int = 4
    unsure: float = 0.1
    flip_margin: float = 0.05
    turn_ratio: float = 1.25
    min_lines: int = 8
    min_aspect: float = 2.0
    redetect: bool = True
    crop_pad: float = 0.0
    crop_pad_end: float = 0.0

    def find(
        self, image: np.ndarray, detect: Detect, recognize: Recognize, recognize_turned: Recognize | None = None
    ) -> Orientation:
        """``recognize_turned`` reads the turned-over crops (default ``recognize``): only their
        confidence counts, so it may be a plainer reader."""
        turned_reader = recognize_turned or recognize
        quads = detect(image)
        turns, working = 0, image
        if not self.looks_upright(quads):
            turned = rotate_image(image, 1)
            turned_quads = detect(turned)
            if horizontal_score(turned_quads)[0] > self.turn_ratio * horizontal_score(quads)[0]:
                turns, working, quads = 1, turned, turned_quads
        if not quads or self.samples <= 0:
            return Orientation(turns, quads)

        longest = sorted(range(len(quads)), key=lambda i: -quad_size(quads[i])[0])
        sample = longest[: self.samples]
        upright, flipped = self._read_both_ways(working, [quads[i] for i in sample], recognize, turned_reader)
        if flipped is None:
            return Orientation(turns, quads, dict(zip(sample, upright)))
        if abs(_flip_gain(upright, flipped)) < self.unsure and len(longest) > len(sample):
            more = longest[self.samples : 3 * self.samples]
            more_upright, more_flipped = self._read_both_ways(
                working, [quads[i] for i in more], recognize, turned_reader, always=True
            )
            sample, upright, flipped = sample + more, upright + more_upright, flipped + more_flipped
        if _flip_gain(upright, flipped) < self.flip_margin:
            return Orientation(turns, quads, dict(zip(sample, upright)))
        turns = (turns + 2) % 4
        if self.redetect:
            return Orientation(turns, detect(rotate_image(working, 2)))
        h, w = working.shape[:2]
        flipped_quads = [order_quad(rotate_points(q, 2, w, h)) for q in quads]
        return Orientation(turns, flipped_quads, dict(zip(sample, flipped)))

    def _read_both_ways(
        self,
        image: np.ndarray,
        quads: list[np.ndarray],
        recognize: Recognize,
        recognize_turned: Recognize,
        always: bool = False,
    ) -> tuple[list, list | None]:
        """Recognizer results for the line crops as they are and turned over; the turned-over
        reading is skipped (None) unless ``always`` when the lines read so surely as they are that
        no reading the other way could reach ``flip_margin`` (most upright pages: the gain is a
        weighted mean of confidence differences, so it is at most the largest ``1 - confidence``)."""
        crops = [crop_line(image, quad, self.crop_pad, self.crop_pad_end).image for quad in quads]
        upright = recognize(crops)
        least_sure = min((r.confidence if r.text.strip() else 0.0 for r in upright), default=0.0)
        if not always and 1.0 - least_sure < self.flip_margin:
            return upright, None
        return upright, recognize_turned([rotate_image(c, 2) for c in crops])

    def looks_upright(self, quads: Sequence[np.ndarray]) -> bool:
        """Enough wide boxes to take the page's text as horizontal without a second look."""
        if len(quads) < self.min_lines:
            return False
        aspects = [float(np.ptp(q[:, 0])) / max(float(np.ptp(q[:, 1])), 1e-6) for q in quads]
        return median(aspects) >= self.min_aspect


def _flip_gain(upright: list, flipped: list) -> float:
    """How much more confidently the lines read turned over than as they are, in [-1, 1].

    Each line weighs the length of its longer reading; an empty reading counts as zero
    confidence (upside-down text often decodes to nothing)."""
    total = gain = 0.0
    for up, down in zip(upright, flipped):
        weight = max(len(up.text.strip()), len(down.text.strip()), 1)
        score_up = up.confidence if up.text.strip() else 0.0
        score_down = down.confidence if down.text.strip() else 0.0
        total += weight
        gain += weight * (score_down - score_up)
    return gain / total if total else 0.0
