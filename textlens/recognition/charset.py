"""The charset: which characters a recognizer can emit, as data.

Index 0 is the CTC blank; characters map to 1..N. The charset is stored in every
checkpoint and in the ONNX metadata, so a model file always describes itself.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from textlens.errors import TextlensError

# Printable ASCII (with space) plus common Latin-1 letters and symbols.
LATIN_EXTRA = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŸ€£¥¢§°±µ×÷«»¿¡©®™•–—‘’“”…"
# Central European (Polish, Czech, Slovak, Hungarian) and Icelandic letters, low and single quotes.
LATIN_MORE = "ĄąĆćĘęŁłŃńŚśŹźŻżČčĎďĚěŇňŘřŠšŤťŮůŽžĹĺĽľŔŕŐőŰűÐðÞþ„‚‹›"
DEFAULT_CHARS = string.digits + string.ascii_letters + string.punctuation + " " + LATIN_EXTRA + LATIN_MORE


def _greek_letters() -> str:
    """Every Greek letter, monotonic and polytonic, that is its own NFC form (U+1F71 "ά" with oxia
    is canonically U+03AC with tonos, so only the latter is kept), Coptic letters left out."""
    points = [*range(0x0386, 0x03D0), *range(0x03D0, 0x03D7), *range(0x1F00, 0x2000)]
    letters = [chr(p) for p in points if unicodedata.category(chr(p)).startswith("L")]
    return "".join(c for c in letters if unicodedata.normalize("NFC", c) == c)


# Classical commentaries and editions mix polytonic Greek with Latin, German and English: the
# Greek letters, the elision mark and ano teleia, and the German long s and double hyphen.
GREEK_EXTRA = _greek_letters() + "ʼ·„‚ſ⸗†‖"


def _arabic_letters() -> str:
    """The Arabic alphabet (hamza forms, ta marbuta, alef maksura) and the Persian/Urdu additions."""
    points = [*range(0x0621, 0x063B), *range(0x0641, 0x064B)]
    return "".join(chr(p) for p in points) + "ٱپچڤکگی"


# Harakat, Quranic and hamza marks, superscript alef and tatweel: printed in many books, left out of
# most transcriptions (a recognizer learns them only with --keep-diacritics).
ARABIC_MARKS = "".join(chr(p) for p in range(0x064B, 0x0660)) + "\u0670\u0640"
ARABIC_EXTRA = _arabic_letters() + "٠١٢٣٤٥٦٧٨٩،؛؟«»" + ARABIC_MARKS


def strip_arabic_marks(text: str) -> str:
    """``text`` without harakat and tatweel (how Arabic transcriptions are usually written). NFC first:
    a hamza stored as a combining mark after its alef is part of the letter (أ), not a mark to drop."""
    return "".join(c for c in unicodedata.normalize("NFC", text) if c not in ARABIC_MARKS)


# Russian, Ukrainian, Belarusian, Bulgarian, Serbian and Macedonian letters, and the numero sign.
CYRILLIC_EXTRA = "".join(chr(p) for p in range(0x0400, 0x0460)) + "ҐґЎў№"


# Latin-script characters of (nearly) the same shape: a recognizer extended to another script
# starts each new letter from the one it already reads (textlens.training.recognizer.transfer_weights).
LOOKALIKES = dict(
    zip(
        "αβγεηικμνορσςτυχωΑΒΕΖΗΙΚΜΝΟΡΤΥΧſ⸗„‚†‖·ʼ" + "АВЕКМНОРСТХаеорсухѕіјЅІЈ" + "ŁłÐðÞþ‹›",
        "aßyenikµvopoctuxwABEZHIKMNOPTYXf=,,+|.’" + "ABEKMHOPCTXaeopcyxsijSIJ" + "LlDdPp<>",
        strict=True,
    )
)
# What a recognizer of each script group can write (``textlens train recognizer --script``).
SCRIPT_CHARS = {
    "latin": DEFAULT_CHARS,
    "greek": DEFAULT_CHARS + "".join(c for c in GREEK_EXTRA if c not in DEFAULT_CHARS),
    "cyrillic": DEFAULT_CHARS + CYRILLIC_EXTRA,
    "arabic": string.digits + string.punctuation + " " + ARABIC_EXTRA,
}
RTL_SCRIPTS = frozenset({"arabic"})  # lines run right to left: read in visual order, given in logical order


def normalize_text(text: str) -> str:
    """NFC, typographic spaces to plain spaces, runs of whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Charset:
    """An ordered set of characters; encode/decode between text and label indices."""

    chars: str

    def __post_init__(self) -> None:
        if len(set(self.chars)) != len(self.chars):
            raise TextlensError("charset has duplicate characters")

    @classmethod
    def default(cls) -> Charset:
        return cls(DEFAULT_CHARS)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Charset:
        """The sorted set of characters used by ``texts`` (space included when present)."""
        return cls("".join(sorted({c for t in texts for c in t})))

    @property
    def num_classes(self) -> int:
        return len(self.chars) + 1  # + CTC blank

    def missing(self, text: str) -> set[str]:
        return {c for c in text if c not in self._index}

    def encode(self, text: str) -> list[int]:
        try:
            return [self._index[c] for c in text]
        except KeyError as exc:
            raise TextlensError(f"character {exc.args[0]!r} is not in the model's charset") from None

    def decode(self, indices: Iterable[int]) -> str:
        return "".join(self.chars[i - 1] for i in indices if 0 < i <= len(self.chars))

    def case_pairs(self) -> list[tuple[int, int]]:
        """(upper, lower) label indices of every letter the charset holds in both cases."""
        index = self._index
        return [
            (index[c], index[c.lower()])
            for c in self.chars
            if c.isupper() and len(c.lower()) == 1 and c.lower() in index
        ]

    def extended(self, texts: Iterable[str]) -> Charset:
        """This charset plus any new characters of ``texts`` appended at the end."""
        extra = sorted({c for t in texts for c in t} - set(self.chars))
        return Charset(self.chars + "".join(extra))

    @property
    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {c: i + 1 for i, c in enumerate(self.chars)}
            object.__setattr__(self, "_index_cache", cached)
        return cached
