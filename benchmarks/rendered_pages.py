"""A page set rendered from text with known reading order: bilevel 300-dpi "scans" with 10-36 pt
type in one, two or three columns, in several languages (issue 16's own set).

    python -m benchmarks.rendered_pages --out /tmp/rendered [--pages 24] [--seed 0]
    python -m benchmarks.run --data /tmp/rendered --engines textlens,tesseract --threads 2

Each page: an A4 sheet at 300 dpi, 1-inch margins, one font (serif or sans, from the installed
fonts) at one size, words drawn from each language's real word frequencies (``wordfreq``),
wrapped into justified-left lines, columns filled left to right; a heading line in a larger size
spans the columns. The image is thresholded to 1 bit, as a bilevel scanner writes it. The
manifest (``manifest.jsonl`` in ``--out``) is a page set: ``text`` in reading order (heading,
then each column top to bottom) and one region per printed line (its quad and text), so
``benchmarks.run`` scores page CER, bag-of-words F1 and detection P/R against whole lines: a
line found in pieces fails the IoU match, so detection recall measures "every line whole".
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DPI = 300
PAGE = (2480, 3508)  # A4 at 300 dpi
MARGIN = 300
GUTTER = 75  # a quarter inch
LANGUAGES = ("en", "fr", "de", "es", "pt", "it", "nl", "sv", "da", "fi")
SIZES_PT = (10, 12, 14, 18, 24, 28, 36)
FONTS = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf")


def _font_path(name: str) -> str | None:
    from textlens.synth.fonts import discover_fonts

    return next((f for f in discover_fonts() if f.endswith("/" + name)), None)


def _vocabulary(language: str) -> list[str]:
    from wordfreq import top_n_list

    # Latin-1 letters only: the shipped recognizer's charset (Polish and Czech need issue 16's model)
    words = [w for w in top_n_list(language, 3000) if w.isalpha() and all(ord(c) < 256 for c in w)]
    return words[:2000]


def _words(rng: np.random.Generator, vocabulary: list[str], count: int) -> list[str]:
    weights = 1.0 / (np.arange(len(vocabulary)) + 20.0)  # Zipf-like, without "i i i" runs
    ranks = rng.choice(len(vocabulary), size=count, p=weights / weights.sum())
    words = [vocabulary[r] for r in ranks]
    return [w.capitalize() if rng.random() < 0.12 else w for w in words]


def render_page(rng: np.random.Generator, fonts: list[str]) -> tuple[Image.Image, list[tuple[list[float], str]]]:
    """A bilevel page and its printed lines (quad, text) in reading order."""
    language = str(rng.choice(LANGUAGES))
    vocabulary = _vocabulary(language)
    size_pt = int(rng.choice(SIZES_PT))
    columns = int(rng.choice([1, 2, 3])) if size_pt <= 18 else int(rng.choice([1, 2]))
    font = ImageFont.truetype(str(rng.choice(fonts)), round(size_pt * DPI / 72))
    heading_font = ImageFont.truetype(font.path, round(min(size_pt * 1.6, 48) * DPI / 72))
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    lines: list[tuple[list[float], str]] = []

    heading_words = _words(rng, vocabulary, int(rng.integers(2, 5)))
    while len(heading_words) > 1 and heading_font.getlength(" ".join(heading_words)) > PAGE[0] - 2 * MARGIN:
        heading_words.pop()  # a heading runs off no page: its printed text is the ground truth
    heading = " ".join(heading_words).capitalize()
    lines.append(_draw_line(draw, heading, MARGIN, MARGIN, heading_font))
    top = lines[0][0][5] + heading_font.size
    width = (PAGE[0] - 2 * MARGIN - (columns - 1) * GUTTER) // columns
    pitch = round(font.size * 1.25)
    for column in range(columns):
        x, y = MARGIN + column * (width + GUTTER), top
        while y + pitch < PAGE[1] - MARGIN:
            text = _fill(rng, vocabulary, font, width)
            lines.append(_draw_line(draw, text, x, y, font))
            y += pitch
    bilevel = page.point(lambda v: 0 if v < 140 else 255).convert("1")
    return bilevel, lines


def _fill(rng: np.random.Generator, vocabulary: list[str], font: ImageFont.FreeTypeFont, width: int) -> str:
    """Words that fit in ``width`` pixels (at least one)."""
    words: list[str] = []
    for word in _words(rng, vocabulary, 60):
        candidate = " ".join([*words, word])
        if words and font.getlength(candidate) > width:
            break
        words.append(word)
    return " ".join(words)


def _draw_line(draw: ImageDraw.ImageDraw, text: str, x: int, y: int, font: ImageFont.FreeTypeFont):
    draw.text((x, y), text, font=font, fill=0)
    x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
    return [float(x0), float(y0), float(x1), float(y0), float(x1), float(y1), float(x0), float(y1)], text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    fonts = [path for path in map(_font_path, FONTS) if path]
    if not fonts:
        parser.error(f"none of the fonts {', '.join(FONTS)} is installed (make fonts)")
    (args.out / "img").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    with open(args.out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for number in range(args.pages):
            image, lines = render_page(rng, fonts)
            name = f"img/page{number:03d}.png"
            image.save(args.out / name, dpi=(DPI, DPI))
            regions = [{"quad": quad, "text": text} for quad, text in lines]
            record = {"image": name, "text": "\n".join(text for _, text in lines), "regions": regions}
            manifest.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.pages} pages to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
