"""Find usable fonts for synthetic text: Latin fonts that cover at least printable ASCII.

Scans the system font folders and the fonts bundled with matplotlib and captcha (so there
is always at least DejaVu), keeps fonts whose cmap covers the required characters, and
skips symbol, emoji, math, caps-only and non-Latin script fonts. The scan result is cached
in memory and on disk (``~/.cache/textlens``), keyed by the candidate files' sizes and mtimes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import string
from functools import lru_cache
from pathlib import Path

from textlens.io.atomic import write_atomic

PRINTABLE_ASCII = string.digits + string.ascii_letters + string.punctuation

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
_FONT_EXTS = (".ttf", ".otf", ".ttc")
_CACHE_VERSION = 3

# Font names we never want: symbols, emoji, math, dingbats, bitmap/segment displays, and
# matplotlib's TeX fonts (their cmaps map ASCII to symbols).
_SKIP = re.compile(
    r"emoji|symbol|math|dingbat|awesome|icons?\b|d050000l|cmex|cmsy|cmmi|cmb10|cmr10|cmss|cmtt|"
    r"^cm[a-z]+\d+\.|stixsize|stixnonuni|dseg|braille|ornament|musica|wingding|webdings|opensymbol|"
    r"standardsymbols|drm|fontawesome|lastresort|"
    # caps-only, small-caps, keyboard-key and hairline faces draw lower case wrongly or invisibly
    r"bebas|small ?caps|[-_ ]sc\b|caps\d|biolinum_k|hairline|thin|z003|chancery",
    re.IGNORECASE,
)
# Font identification also learns the display, script and segment faces (caps-only ones included):
# only fonts whose letters are not letters stay out.
_SKIP_NON_TEXT = re.compile(
    r"emoji|symbol|math|dingbat|awesome|icons?\b|d050000l|cmex|cmsy|cmmi|stixsize|stixnonuni|braille|ornament|"
    r"musica|wingding|webdings|opensymbol|standardsymbols|drm|fontawesome|lastresort|biolinum_k|^cm[a-z]+\d+\.",
    re.IGNORECASE,
)
# fonts-noto-core ships hundreds of script fonts; keep the Latin families (Greek and Cyrillic
# included) and the Arabic ones.
_NOTO_LATIN = re.compile(
    r"^Noto(Sans|Serif|SansMono|SerifDisplay|SansDisplay|NaskhArabic|SansArabic|KufiArabic)(-|\.|\[)"
)


@dataclasses.dataclass(frozen=True)
class FontInfo:
    """What the renderer needs to know about a font file."""

    path: str
    chars: frozenset[str]  # characters (of the probed set) the cmap covers
    mono: bool  # fixed pitch: the look of receipts, invoices, code
    family: str = ""  # typographic family: sampling picks a family first, then a style
    italic: bool = False
    weight: int = 400  # OS/2 usWeightClass: 100 thin .. 400 regular .. 700 bold .. 900 black


def _candidate_files(skip: re.Pattern[str] = _SKIP) -> list[Path]:
    files: dict[str, Path] = {}
    dirs = [Path(d).expanduser() for d in FONT_DIRS] + _package_font_dirs()
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() not in _FONT_EXTS or skip.search(path.name):
                continue
            if path.name.startswith("Noto") and not _NOTO_LATIN.match(path.name):
                continue
            # The same file often ships twice (system DejaVu and matplotlib's DejaVu).
            files.setdefault(path.name.lower(), path)
    return sorted(files.values())


def _package_font_dirs() -> list[Path]:
    """Fonts bundled with Python packages of the train extra (found without importing them)."""
    import importlib.util

    dirs = []
    for package, sub in (("matplotlib", "mpl-data/fonts/ttf"), ("captcha", "data")):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            dirs.append(Path(spec.origin).parent / sub)
    return dirs


def _probe(path: Path, probe_chars: str, caps_only: bool = False) -> FontInfo | None:
    """Read the cmap with fontTools when installed, else ask Pillow for glyph masks.
    ``caps_only``: keep fonts that draw "a" as "A" (else they are left out)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        return _probe_pil(path, probe_chars)
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # broken hmtx entries are common
    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
            if not caps_only and cmap.get(ord("a")) is not None and cmap.get(ord("a")) == cmap.get(ord("A")):
                return None  # caps-only font: "a" would be drawn as "A"
            family = _family(font, path)
            italic, weight = _style(font, path)
            mono = bool(font["post"].isFixedPitch)
            if not mono and "hmtx" in font:
                widths = {font["hmtx"][cmap[ord(c)]][0] for c in "iWm0" if ord(c) in cmap}
                mono = len(widths) == 1
    except Exception:  # broken or unsupported font file: just skip it
        return None
    chars = frozenset(c for c in probe_chars if ord(c) in cmap)
    return FontInfo(str(path), chars, mono, family, italic, weight)


@functools.lru_cache(maxsize=4096)
def draws(path: str, chars: str) -> bool:
    """Whether the font file's character map has every one of ``chars`` (any character, not only
    the scripts' charsets that ``FontInfo.chars`` probes)."""
    info = _probe(Path(path), chars, caps_only=True)
    return info is not None and set(chars) - {" "} <= info.chars


