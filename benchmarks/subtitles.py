"""Burnt-in subtitles: are they read right, timed right, and faster than the video plays?

    python -m benchmarks.subtitles [--videos 20] [--seconds 30] [--seed 0] [--work DIR] [--threads 2]

Writes ``--videos`` SRT files of spoken lines (one and two lines, back to back or with gaps), then
renders each as a 1280x720, 25 fps H.264 video with FFmpeg (libx264 through PyAV): the subtitles
burnt in over a slow pan and zoom across a real street photo (../shared/data/icdar2015-det-dev and
icdar2003-train-det: scene text of their own included), in varied fonts, sizes (30-52 px), white or
yellow, with an outline, on a box, or with an outline and a drop shadow, half with fades. Each video is then read
with `textlens subtitles`' code (``textlens.apps.subtitles.read_subtitles``, one process, models
loaded once) and compared with its SRT:

* texts are compared with typographic apostrophes, quotes and ellipses as typed ones (’ = ', “ = ",
  … = ...: the same marks on screen);
* each true subtitle is paired with the found cue that overlaps it longest in time; its CER is the
  edit distance of the texts (line breaks as spaces) over the true length (a subtitle not found
  counts all its characters); the CER reported is over all characters;
* timing: the share of true subtitles whose found start and end both lie within 0.25 s;
* extra: found cues that overlap no true subtitle;
* speed: video seconds read per wall-clock second (decoding included, model loading excluded).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.run import ROOT, data_root
from textlens.io.atomic import write_atomic

FONT_NAMES = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
    "LiberationSerif-Regular.ttf", "FreeSans.ttf", "FreeSansBold.ttf", "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf", "Roboto-Regular.ttf", "OpenSans-Regular.ttf", "Ubuntu-R.ttf",
)  # fmt: skip
MAX_LINE = 40  # characters per subtitle line, as subtitle style guides ask


def subtitle_fonts() -> list[str]:
    from textlens.synth.fonts import discover_fonts

    fonts = discover_fonts()
    found = [
        next(f for f in fonts if f.endswith("/" + name))
        for name in FONT_NAMES
        if any(f.endswith("/" + name) for f in fonts)
    ]
    return found or fonts[:3]


def script(rng: np.random.Generator, seconds: float) -> list:
    """Cues from 0.5 s to ``seconds`` - 1: 1.2-3.5 s each, a third back to back."""
    from textlens.io.subtitles import Cue
    from textlens.synth.corpus import dialogue

    cues, t = [], 0.5 + rng.uniform(0, 1)
    while True:
        length = rng.uniform(1.2, 3.5)
        if t + length > seconds - 1:
            return cues
        cues.append(Cue(round(t, 2), round(t + length, 2), two_lines(dialogue(rng), rng)))
        t += length + (0.0 if rng.random() < 0.33 else rng.uniform(0.2, 1.5))


def two_lines(text: str, rng: np.random.Generator) -> str:
    """``text`` cut to at most two lines of ``MAX_LINE`` characters, broken at a space."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > MAX_LINE:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) == 1 and len(words) >= 4 and rng.random() < 0.3:  # broken for the look of it
        half = len(words) // 2
        lines = [" ".join(words[:half]), " ".join(words[half:])]
    return "\n".join(lines[:2])


def style(rng: np.random.Generator, fonts: list[str]):
    from textlens.synth.video import SubtitleStyle

    look = rng.choice(["outline", "outline", "box", "shadow"])
    yellow = rng.random() < 0.3
    return SubtitleStyle(
        font=fonts[int(rng.integers(len(fonts)))],
        size=int(rng.integers(30, 53)),
        fill=(255, 225, 40) if yellow else (255, 255, 255),
        outline=int(rng.integers(2, 5)) if look == "outline" else (2 if look == "shadow" else 0),
        box=look == "box",
        shadow=int(rng.integers(2, 4)) if look == "shadow" else 0,
        fade=0.0 if rng.random() < 0.5 else round(float(rng.uniform(0.1, 0.3)), 2),
        bottom=float(rng.uniform(0.05, 0.1)),
    )


def photos() -> list[Path]:
    paths = []
    for name in ("icdar2015-det-dev", "icdar2003-train-det"):
        folder = data_root() / name
        if (folder / "manifest.jsonl").exists():
            for line in (folder / "manifest.jsonl").read_text().splitlines():
                paths.append(folder / json.loads(line)["image"])
    if not paths:
        sys.exit("no photos: ../shared/data/icdar2015-det-dev or icdar2003-train-det is needed")
    return paths


