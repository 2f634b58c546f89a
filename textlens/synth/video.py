"""Videos with burnt-in subtitles, for testing and measuring ``textlens.apps.subtitles``.

A background moves under the text (a slow pan and zoom across a photo, or drifting shapes), the
cues are drawn as TV subtitles are: centred near the bottom, light text with a dark outline, on a
dark box, or with a drop shadow, one or two lines, with optional fades; frames are encoded with
FFmpeg's libx264 through PyAV. Cue times follow SRT: a cue is fully shown from ``start`` to
``end`` when it has no fade; with a fade of f seconds it rises over [start, start + f] and falls
over [end - f, end].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from textlens.errors import TextlensError
from textlens.io.subtitles import Cue


@dataclass(frozen=True)
class SubtitleStyle:
    """How the cues look: ``size`` in px of the frame height 720 (scaled with the frame)."""

    font: str
    size: int = 40
    fill: tuple[int, int, int] = (255, 255, 255)
    outline: int = 3  # px of dark outline (0: none)
    box: bool = False  # a dark translucent box behind the text
    shadow: int = 0  # px offset of a dark drop shadow
    fade: float = 0.0  # seconds of fade in and out
    bottom: float = 0.08  # the last line's baseline margin, as a fraction of the frame height
    line_spacing: float = 1.2


def cue_overlay(text: str, style: SubtitleStyle, width: int, height: int) -> tuple[np.ndarray, int, int]:
    """The cue as an RGBA image and where its top-left corner goes in a ``width`` x ``height`` frame."""
    scale = height / 720
    size = max(8, round(style.size * scale))
    font = ImageFont.truetype(style.font, size)
    outline = round(style.outline * scale) if style.outline else 0
    shadow = round(style.shadow * scale) if style.shadow else 0
    lines = text.split("\n")
    ascent, descent = font.getmetrics()
    step = round(size * style.line_spacing)
    widths = [font.getbbox(line, stroke_width=outline)[2] for line in lines]
    pad = outline + shadow + round(0.3 * size)
    box_w = max(widths) + 2 * pad
    box_h = step * (len(lines) - 1) + ascent + descent + 2 * pad
    layer = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if style.box:
        draw.rectangle([0, 0, box_w - 1, box_h - 1], fill=(0, 0, 0, 190))
    for i, (line, line_w) in enumerate(zip(lines, widths)):
        x, y = (box_w - line_w) // 2, pad + i * step
        if shadow:
            draw.text((x + shadow, y + shadow), line, font=font, fill=(0, 0, 0, 200))
        draw.text((x, y), line, font=font, fill=(*style.fill, 255), stroke_width=outline, stroke_fill=(0, 0, 0, 255))
    x0 = (width - box_w) // 2
    y0 = height - round(style.bottom * height) - box_h
    return np.asarray(layer), x0, y0


class PanningBackground:
    """Frames cut from ``image`` by a window that pans and zooms from one corner region to another."""

    def __init__(self, image: np.ndarray, width: int, height: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.width, self.height = width, height
        scale = max(width / image.shape[1], height / image.shape[0]) * 1.35
        self.image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        big_h, big_w = self.image.shape[:2]
        zooms = rng.uniform(0.75, 1.0, 2)
        self.windows = []
        for zoom in zooms:
            w, h = min(width * zoom, big_w), min(height * zoom, big_h)
            self.windows.append((rng.uniform(0, big_w - w), rng.uniform(0, big_h - h), w, h))

    def frame(self, progress: float) -> np.ndarray:
        (x0, y0, w0, h0), (x1, y1, w1, h1) = self.windows
        x, y, w, h = (a + (b - a) * progress for a, b in ((x0, x1), (y0, y1), (w0, w1), (h0, h1)))
        # an affine map of the window onto the frame: sub-pixel motion, as a real camera gives
        matrix = np.float32([[self.width / w, 0, -x * self.width / w], [0, self.height / h, -y * self.height / h]])
        return cv2.warpAffine(self.image, matrix, (self.width, self.height), flags=cv2.INTER_LINEAR)


def drifting_shapes(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A picture of soft coloured blobs and bars, larger than the frame (a background for tests)."""
    rng = np.random.default_rng(seed)
    big = np.zeros((height * 2, width * 2, 3), np.uint8)
    big[:] = rng.integers(40, 200, 3)
    for _ in range(40):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, width * 2)), int(rng.integers(0, height * 2)))
        if rng.random() < 0.5:
            cv2.circle(big, centre, int(rng.integers(20, height // 2)), colour, -1)
        else:
            cv2.rectangle(big, centre, (centre[0] + int(rng.integers(30, 300)), centre[1] + 40), colour, -1)
    return cv2.GaussianBlur(big, (0, 0), 3)


def _alpha(cue: Cue, t: float, fade: float) -> float:
    if not cue.start <= t < cue.end:
        return 0.0
    if fade <= 0:
        return 1.0
    return float(np.clip(min(t - cue.start, cue.end - t) / fade, 0.0, 1.0))


def render_video(
    path: str | Path,
    cues: list[Cue],
    style: SubtitleStyle,
    background: np.ndarray,
    *,
    duration: float | None = None,
    size: tuple[int, int] = (1280, 720),
    fps: int = 25,
    seed: int = 0,
    crf: int = 20,
) -> Path:
    """Encode an H.264 MP4 of ``background`` panning under ``cues`` burnt in with ``style``."""
    import av

    width, height = size
    if width % 2 or height % 2:
        raise TextlensError(f"frame size must be even for yuv420p, got {width}x{height}")
    duration = duration if duration is not None else (max((c.end for c in cues), default=0.0) + 1.0)
    pan = PanningBackground(background, width, height, seed)
    overlays = [cue_overlay(c.text, style, width, height) for c in cues]
    frames = max(1, round(duration * fps))
    path = Path(path)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": str(crf)}
        for index in range(frames):
            t = index / fps
            frame = pan.frame(index / max(1, frames - 1)).astype(np.float32)
            for cue, (rgba, x0, y0) in zip(cues, overlays):
                alpha = _alpha(cue, t, style.fade)
                if alpha > 0:
                    _blend(frame, rgba, x0, y0, alpha)
            video_frame = av.VideoFrame.from_ndarray(np.clip(frame, 0, 255).astype(np.uint8), format="rgb24")
            container.mux(stream.encode(video_frame))
        container.mux(stream.encode())
    return path


def _blend(frame: np.ndarray, rgba: np.ndarray, x0: int, y0: int, alpha: float) -> None:
    h, w = rgba.shape[:2]
    fx0, fy0 = max(0, x0), max(0, y0)
    fx1, fy1 = min(frame.shape[1], x0 + w), min(frame.shape[0], y0 + h)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    part = rgba[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0].astype(np.float32)
    a = part[..., 3:4] / 255.0 * alpha
    region = frame[fy0:fy1, fx0:fx1]
    region *= 1 - a
    region += part[..., :3] * a
