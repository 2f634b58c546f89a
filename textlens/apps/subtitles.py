"""Burnt-in subtitles out of a video: each subtitle found, read once, and timed to the frame.

Subtitles are text that stands still while the picture moves. The video is decoded with PyAV
(FFmpeg) and only the subtitle band's luma is kept per frame. Every ``step`` seconds the detector
looks at the band; its boxes are joined into rows, and each new row becomes a *track*: a glyph
mask (Otsu inside the row; the letters are the blobs that do not touch its edge, as an outline or
a box keeps them apart from the picture) and a ring of the pixels around them. A track is on
screen for as long as its letters keep their contrast with their ring (at least ``present`` x the
best contrast seen): a check of a few thousand pixels per frame, so an unchanged subtitle is never
read again. When the contrast goes, the frames since the last look give the exact end frame; a
new track's start is found the same way, backwards. Tracks of the moving picture's own text are
dropped (their letters match better a few pixels away; or they are short, or faint). Each track is
read once, from its clearest frame, as an ink image of its letters alone (dark on white); the
rows that came and went together are one subtitle's lines, and a repeat split by a flicker is
merged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rapidfuzz import fuzz

from textlens.apps.subtitle_ink import Box, area, glyph_mask, ink_image, iou, join_rows, line_crops, overlap, union
from textlens.document import pixel_box
from textlens.errors import TextlensError
from textlens.io.subtitles import Cue

WHOLE_ROW = 0.8  # a reading of a row this share as wide as its widest reads all of it
MIN_LINE_CONFIDENCE = 0.5  # specks of the picture left in the ink image read as junk
REGIONS = {"bottom": (0.0, 0.55, 1.0, 1.0), "top": (0.0, 0.0, 1.0, 0.45), "full": (0.0, 0.0, 1.0, 1.0)}


@dataclass(frozen=True)
class SubtitleConfig:
    """``region``: the band searched (x0, y0, x1, y1 as fractions of the frame, or a name in
    ``REGIONS``); ``step``: seconds between looks; ``present``: the share of a subtitle's best
    glyph contrast that still counts as shown (0.5: a fade is cut at half strength);
    ``min_duration``: shorter finds are dropped (text of the moving picture passing through);
    ``min_contrast``: grey levels between a subtitle's letters and their outline, box or
    surroundings at its clearest (subtitles are made to stand out; specks of the picture do not);
    ``merge_gap``: the same text shown again within this many seconds is one subtitle;
    ``min_line_height``: rows lower than this many pixels are specks; ``max_line_height``: rows
    taller than this share of the frame's height are the picture's own text (a shop sign, a title),
    not a subtitle line (subtitles are set at 4-8% of the frame's height)."""

    region: tuple[float, float, float, float] | str = "bottom"
    step: float = 0.2
    present: float = 0.5
    min_duration: float = 0.6
    min_contrast: float = 60.0
    merge_gap: float = 0.3
    min_line_height: int = 8
    max_line_height: float = 0.12

    def band(self, width: int, height: int) -> tuple[int, int, int, int]:
        region = REGIONS.get(self.region, self.region) if isinstance(self.region, str) else self.region
        if isinstance(region, str) or len(region) != 4:
            raise TextlensError(f"region must be one of {', '.join(REGIONS)} or x0,y0,x1,y1 fractions, got {region!r}")
        x0, y0, x1, y1 = region
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise TextlensError(f"region fractions must satisfy 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, got {region}")
        return round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)


def parse_region(text: str) -> tuple[float, float, float, float] | str:
    """``bottom``, ``top``, ``full`` or ``x0,y0,x1,y1`` (fractions of the frame)."""
    if text in REGIONS:
        return text
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise TextlensError(f"--region: expected {', '.join(REGIONS)} or x0,y0,x1,y1 fractions, got {text!r}")
    SubtitleConfig(region=values).band(100, 100)  # validates
    return values  # type: ignore[return-value]


