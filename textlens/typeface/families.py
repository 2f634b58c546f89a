"""The font classes a font-identification model learns: this machine's text faces, grouped by look.

A class is one typographic family, or several whose Latin letters are drawn the same (metric clones
such as Arimo and Liberation Sans, or the thirty Arabeyes faces that share one Latin design): no
model can tell those apart from pixels, so the answer names them all. Each class carries its
generic kind (serif, sans, mono, script, display) and the font files of its styles.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from textlens.synth.fonts import FontInfo, every_text_face

GENERIC_KINDS = ("serif", "sans", "mono", "script", "display")
# Rendered alike when the ink of a probe line overlaps this much (intersection over union).
SAME_LOOK_IOU = 0.9
_PROBE = "Hamburgefonstiv QWERTY 0123456789 gjkpxyz AKMRSW"
_NEEDED = frozenset(string.ascii_uppercase + string.digits)
# Decorative initials draw boxes for lower case: not text faces.
_NOT_TEXT = re.compile(r"Initials|Weather|Quran Colored", re.IGNORECASE)

# Generic kinds by family name, first match wins; names no rule matches are serif.
_KIND_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("display", re.compile(r"^DSEG|Bebas|Smallcaps", re.IGNORECASE)),
    ("script", re.compile(r"Z003|Chancery|Comic|Script|Hand", re.IGNORECASE)),
    ("serif", re.compile(r"Variable Width", re.IGNORECASE)),  # CMU's proportional typewriter is a slab serif
    ("mono", re.compile(r"\bMono|\bCode\b|Typewriter|Courier|Inconsolata|Hack|Cousine|Agave|mononoki", re.IGNORECASE)),
    (
        "sans",
        re.compile(
            r"Sans|Gothic|Arimo|Carlito|Cantarell|Lato|Roboto|Quicksand|Spartan|Andika|Biolinum|Bright|^Go( Medium)?$|"
            r"Neohellenic|^(AlArabiya|AlBattar|AlHor|AlManzomah|AlYarmook|Arab|Cortoba|Dimnah|Electron|Granada|Graph|"
            r"Hani|Haramain|Hor|Japan|Jet|Kayrawan|Khalid|Mashq|Metal|Nada|Nagham|Nice|Ostorah|Ouhod|Petra|Rasheeq|"
            r"Rehan|Salem|Shado|Sharjah|Sindbad|Tarablus)$",
            re.IGNORECASE,
        ),
    ),
)


def generic_kind(family: str, mono: bool = False) -> str:
    """Serif, sans, mono, script or display, from the family's name (and its fixed pitch)."""
    for kind, rule in _KIND_RULES:
        if rule.search(family):
            return kind
    return "mono" if mono else "serif"


@dataclass
class FontClass:
    """One answer of the model: a family, or families drawn alike, with its kind and style files."""

    name: str
    families: list[str]
    kind: str
    paths: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "families": self.families, "kind": self.kind}


def text_faces() -> dict[str, list[FontInfo]]:
    """Family -> its styles, for every face on this machine that draws A-Z and 0-9 as text."""
    families: dict[str, list[FontInfo]] = {}
    for info in every_text_face():
        if _NEEDED <= info.chars and not _NOT_TEXT.search(info.family or info.path):
            families.setdefault(info.family or info.path, []).append(info)
    return {name: sorted(styles, key=lambda i: i.path) for name, styles in sorted(families.items())}


def regular_style(styles: list[FontInfo]) -> FontInfo:
    """The upright style nearest to regular weight."""
    return min(styles, key=lambda i: (i.italic, abs(i.weight - 400), i.path))


def font_classes(faces: dict[str, list[FontInfo]] | None = None) -> list[FontClass]:
    """This machine's font classes: families whose probe lines render alike are merged."""
    faces = text_faces() if faces is None else faces
    names = sorted(faces)
    inks = [_probe_ink(regular_style(faces[n]).path) for n in names]
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            if _iou(inks[a], inks[b]) >= SAME_LOOK_IOU:
                parent[root(b)] = root(a)
    groups: dict[int, list[str]] = {}
    for i, name in enumerate(names):
        groups.setdefault(root(i), []).append(name)
    classes = []
    for members in groups.values():
        kinds = [generic_kind(m, regular_style(faces[m]).mono) for m in members]
        kind = max(kinds, key=kinds.count)  # the majority; on a tie the first family's
        paths = [info.path for m in members for info in faces[m]]
        classes.append(FontClass(class_name(members), members, kind, paths))
    return sorted(classes, key=lambda c: c.name.lower())


def class_name(families: list[str]) -> str:
    """The class's name: "A", "A / B", or "A (+N drawn alike)" for a larger group."""
    if len(families) <= 3:
        return " / ".join(families)
    return f"{families[0]} (+{len(families) - 1} drawn alike)"


def _probe_ink(path: str) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, 32)
    image = Image.new("L", (1200, 50), 0)
    ImageDraw.Draw(image).text((5, 40), _PROBE, fill=255, font=font, anchor="ls")
    return np.asarray(image) > 127


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = int(np.count_nonzero(a | b))
    return int(np.count_nonzero(a & b)) / union if union else 1.0


def classes_on_this_machine(described: list[dict[str, Any]]) -> list[FontClass]:
    """A model's classes (``FontClass.to_dict()`` each) with the style files this machine has for them."""
    faces = text_faces()
    classes = []
    for item in described:
        paths = [info.path for family in item["families"] for info in faces.get(family, [])]
        classes.append(FontClass(item["name"], list(item["families"]), item["kind"], paths))
    return classes