def _style(font, path: Path) -> tuple[bool, int]:
    """(italic, weight class) from OS/2 and post tables, else from the file name."""
    name = path.stem.lower()
    italic = any(k in name for k in ("italic", "oblique", "slanted")) or bool(
        re.search(r"(^|[-_ ])(i|bi|ri|rbi)$", name)
    )
    weight = 700 if "bold" in name else 400
    try:
        os2 = font["OS/2"]
        italic = italic or bool(os2.fsSelection & 1) or font["post"].italicAngle != 0
        weight = int(os2.usWeightClass) or weight
    except Exception:
        pass
    return italic, weight


def _family(font, path: Path) -> str:
    """Typographic family name (name ID 16, else 1), else the file name before the style."""
    try:
        name = font["name"].getDebugName(16) or font["name"].getDebugName(1)
    except Exception:
        name = None
    return name or re.split(r"[-_ ]", path.stem)[0]


def _probe_pil(path: Path, probe_chars: str) -> FontInfo | None:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(str(path), 24)
        notdef = font.getmask("\uffff").tobytes()
        chars = frozenset(c for c in probe_chars if c == " " or font.getmask(c).tobytes() != notdef)
        mono = len({font.getlength(c) for c in "iWm0"}) == 1
    except Exception:
        return None
    return FontInfo(str(path), chars, mono, re.split(r"[-_ ]", path.stem)[0], *_style(None, path))


def _cache_file(key: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser()
    return base / "textlens" / f"fonts-{key}.json"


@lru_cache(maxsize=8)
def _scan(probe_chars: str, every_face: bool = False) -> tuple[FontInfo, ...]:
    files = _candidate_files(_SKIP_NON_TEXT if every_face else _SKIP)
    sig = hashlib.sha1(f"{_CACHE_VERSION}\0{probe_chars}\0{every_face}".encode())
    for f in files:
        st = f.stat()
        sig.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    cache = _cache_file(sig.hexdigest()[:16])
    try:
        rows = json.loads(cache.read_text(encoding="utf-8"))
        return tuple(FontInfo(**{**r, "chars": frozenset(r["chars"])}) for r in rows)
    except (OSError, ValueError, KeyError):
        pass
    infos = tuple(i for i in (_probe(f, probe_chars, every_face) for f in files) if i is not None)
    rows = [{**dataclasses.asdict(i), "chars": "".join(sorted(i.chars))} for i in infos]
    try:
        write_atomic(cache, json.dumps(rows, ensure_ascii=False))
    except Exception:  # a read-only home must not stop rendering
        pass
    return infos


def font_infos(charset_required: str = PRINTABLE_ASCII, probe_chars: str | None = None) -> list[FontInfo]:
    """Usable fonts covering every character of ``charset_required``, with their coverage.

    ``probe_chars`` (default: every script's charset) is the set whose coverage is
    recorded per font, so the renderer can avoid characters a font would draw as boxes.
    """
    if probe_chars is None:
        probe_chars = _all_script_chars()
    probe = "".join(sorted(set(probe_chars) | set(charset_required)))
    need = set(charset_required) - {" "}
    return [i for i in _scan(probe) if need <= i.chars]


def every_text_face(probe_chars: str = PRINTABLE_ASCII) -> list[FontInfo]:
    """Every font whose glyphs are text, with its coverage of ``probe_chars``: the recognizer's fonts
    and also the display, script, caps-only and segment faces they leave out (font identification)."""
    return [i for i in _scan("".join(sorted(set(probe_chars))), True) if i.chars & set(string.digits)]


def _all_script_chars() -> str:
    """Every character some recognizer can write: each font's coverage of all of them is recorded."""
    from textlens.recognition.charset import SCRIPT_CHARS

    return "".join(sorted(set("".join(SCRIPT_CHARS.values()))))


def discover_fonts(charset_required: str = PRINTABLE_ASCII) -> list[str]:
    """Paths of usable fonts covering ``charset_required`` (always at least matplotlib's DejaVu)."""
    return [i.path for i in font_infos(charset_required)]


@lru_cache(maxsize=4096)
def font_info(path: str) -> FontInfo:
    """Coverage and pitch of one font file (cached per process)."""
    for info in font_infos(charset_required=""):
        if info.path == path:
            return info
    info = _probe(Path(path), _all_script_chars(), caps_only=True)
    if info is None:
        from textlens.errors import TextlensError

        raise TextlensError(f"{path}: cannot read this font file; pass another font or none")
    return info


@lru_cache(maxsize=4096)
def opentype_features(path: str) -> frozenset[str]:
    """The GSUB feature tags of a font file (``onum``: old-style figures, ``smcp``: small capitals...);
    empty when the font has none or fontTools cannot read it."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools is a dependency
        return frozenset()
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            if "GSUB" not in font or font["GSUB"].table.FeatureList is None:
                return frozenset()
            return frozenset(record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord)
    except Exception:  # broken font file: draw it without features
        return frozenset()