@dataclass
class _Frame:
    time: float
    luma: np.ndarray  # the band, uint8
    source: Any = None  # the decoded frame (RGB on demand)
    rgb: np.ndarray | None = None  # the band in RGB, when it was needed

    def band_rgb(self, band: tuple[int, int, int, int]) -> np.ndarray:
        if self.rgb is None:
            x0, y0, x1, y1 = band
            if isinstance(self.source, np.ndarray):
                full = self.source
            else:
                full = self.source.to_ndarray(format="rgb24")
            self.rgb = np.ascontiguousarray(full[y0:y1, x0:x1])
        return self.rgb


@dataclass
class _Track:
    """One subtitle on screen: its glyph mask, timing and clearest frame so far."""

    box: tuple[int, int, int, int]  # the line's box in band pixels
    glyphs: np.ndarray  # flat indices into the band of the text pixels
    ring: np.ndarray  # flat indices of the pixels around them
    polarity: float  # +1: light text, -1: dark text
    best: float  # the highest glyph contrast seen
    best_frame: _Frame
    start: float
    moves: int = 0  # looks at which the glyphs matched better shifted: text of the moving picture
    # other clear views of it, the first and the latest: what moved between them is not text
    first_luma: np.ndarray | None = None
    other_luma: np.ndarray | None = None

    def contrast(self, luma: np.ndarray) -> float:
        if self.glyphs.size == 0 or self.ring.size == 0:
            return 0.0
        flat = luma.reshape(-1)
        return self.polarity * (float(flat[self.glyphs].mean()) - float(flat[self.ring].mean()))

    def shown(self, luma: np.ndarray, present: float) -> bool:
        return self.contrast(luma) >= present * self.best

    def moved(self, luma: np.ndarray, step: int = 3) -> bool:
        """Whether the glyphs contrast more with their ring ``step`` px away in any of eight
        directions (a slow zoom carries the picture's text along a diagonal)."""
        if self.glyphs.size == 0 or self.ring.size == 0:
            return False
        width = luma.shape[1]
        here = self.contrast(luma)
        flat = luma.reshape(-1)
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
            shift = step * (dx + dy * width)
            glyphs = np.clip(self.glyphs + shift, 0, flat.size - 1)
            ring = np.clip(self.ring + shift, 0, flat.size - 1)
            there = self.polarity * (float(flat[glyphs].mean()) - float(flat[ring].mean()))
            if there > 1.2 * here + 5:
                return True
        return False


