"""Reading order of right-to-left lines (Arabic): logical order in text, visual order in the image.

A CTC recognizer emits characters left to right across the image, which for a right-to-left line
is the reverse of the order the text is stored in, except runs of digits and Latin inside it.
Training labels go to visual order, and readings come back to logical order, by the Unicode
bidirectional algorithm (python-bidi) with a right-to-left base direction. For such lines the
conversion is its own inverse (checked on every line of arabic-print-lines-dev), so one function
serves both ways. Brackets are not mirrored: a recognizer learns that the glyph "(" at the left
of a right-to-left footnote "(3)" is the label's ")", which is the logical closing bracket.
"""

from __future__ import annotations

from dataclasses import replace

from bidi import get_display

from textlens.recognition.charset import RTL_SCRIPTS
from textlens.recognition.decoding import LineResult


def visual_order(text: str) -> str:
    """The characters of right-to-left ``text`` (logical order) as they stand left to right."""
    return get_display(text, base_dir="R") if text else text


def logical_order(text: str) -> str:
    """The logical (reading) order of a right-to-left line read left to right."""
    return get_display(text, base_dir="R") if text else text


def model_order(text: str, script: str) -> str:
    """A label in the order a recognizer of ``script`` emits it (visual for right-to-left scripts)."""
    return visual_order(text) if script in RTL_SCRIPTS else text


def reading_order(text: str, script: str) -> str:
    """A recognizer's output in reading order (logical for right-to-left scripts)."""
    return logical_order(text) if script in RTL_SCRIPTS else text


def logical_line(result: LineResult) -> LineResult:
    """A right-to-left line's reading: text in logical order, words from right to left."""
    words = [replace(word, text=logical_order(word.text)) for word in reversed(result.words)]
    return replace(result, text=logical_order(result.text), words=words)