def render_set(work: Path, count: int, seconds: float, seed: int) -> list[tuple[Path, Path]]:
    """(video, srt) pairs, rendered once per seed and length (kept in ``work``)."""
    import cv2

    from textlens.io.subtitles import to_srt
    from textlens.synth.video import render_video

    fonts, pictures = subtitle_fonts(), photos()
    pairs = []
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        video, srt = work / f"video{index:02d}.mp4", work / f"video{index:02d}.srt"
        cues = script(rng, seconds)
        look = style(rng, fonts)
        picture = pictures[int(rng.integers(len(pictures)))]
        recipe = json.dumps({"cues": to_srt(cues), "style": dataclasses.asdict(look), "picture": str(picture)})
        made = video.with_suffix(".json")
        if not video.exists() or not made.exists() or made.read_text() != recipe:
            background = cv2.cvtColor(cv2.imread(str(picture)), cv2.COLOR_BGR2RGB)
            render_video(video, cues, look, background, duration=seconds, seed=index)
            write_atomic(srt, to_srt(cues))
            write_atomic(made, recipe)
        pairs.append((video, srt))
    return pairs


TYPED = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})


def plain(text: str) -> str:
    return " ".join(text.translate(TYPED).split())


def evaluate(truth: list, found: list, tolerance: float = 0.25) -> dict:
    from rapidfuzz.distance import Levenshtein

    edits = chars = timed = exact = 0
    used = set()
    for cue in truth:
        overlaps = [(min(cue.end, f.end) - max(cue.start, f.start), i) for i, f in enumerate(found)]
        best = max(overlaps, default=(0.0, -1))
        text = plain(cue.text)
        chars += len(text)
        if best[0] <= 0:
            edits += len(text)
            continue
        match = found[best[1]]
        used.add(best[1])
        read = plain(match.text)
        edits += Levenshtein.distance(read, text)
        exact += read == text
        timed += abs(match.start - cue.start) <= tolerance and abs(match.end - cue.end) <= tolerance
    extra = sum(
        1
        for i, f in enumerate(found)
        if i not in used and not any(min(c.end, f.end) > max(c.start, f.start) for c in truth)
    )
    return {"cues": len(truth), "chars": chars, "edits": edits, "exact": exact, "timed": timed, "extra": extra}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=Path, default=ROOT / "runs" / "subtitle-videos")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "subtitles.md")
    args = parser.parse_args(argv)

    from textlens.apps.subtitles import read_subtitles
    from textlens.io.subtitles import parse_subtitles, to_srt
    from textlens.pipeline import Pipeline, PipelineConfig

    args.work.mkdir(parents=True, exist_ok=True)
    pairs = render_set(args.work, args.videos, args.seconds, args.seed)
    pipeline = Pipeline.from_config(PipelineConfig(mode="document", threads=args.threads))
    totals = dict.fromkeys(("cues", "chars", "edits", "exact", "timed", "extra"), 0)
    seconds = wall = 0.0
    rows = []
    for video, srt in pairs:
        start = time.perf_counter()
        found = read_subtitles(video, pipeline)
        spent = time.perf_counter() - start
        write_atomic(video.with_suffix(".found.srt"), to_srt(found))
        result = evaluate(parse_subtitles(srt.read_text()), found)
        for key in totals:
            totals[key] += result[key]
        seconds += args.seconds
        wall += spent
        cer = 100 * result["edits"] / max(1, result["chars"])
        rows.append(
            f"| {video.name} | {result['cues']} | {cer:.2f} | {result['exact']} | {result['timed']} | "
            f"{result['extra']} | {args.seconds / spent:.1f} |"
        )
        print(rows[-1], flush=True)
    cer = 100 * totals["edits"] / max(1, totals["chars"])
    timed = 100 * totals["timed"] / max(1, totals["cues"])
    summary = (
        f"| all ({len(pairs)} videos, {seconds:.0f} s) | {totals['cues']} | {cer:.2f} | {totals['exact']} | "
        f"{totals['timed']} ({timed:.1f}%) | {totals['extra']} | {seconds / wall:.1f} |"
    )
    header = (
        "| video | subtitles | CER % | read exactly | start and end within 0.25 s | extra cues | "
        "video s per s |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    report = "\n".join([header, *rows, summary]) + "\n"
    write_atomic(args.out, report)
    print(header, summary, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