class SubtitleReader:
    """Finds, times and reads the subtitles of a stream of frames (see the module docstring)."""

    def __init__(self, pipeline: Any, config: SubtitleConfig | None = None) -> None:
        self.pipeline = pipeline
        self.config = config or SubtitleConfig()
        self.band: tuple[int, int, int, int] | None = None
        self.frame_height = 0
        self.looks = 0
        self.reads = 0

    def read_frames(self, frames: Iterator[tuple[float, Any]], size: tuple[int, int]) -> list[Cue]:
        """``frames``: (seconds, decoded frame or RGB array) in time order; ``size``: (width, height)."""
        self.band = self.config.band(*size)
        self.frame_height = size[1]
        found: list[tuple[_Track, float]] = []
        shown: list[_Track] = []
        recent: list[_Frame] = []
        next_look = -1.0
        for time, source in frames:
            frame = _Frame(time, _band_luma(source, self.band), source)
            recent.append(frame)
            if time + 1e-6 < next_look:
                continue
            next_look = time + self.config.step
            shown = self._look(frame, shown, recent, found)
            for earlier in recent[:-1]:
                earlier.source = None  # the decoded frame is not needed again
            recent = [frame]
        for track in shown:  # still on screen when the video ends
            found.append((track, self._end_of(track, recent) or recent[-1].time + _frame_time(recent)))
        readings = [self._read(track, end) for track, end in found if self._is_subtitle(track, end)]
        return merge_repeats(assemble(readings), self.config.merge_gap)

    # --- looks ---------------------------------------------------------------------------------

    def _look(self, frame: _Frame, shown: list[_Track], recent: list[_Frame], found: list) -> list[_Track]:
        """Ends the subtitles that went, follows those still shown, starts those that came."""
        self.looks += 1
        staying = []
        for track in shown:
            if track.shown(frame.luma, self.config.present):
                staying.append(track)
            else:
                found.append((track, self._end_of(track, recent) or frame.time))
        boxes = self._detect(frame)
        for track in staying:
            contrast = track.contrast(frame.luma)
            if contrast > 1.15 * track.best:  # fading in: the clearer frame's mask
                self._remask(track, frame)
            elif contrast >= 0.85 * track.best:
                track.other_luma = frame.luma
                if track.first_luma is None:
                    track.first_luma = frame.luma
            if track.moved(frame.luma):
                track.moves += 1
            for box in boxes:
                wider = union(box, track.box)
                if iou(box, track.box) >= 0.3 and area(wider) > 1.1 * area(track.box) and _similar_rows(box, track.box):
                    track.box = wider  # the first look saw part of the row (a fade, a busy picture)
                    self._remask(track, frame)
        # each row is followed alone (the rows of one subtitle are joined when read): the
        # picture's own text, found beside a subtitle, must not share its fate. A row is new unless
        # a track covers most of it: a speck of the picture followed inside a row must not hide it
        # (a boxed two-line subtitle lost its first line so), and a piece of the row followed
        # earlier is dropped when the rows are assembled.
        for box in boxes:
            if not any(self._follows(t, box) for t in staying):
                staying.append(self._track(frame, box, recent))
        return staying

    @staticmethod
    def _follows(track: _Track, box: Box) -> bool:
        """Whether ``track`` already follows the row the detector found at ``box``: covers most of
        it, and is a row of its height (a block of the busy picture above a subtitle, followed as
        one tall track, must not hide the subtitle's first line)."""
        return overlap(box, track.box) >= 0.5 * area(box) and _similar_rows(box, track.box)

    def _detect(self, frame: _Frame) -> list[Box]:
        """The rows of text in the band: the detector's boxes on one row joined (it may cut a
        subtitle line over a busy picture into pieces, differently at each look), grown a little."""
        assert self.band is not None
        rgb = frame.band_rgb(self.band)
        boxes = []
        for region in self.pipeline.detector.predict(rgb):
            box = pixel_box(region.polygon)
            if box[3] - box[1] >= self.config.min_line_height:
                boxes.append(box)
        rows = []
        tallest = self.config.max_line_height * self.frame_height
        for x0, y0, x1, y1 in join_rows(boxes):
            height = y1 - y0
            if x1 - x0 < height:
                continue  # a letter alone: a speck of the picture, or part of a row found whole later
            if height > tallest:
                continue  # the picture's own large text
            grow, below = round(0.15 * height), round(0.3 * height)  # the box may cut through descenders
            rows.append(
                (max(0, x0 - grow), max(0, y0 - grow), min(rgb.shape[1], x1 + grow), min(rgb.shape[0], y1 + below))
            )
        return rows

    def _track(self, frame: _Frame, box: tuple[int, int, int, int], recent: list[_Frame]) -> _Track:
        glyphs, ring, polarity = glyph_mask(frame.luma, [box])
        track = _Track(box, glyphs, ring, polarity, 0.0, frame, frame.time)
        track.best = max(track.contrast(frame.luma), 1e-3)
        for earlier in reversed(recent[:-1]):  # back to where the subtitle appeared
            if glyphs.size == 0 or ring.size == 0 or not track.shown(earlier.luma, self.config.present):
                break
            track.start = earlier.time
        return track

    def _remask(self, track: _Track, frame: _Frame) -> None:
        track.glyphs, track.ring, track.polarity = glyph_mask(frame.luma, [track.box])
        track.best = max(track.contrast(frame.luma), 1e-3)
        track.best_frame = frame

    def _end_of(self, track: _Track, recent: list[_Frame]) -> float | None:
        """The time of the first frame since the last look where the subtitle is gone (None: shown in all)."""
        for frame in recent[1:]:
            if not track.shown(frame.luma, self.config.present):
                return frame.time
        return None

    def _is_subtitle(self, track: _Track, end: float) -> bool:
        """Long enough, and still: the glyphs of the moving picture's own text match better a few
        pixels away from where they were first seen."""
        long_enough = end - track.start >= self.config.min_duration
        return long_enough and track.moves <= 1 and track.best >= self.config.min_contrast

    # --- reading -------------------------------------------------------------------------------

    def _read(self, track: _Track, end: float) -> _Reading:
        """The rows of ink of a track's clearest frame, read (boxes in frame pixels)."""
        assert self.band is not None
        self.reads += 1
        luma = track.best_frame.luma
        x0, y0, x1, y1 = track.box
        # the row's ends may lie beyond the box (the detector lost a first letter or word in the
        # picture); subtitles are centred, so the row reaches as far left of the centre as right
        reach, centre = y1 - y0, luma.shape[1] / 2
        x0, x1 = min(x0, 2 * centre - x1) - reach, max(x1, 2 * centre - x0) + reach
        x0, x1 = max(0, int(x0)), min(luma.shape[1], int(x1))
        glyphs, ring, _ = glyph_mask(luma, [(x0, y0, x1, y1)])
        others = [view for view in (track.first_luma, track.other_luma) if view is not None]
        clean = ink_image(luma, glyphs, ring, others)[y0:y1, x0:x1]
        crops, spans = line_crops(clean)
        results = self.pipeline.recognizer.predict(crops) if crops else []
        ox, oy = self.band[0] + x0, self.band[1] + y0
        rows = [
            _Row((ox + sx0, oy + sy0, ox + sx1, oy + sy1), _without_speck(result.text), result.confidence)
            for result, (sx0, sy0, sx1, sy1) in zip(results, spans)
            if result.confidence >= MIN_LINE_CONFIDENCE and _is_text(result.text, result.confidence)
        ]
        return _Reading(track.start, end, rows)


