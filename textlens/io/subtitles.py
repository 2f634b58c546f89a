"""Subtitle files: SRT and WebVTT cues written and read (times in seconds, text may hold newlines)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textlens.errors import TextlensError

SUBTITLE_FORMATS = ("srt", "vtt")
_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})")
_ARROW = re.compile(rf"^\s*({_TIME.pattern})\s*-->\s*({_TIME.pattern})")


@dataclass
class Cue:
    """One subtitle: shown from ``start`` to ``end`` seconds; ``box`` (x0, y0, x1, y1) in frame pixels."""

    start: float
    end: float
    text: str
    confidence: float = 1.0
    box: tuple[int, int, int, int] | None = None

    def to_dict(self) -> dict:
        return {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": list(self.box) if self.box else None,
        }


def format_time(seconds: float, separator: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT) or with ``separator="."`` (WebVTT)."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: list[Cue]) -> str:
    blocks = [f"{i}\n{format_time(c.start)} --> {format_time(c.end)}\n{c.text}\n" for i, c in enumerate(cues, start=1)]
    return "\n".join(blocks)


def to_vtt(cues: list[Cue]) -> str:
    blocks = [f"{format_time(c.start, '.')} --> {format_time(c.end, '.')}\n{c.text}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def format_cues(cues: list[Cue], fmt: str) -> str:
    if fmt not in SUBTITLE_FORMATS:
        raise TextlensError(f"unknown subtitle format {fmt!r}: use {' or '.join(SUBTITLE_FORMATS)}")
    return to_srt(cues) if fmt == "srt" else to_vtt(cues)


def parse_time(text: str) -> float:
    match = _TIME.fullmatch(text.strip())
    if not match:
        raise TextlensError(f"not a subtitle time: {text!r}")
    hours, minutes, secs, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(millis.ljust(3, "0")) / 1000


def parse_subtitles(text: str) -> list[Cue]:
    """The cues of an SRT or WebVTT file (numbers, styles and notes are skipped)."""
    cues: list[Cue] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            match = _ARROW.match(line)
            if match:
                start = parse_time(match.group(1))
                end = parse_time(match.group(6))
                if end < start:
                    raise TextlensError(f"subtitle ends before it starts: {line.strip()!r}")
                cues.append(Cue(start, end, "\n".join(lines[i + 1 :]).strip()))
                break
    return cues
