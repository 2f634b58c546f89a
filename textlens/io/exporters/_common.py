"""Geometry and metadata helpers shared by the exporters (private)."""

from __future__ import annotations

import math
import os
import re
from datetime import datetime, timezone

from textlens.document import BBox, Document, Page, Polygon, polygon_bbox

SOFTWARE_NAME = "textlens"

# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with each character XML cannot carry replaced by U+FFFD (a file name may hold one)."""
    return NOT_XML.sub("\ufffd", text)


def software_version() -> str:
    from textlens import __version__

    return __version__


def now_utc() -> datetime:
    """The export time; honours SOURCE_DATE_EPOCH so builds can be reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def clamp01(value: float) -> float:
    """Confidences are documented in [0, 1]; schemas reject anything outside."""
    if value != value:  # NaN
        return 0.0
    return min(1.0, max(0.0, float(value)))


def int_bbox(bbox: BBox, page: Page) -> tuple[int, int, int, int]:
    """Integer ``(x0, y0, x1, y1)`` rounded and clamped to the page."""
    x0, y0, x1, y1 = bbox
    ix0 = min(max(round(x0), 0), page.width)
    iy0 = min(max(round(y0), 0), page.height)
    ix1 = min(max(round(x1), ix0), page.width)
    iy1 = min(max(round(y1), iy0), page.height)
    return ix0, iy0, ix1, iy1


def int_points(polygon: Polygon, page: Page) -> list[tuple[int, int]]:
    """Polygon points rounded and clamped to the page (PAGE/ALTO want non-negative integers)."""
    return [(min(max(round(x), 0), page.width), min(max(round(y), 0), page.height)) for x, y in polygon]


def is_axis_aligned_rect(polygon: Polygon, tol: float = 0.5) -> bool:
    """True for the 4-point polygon of an axis-aligned box (nothing is lost by writing a bbox)."""
    if len(polygon) != 4:
        return False
    x0, y0, x1, y1 = polygon_bbox(polygon)
    return all(min(abs(x - x0), abs(x - x1)) <= tol and min(abs(y - y0), abs(y - y1)) <= tol for x, y in polygon)


def text_angle(polygon: Polygon) -> float:
    """Reading direction of a polygon in degrees, counter-clockwise on screen (0 = left to right).

    Polygons start at the top-left point of the text as it reads and go clockwise, so the
    first edge runs along the top of the text.
    """
    if len(polygon) < 2:
        return 0.0
    (x0, y0), (x1, y1) = polygon[0], polygon[1]
    if x0 == x1 and y0 == y1:
        return 0.0
    return math.degrees(math.atan2(-(y1 - y0), x1 - x0))  # y grows downwards on screen


def page_image_name(document: Document, page: Page) -> str:
    """The image file name to cite in page-level metadata."""
    if document.source:
        return xml_safe(os.path.basename(document.source))
    return f"page-{page.index + 1:04d}.png"