@dataclass
class _Row:
    box: Box
    text: str
    confidence: float


@dataclass
class _Reading:
    start: float
    end: float
    rows: list[_Row]


def assemble(readings: list[_Reading], tolerance: float = 0.3) -> list[Cue]:
    """One cue per subtitle: the rows of the tracks that came and went together (within
    ``tolerance`` seconds) are its lines, found at different looks or in overlapping boxes;
    a row read in several tracks (or a piece of it, lying mostly inside it) is read as the
    reading that agrees best with the others (``_agreed``)."""
    groups: list[list[_Reading]] = []
    for reading in sorted((r for r in readings if r.rows), key=lambda r: r.start):
        group = next((g for g in groups if _together(g, reading, tolerance)), None)
        if group is None:
            groups.append([reading])
        else:
            group.append(reading)
    cues = []
    for group in groups:
        rows = [_agreed(readings) for readings in _same_rows(row for r in group for row in r.rows)]
        lines = _lines_of(rows)
        main = max(group, key=lambda r: sum(area(row.box) for row in r.rows))
        # a track found at a later look (the busy picture hid the row from the detector at first)
        # traces its start back less far than one found when the subtitle came: the earliest is right
        start = min(r.start for r in group)
        text = "\n".join(" ".join(row.text for row in line) for line in lines)
        box = rows[0].box
        for row in rows[1:]:
            box = union(box, row.box)
        cues.append(Cue(start, main.end, text, min(row.confidence for row in rows), box))
    return _without_pieces(cues)


def _together(group: list[_Reading], reading: _Reading, tolerance: float) -> bool:
    """Whether ``reading`` belongs to the subtitle whose readings ``group`` holds: it came and went
    with it, or went with it where one of its rows lies, or right above or below one (a track
    found at a later look, over a busy picture, traces its start back less far; all the tracks of
    a subtitle end when it goes)."""
    first = group[0]
    if abs(first.end - reading.end) > tolerance:
        return False
    if abs(first.start - reading.start) <= tolerance:
        return True
    return any(_same_or_stacked(a.box, b.box) for r in group for a in r.rows for b in reading.rows)


