"""Line crops: straighten a (rotated or perspective) quadrilateral into a horizontal image,
and map a column range of that image back to a polygon on the page.

The crop of quad ``[p0, p1, p2, p3]`` (clockwise from the text's top-left) is the image of
the homography sending ``p0, p1, p2, p3`` to the corners ``(0, 0), (w, 0), (w, h), (0, h)``;
its inverse turns word spans found by the recognizer (crop columns ``x0..x1``) into word
polygons in page coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from textlens.document import Polygon

__all__ = ["LineCrop", "crop_line", "order_quad", "polygon_to_quad"]


def order_quad(points: np.ndarray | Polygon) -> np.ndarray:
    """The 4 corners of a convex quad, clockwise on screen, starting at the text's top-left.

    The start is the corner whose outgoing clockwise edge points most nearly along +x: the
    top edge of text tilted by up to 45 degrees (rotate the page first for more).
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    centre = pts.mean(axis=0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0]), kind="stable")]
    following = (np.arange(len(pts)) + 1) % len(pts)
    edges = pts[following] - pts
    cosines = edges[:, 0] / (np.hypot(edges[:, 0], edges[:, 1]) + 1e-12)
    start = int(np.argmax(cosines + 1e-9 * -np.arange(len(pts))))
    return pts[(np.arange(len(pts)) + start) % len(pts)]


def polygon_to_quad(polygon: np.ndarray | Polygon) -> np.ndarray:
    """A detector polygon as an ordered quad: 4 points are kept (perspective), more are
    replaced by their minimum-area rectangle."""
    pts = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if len(pts) != 4:
        pts = cv2.boxPoints(cv2.minAreaRect(pts.astype(np.float32))).astype(np.float64)
    return order_quad(pts)


def quad_size(quad: np.ndarray) -> tuple[float, float]:
    """(width, height) of an ordered quad: the mean lengths of its top/bottom and left/right edges."""
    p0, p1, p2, p3 = quad
    width = (math.dist(p0, p1) + math.dist(p3, p2)) / 2
    height = (math.dist(p0, p3) + math.dist(p1, p2)) / 2
    return width, height


@dataclass
class LineCrop:
    """A straightened line image and the homography back to the page it came from."""

    image: np.ndarray
    quad: np.ndarray  # 4 x 2, ordered, in the coordinates of the image it was cut from
    to_page: np.ndarray  # 3 x 3 homography: crop pixels -> page pixels
    margin: float = 0.0  # crop pixels of context added on every side of the line's own box

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    def span_polygon(self, x0: float, x1: float) -> Polygon:
        """The page polygon (clockwise from top-left) of crop columns ``x0..x1``, spanning the
        line's own box (the context margin is left out)."""
        left, right = min(self.margin, self.width / 2), max(self.width - self.margin, self.width / 2)
        top, bottom = min(self.margin, self.height / 2), max(self.height - self.margin, self.height / 2)
        x0 = float(np.clip(x0, left, right))
        x1 = float(np.clip(x1, x0, right))
        corners = np.array([[[x0, top], [x1, top], [x1, bottom], [x0, bottom]]], np.float64)
        mapped = cv2.perspectiveTransform(corners, self.to_page)[0]
        return [(float(x), float(y)) for x, y in mapped]


def crop_line(image: np.ndarray, polygon: np.ndarray | Polygon, pad: float = 0.0, end_pad: float = 0.0) -> LineCrop:
    """Cut the text line ``polygon`` out of ``image`` as an upright horizontal crop.

    ``pad`` grows the quad by that fraction of its height on every side (context helps the
    recognizer on tight boxes); ``end_pad`` grows its end (the right side) further, for the
    line-final comma or full stop that the detector's box leaves out. Pixels outside the
    image repeat the border.
    """
    quad = polygon_to_quad(polygon)
    if min(quad_size(quad)) < 1.0:  # a degenerate box (a line or a point) has no perspective to undo
        centre, (half_w, half_h) = quad.mean(axis=0), np.maximum(np.ptp(quad, axis=0) / 2, 0.5)
        quad = centre + np.array([[-half_w, -half_h], [half_w, -half_h], [half_w, half_h], [-half_w, half_h]])
    margin = pad * quad_size(quad)[1]
    if pad or end_pad:
        quad = _grow(quad, pad, end_pad)
    width, height = quad_size(quad)
    w, h = max(1, int(round(width))), max(1, int(round(height)))
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    to_crop = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    crop = cv2.warpPerspective(image, to_crop, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # The warp scales by about 1, so the margin in crop pixels is the margin on the page.
    return LineCrop(crop, quad, np.linalg.inv(to_crop), margin * h / max(height, 1e-9))


def _grow(quad: np.ndarray, pad: float, end_pad: float = 0.0) -> np.ndarray:
    """Push each edge of an ordered quad outwards by ``pad`` x its height (the end edge by
    ``pad + end_pad`` x its height)."""
    _, height = quad_size(quad)
    p0, p1, p2, p3 = quad
    along = (p1 - p0 + p2 - p3) / 2
    down = (p3 - p0 + p2 - p1) / 2
    along /= np.linalg.norm(along) + 1e-12
    down /= np.linalg.norm(down) + 1e-12
    d, e = pad * height, (pad + end_pad) * height
    return np.array(
        [p0 - d * along - d * down, p1 + e * along - d * down, p2 + e * along + d * down, p3 - d * along + d * down]
    )
