"""Two made-up CAPTCHA schemes that textlens never trains on, to check that `textlens train
recognizer` with no flags carries a scheme it has not seen.

* ``ripple``: 5-6 overlapping glyphs (lower case and digits) rotated up to 28 degrees, all in one
  dark colour, two arcs in the same colour, a sine ripple over the whole 180x60 image, a speckled
  gradient; a folder of images named by their labels.
* ``dark``: 6 light glyphs on a dark noisy background with a faint grid and dots, each glyph its own
  colour, size and tilt; mixed case, and the case counts; 200x70; a ``manifest.jsonl``.
* ``pypi``: the PyPI ``captcha`` package's ``ImageCaptcha`` with its own font (Droid Sans Mono, which
  textlens's CAPTCHA pretraining does not use), 5 capitals and digits, 160x60; a folder named by labels.

``ripple`` and ``dark`` are drawn with PIL and OpenCV from the Debian fonts that
``scripts/install-fonts.sh`` installs, deterministically by seed; ``pypi``'s labels follow the seed,
but the package draws its pictures from ``secrets``, so they differ from run to run (same scheme)::

    python -m benchmarks.made_up_captchas ripple /tmp/unseen/ripple    # train/ (1500) and test/ (300)
    python -m benchmarks.made_up_captchas dark /tmp/unseen/dark        # train/ (2000) and test/ (300)
    python -m benchmarks.made_up_captchas pypi /tmp/unseen/pypi        # train/ (2000) and test/ (300)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import string
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")
RIPPLE_FONTS = ("dejavu/DejaVuSerif-Bold.ttf", "freefont/FreeMonoBold.ttf")
RIPPLE_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"
DARK_FONTS = ("liberation/LiberationSans-Bold.ttf", "dejavu/DejaVuSansMono-Bold.ttf", "freefont/FreeSerifBold.ttf")
DARK_CHARS = "ABCDEFGHJKLMNPQRTUVWXYabdefghjmnqrt2346789"  # the scheme leaves out look-alike pairs
# (train seed, train count, test seed, test count) of each scheme
SPLITS = {"ripple": (1, 1500, 2, 300), "dark": (11, 2000, 12, 300), "pypi": (21, 2000, 22, 300)}
PYPI_CHARS = string.ascii_uppercase + string.digits


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run scripts/install-fonts.sh")
    return ImageFont.truetype(str(path), size)


def render_ripple(text: str, rng: random.Random) -> np.ndarray:
    width, height = 180, 60
    top = np.array([rng.randint(200, 255) for _ in range(3)], np.float32)
    bottom = np.array([rng.randint(170, 235) for _ in range(3)], np.float32)
    t = np.linspace(0, 1, height)[:, None, None]
    background = (top * (1 - t) + bottom * t) * np.ones((height, width, 3), np.float32)
    background += np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 12, background.shape)
    image = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8)).convert("RGBA")
    colour = tuple(rng.randint(0, 90) for _ in range(3)) + (255,)
    font = _font(rng.choice(RIPPLE_FONTS), rng.randint(30, 36))
    x = rng.randint(4, 14)
    for char in text:
        glyph = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 5), char, font=font, fill=colour)
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.BICUBIC, expand=False)
        image.alpha_composite(glyph, (x - 8, rng.randint(-4, 5)))
        x += rng.randint(17, 24)
    draw = ImageDraw.Draw(image)
    for _ in range(2):
        points = [(0, rng.randint(10, 50))]
        for k in range(1, 7):
            points.append((k * 30, points[-1][1] + rng.randint(-10, 10)))
        draw.line(points, fill=colour, width=rng.randint(1, 3))
    pixels = np.array(image.convert("RGB"))
    amplitude, period, phase = rng.uniform(2, 4), rng.uniform(25, 45), rng.uniform(0, 6.3)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x = xs + amplitude * 0.5 * np.sin(ys / 9 + phase)
    map_y = ys + amplitude * np.sin(xs / period * 2 * math.pi / 6 + phase)
    return cv2.remap(pixels, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def render_dark(text: str, rng: random.Random) -> np.ndarray:
    width, height = 200, 70
    base = np.array([rng.randint(10, 60), rng.randint(10, 60), rng.randint(30, 90)], np.float32)
    noisy = base + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 14, (height, width, 3))
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    step = rng.randint(12, 20)
    grid = tuple(int(c) + 35 for c in base)
    for x in range(rng.randint(0, step), width, step):
        draw.line([(x, 0), (x, height)], fill=grid)
    for y in range(rng.randint(0, step), height, step):
        draw.line([(0, y), (width, y)], fill=grid)
    font_name = rng.choice(DARK_FONTS)
    x = rng.randint(6, 20)
    for char in text:
        font = _font(font_name, rng.randint(30, 38))
        colour = tuple(rng.randint(150, 255) for _ in range(3))
        glyph = Image.new("L", (56, 64), 0)
        ImageDraw.Draw(glyph).text((8, 4), char, font=font, fill=255)
        glyph = glyph.rotate(rng.uniform(-20, 20), resample=Image.BICUBIC)
        image.paste(Image.new("RGB", glyph.size, colour), (x - 8, rng.randint(-2, 10)), glyph)
        x += int(font.getlength(char)) + rng.randint(-1, 5)
    for _ in range(120):
        draw.point((rng.randrange(width), rng.randrange(height)), fill=tuple(rng.randint(120, 255) for _ in range(3)))
    return np.asarray(image.filter(ImageFilter.GaussianBlur(0.6)))


def write_ripple(out: Path, seed: int, count: int) -> None:
    """``count`` distinct codes, each saved as ``<code>.png``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        text = "".join(rng.choice(RIPPLE_CHARS) for _ in range(rng.randint(5, 6)))
        if text in seen:
            continue
        seen.add(text)
        Image.fromarray(render_ripple(text, rng)).save(out / f"{text}.png")


def write_dark(out: Path, seed: int, count: int) -> None:
    """``count`` images under ``img/`` and their labels in ``manifest.jsonl``."""
    (out / "img").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(out / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for i in range(count):
            text = "".join(rng.choice(DARK_CHARS) for _ in range(6))
            Image.fromarray(render_dark(text, rng)).save(out / "img" / f"{i:05d}.png")
            manifest.write(json.dumps({"image": f"img/{i:05d}.png", "text": text}) + "\n")


def write_pypi(out: Path, seed: int, count: int) -> None:
    """``count`` distinct codes (by ``seed``) drawn by ``ImageCaptcha`` (whose own randomness is unseeded)."""
    from captcha.image import ImageCaptcha

    out.mkdir(parents=True, exist_ok=True)
    random.seed(seed)
    generator = ImageCaptcha(width=160, height=60)
    seen: set[str] = set()
    while len(seen) < count:
        text = "".join(random.choice(PYPI_CHARS) for _ in range(5))
        if text in seen:
            continue
        seen.add(text)
        generator.write(text, str(out / f"{text}.png"))


WRITERS = {"ripple": write_ripple, "dark": write_dark, "pypi": write_pypi}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scheme", choices=sorted(WRITERS))
    parser.add_argument("out", type=Path, help="folder for train/ and test/")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the image counts (e.g. 0.01 for a look)")
    args = parser.parse_args(argv)
    train_seed, train_count, test_seed, test_count = SPLITS[args.scheme]
    try:
        WRITERS[args.scheme](args.out / "train", train_seed, max(1, round(train_count * args.scale)))
        WRITERS[args.scheme](args.out / "test", test_seed, max(1, round(test_count * args.scale)))
    except OSError as exc:
        print(f"made_up_captchas: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'train'} and {args.out / 'test'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