def _same_or_stacked(a: Box, b: Box) -> bool:
    """Rows of one height that overlap, or lie one right above the other (less than a line height
    apart): one row, or two lines of one subtitle."""
    if not _similar_rows(a, b):
        return False
    height = max(a[3] - a[1], b[3] - b[1])
    across = min(a[2], b[2]) - max(a[0], b[0]) > 0
    gap = max(a[1], b[1]) - min(a[3], b[3])
    return across and gap < height


def _same_rows(rows: Iterator[_Row]) -> list[list[_Row]]:
    """The readings of one row: each lies mostly (half its area) inside a reading of about its
    height (a subtitle line inside the box of the picture's own large text is a row of its own)."""
    clusters: list[list[_Row]] = []
    for row in sorted(rows, key=lambda r: -area(r.box)):
        home = next((c for c in clusters if any(_inside_row(row.box, kept.box) for kept in c)), None)
        if home is None:
            clusters.append([row])
        else:
            home.append(row)
    return clusters


def _inside_row(box: Box, row: Box) -> bool:
    return overlap(box, row) >= 0.5 * area(box) and _similar_rows(box, row, ratio=3.0)


def _agreed(readings: list[_Row]) -> _Row:
    """The reading of a row that its other readings agree with most (similar texts, weighted by
    their confidence), and sure itself: a frame where the busy picture broke a few letters apart
    reads worse than the others and loses. A piece of the row (found in part at one look) agrees
    with the readings it is a part of, and is no reading of the row itself."""

    def agreement(row: _Row, other: _Row) -> float:
        piece = _width(other) < WHOLE_ROW * _width(row)
        return (fuzz.partial_ratio if piece else fuzz.ratio)(row.text, other.text) / 100

    def support(row: _Row) -> float:
        return row.confidence + sum(o.confidence * agreement(row, o) for o in readings if o is not row)

    widest = max(_width(r) for r in readings)
    return max((r for r in readings if _width(r) >= WHOLE_ROW * widest), key=support)


def _width(row: _Row) -> int:
    return row.box[2] - row.box[0]


def _without_pieces(cues: list[Cue]) -> list[Cue]:
    """Cues without those that are a piece of a longer one: shorter text, shown mostly while the
    other is, lying mostly inside its box (a row the detector found in part, or found again
    later, followed as a track of its own; its start, traced back by its few letters, is loose)."""

    def piece_of(piece: Cue, whole: Cue) -> bool:
        shared = min(piece.end, whole.end) - max(piece.start, whole.start)
        return (
            len(piece.text) < len(whole.text)
            and shared >= 0.5 * (piece.end - piece.start)
            and piece.box is not None
            and whole.box is not None
            and overlap(piece.box, whole.box) >= 0.5 * area(piece.box)
        )

    return [cue for cue in cues if not any(piece_of(cue, other) for other in cues if other is not cue)]


def _lines_of(rows: list[_Row]) -> list[list[_Row]]:
    """Rows on one line (overlapping by half the smaller height), top to bottom, each left to right."""
    lines: list[list[_Row]] = []
    for row in sorted(rows, key=lambda r: r.box[1]):
        height = row.box[3] - row.box[1]
        for line in lines:
            top, bottom = min(r.box[1] for r in line), max(r.box[3] for r in line)
            if min(bottom, row.box[3]) - max(top, row.box[1]) >= 0.5 * min(height, bottom - top):
                line.append(row)
                break
        else:
            lines.append([row])
    return [sorted(line, key=lambda r: r.box[0]) for line in lines]


def _similar_rows(a: Box, b: Box, ratio: float = 1.6) -> bool:
    """Whether two boxes are rows of text of about one height (at most ``ratio`` times the other)."""
    ha, hb = a[3] - a[1], b[3] - b[1]
    return max(ha, hb) <= ratio * max(1, min(ha, hb))


def _band_luma(source: Any, band: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = band
    if isinstance(source, np.ndarray):
        return cv2.cvtColor(np.ascontiguousarray(source[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    if source.format.name.startswith(("yuv", "yuvj", "nv12")):
        plane = source.planes[0]  # luma, full resolution
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        return rows[y0:y1, x0:x1].copy()
    return source.to_ndarray(format="gray")[y0:y1, x0:x1].copy()


# A lone mark before a subtitle line's first word: a speck of the picture beside the row, read (no
# subtitle line opens with a bare bullet, colon, tilde or full stop; "- " and "..." do).
_SPECK = re.compile(r"^[•·~:;.,_|*^`]\s+(?=\S)")


def _without_speck(text: str) -> str:
    return _SPECK.sub("", text.strip())


def _is_text(text: str, confidence: float) -> bool:
    """Two letters or digits, or one read surely: not a speck of the picture read as "%" or "n"."""
    alnum = sum(ch.isalnum() for ch in text)
    return alnum >= 2 or (alnum == 1 and confidence >= 0.95)


def _frame_time(recent: list[_Frame]) -> float:
    if len(recent) >= 2:
        return recent[-1].time - recent[-2].time
    return 0.04


def merge_repeats(cues: list[Cue], gap: float, similarity: float = 90.0) -> list[Cue]:
    """Consecutive cues with (nearly) the same text and at most ``gap`` seconds apart become one."""
    merged: list[Cue] = []
    for cue in cues:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and cue.start - previous.end <= gap
            and fuzz.ratio(previous.text, cue.text) >= similarity
        ):
            keep = previous if previous.confidence >= cue.confidence else cue
            merged[-1] = Cue(previous.start, max(previous.end, cue.end), keep.text, keep.confidence, keep.box)
        else:
            merged.append(cue)
    return merged


def video_frames(path: str | Path) -> tuple[Iterator[tuple[float, Any]], tuple[int, int], float]:
    """The frames of a video file (seconds, PyAV frame), its frame size and its duration in seconds."""
    try:
        import av
    except ImportError:  # pragma: no cover - the video extra is part of the default install
        raise TextlensError("reading video needs PyAV: pip install 'textlens[video]'") from None
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise TextlensError(f"{path}: not a readable video ({_reason(exc)})") from None
    if not container.streams.video:
        container.close()
        raise TextlensError(f"{path}: has no video stream")
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        container.close()
        raise TextlensError(f"{path}: the video stream has no frame size")
    duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
    if not duration and container.duration:
        duration = container.duration / 1_000_000

    def frames() -> Iterator[tuple[float, Any]]:
        try:
            for frame in container.decode(stream):
                if frame.time is not None:
                    yield float(frame.time), frame
        except av.error.FFmpegError as exc:
            raise TextlensError(f"{path}: the video breaks off ({_reason(exc)})") from None
        finally:
            container.close()

    return frames(), (width, height), duration


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc).splitlines()[0][:200]


def read_subtitles(
    video: str | Path,
    pipeline: Any = None,
    config: SubtitleConfig | None = None,
    *,
    progress: Callable[[float], None] | None = None,
) -> list[Cue]:
    """The burnt-in subtitles of ``video`` as cues (start, end, text, confidence, box)."""
    if pipeline is None:
        from textlens.pipeline import Pipeline, PipelineConfig

        pipeline = Pipeline.from_config(PipelineConfig(mode="document"))
    frames, size, _ = video_frames(video)
    if progress is not None:
        frames = _reporting(frames, progress)
    return SubtitleReader(pipeline, config).read_frames(frames, size)


def _reporting(frames: Iterator[tuple[float, Any]], progress: Callable[[float], None]) -> Iterator[tuple[float, Any]]:
    for time, frame in frames:
        progress(time)
        yield time, frame
