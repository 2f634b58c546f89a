"""Printed lines in other scripts (polytonic Greek with Latin, Arabic, Russian): textlens against Tesseract.

    python -m benchmarks.script_lines greek [--model greek-crnn] [--tessdata DIR]
    python -m benchmarks.script_lines greek --where commentary=cu31924087948174 --langs grc+deu+eng
    python -m benchmarks.script_lines receipts --auto --no-tesseract   # what --lang auto costs on Latin lines
    python -m benchmarks.script_lines russian --model cyrillic-crnn --langs rus   # printed lines we render

A set is a line manifest of ../shared/data; ``--where FIELD=VALUE`` keeps its lines whose FIELD
equals VALUE (the book a model never trained on: scripts/train_greek.sh leaves it out), else
every line is read. Both engines read the same crops, each at its best use of the two cores:
textlens in one process with two threads, Tesseract (``--psm 7``, one line) as one
single-threaded process per core. ``--auto`` adds ``read --lang auto``'s recognizer (the Latin
model, each installed script model re-reading the lines it is unsure of) and the share of lines
re-read. Scores are CER over the set (edits / reference characters)
after Unicode NFC and whitespace collapsing, exact and accent-blind (marks removed, case kept);
Arabic sets strip harakat and tatweel from both sides first, as their labels omit most of them.

``russian`` is no data set but lines we print ourselves (`render_russian`): Russian text by word
frequency, set at 10-14 pt and 300 dpi in the font families that no recognizer trained on (the
synthesizer's test split) and scanned bilevel (`textlens.synth.degrade.print_scan`); rendered once
per seed into runs/russian-lines.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from benchmarks.run import ROOT, data_root
from textlens.eval.metrics import char_edits
from textlens.io.atomic import write_atomic
from textlens.recognition.charset import normalize_text, strip_arabic_marks

SETS = {
    # set: (folder, default --where, Tesseract's languages, strip Arabic marks)
    "greek": ("greek-latin-lines-dev", "commentary=cu31924087948174", "grc+deu+eng", False),
    "arabic": ("arabic-print-lines-dev", "book=book_Yacqubi.Tarikh", "ara", True),
    "receipts": ("sroie-test-lines", None, "eng", False),  # Latin only: what --lang auto costs there
    "russian": ("russian-lines", None, "rus", False),  # rendered by render_russian, not read from data
}
RUSSIAN = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ")


def render_russian(folder: Path, count: int, seed: int) -> Path:
    """``count`` printed-and-scanned Russian lines in the held-out font families (see the module)."""
    from PIL import Image, ImageDraw, ImageFont

    from textlens.synth.corpus import cyrillic
    from textlens.synth.degrade import print_scan
    from textlens.synth.fonts import discover_fonts, font_info
    from textlens.synth.lines import held_out_family

    manifest, recipe = folder / "manifest.jsonl", json.dumps({"count": count, "seed": seed})
    if manifest.is_file() and (folder / "recipe.json").is_file() and (folder / "recipe.json").read_text() == recipe:
        return folder  # drawn before with the same count and seed
    families: dict[str, list[str]] = {}
    for path in discover_fonts():
        info = font_info(path)
        if held_out_family(info.family) and RUSSIAN <= info.chars and not info.italic and info.weight >= 400:
            families.setdefault(info.family, []).append(path)
    if not families:
        raise SystemExit("no held-out font family draws Russian: run scripts/install-fonts.sh")
    names = sorted(families)
    rng = np.random.default_rng(seed)
    (folder / "img").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        text = cyrillic(rng, language="ru")
        path = _style(families[names[int(rng.integers(len(names)))]], 400 if rng.random() < 0.8 else 700)
        size = int(rng.uniform(10, 14) * 300 / 72)
        font = ImageFont.truetype(path, size)
        x0, y0, x1, y1 = font.getbbox(text)
        pad = size // 3
        page = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 255)
        ImageDraw.Draw(page).text((pad - x0, pad - y0), text, font=font, fill=0)
        name = f"img/{i:04d}.png"
        Image.fromarray(print_scan(np.asarray(page), rng)).save(folder / name)
        rows.append(json.dumps({"image": name, "text": text, "font": Path(path).name}, ensure_ascii=False))
    write_atomic(manifest, "\n".join(rows) + "\n")
    write_atomic(folder / "recipe.json", recipe)
    return folder


def _style(paths: list[str], weight: int) -> str:
    """The family's plain face nearest ``weight`` (not a condensed, narrow or extended cut)."""
    from textlens.synth.fonts import font_info

    def odd(path: str) -> bool:
        return any(cut in Path(path).stem.lower() for cut in ("condensed", "narrow", "extended", "semi"))

    return min(paths, key=lambda p: (abs(font_info(p).weight - weight), odd(p), len(Path(p).name)))


def clean(text: str, arabic: bool, accents: bool = True) -> str:
    text = normalize_text(strip_arabic_marks(text) if arabic else text)
    if not accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text


def cer(preds: list[str], refs: list[str], arabic: bool, accents: bool = True) -> float:
    pairs = [(clean(p, arabic, accents), clean(r, arabic, accents)) for p, r in zip(preds, refs)]
    return 100.0 * sum(char_edits(p, r) for p, r in pairs) / max(1, sum(len(r) for _, r in pairs))


def load_lines(folder: Path, where: str | None, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    if where:
        field, _, value = where.partition("=")
        rows = [r for r in rows if str(r.get(field)) == value]
    for r in rows:
        r["path"] = str(folder / r["image"])
    return rows[:limit] if limit else rows


def read_textlens(rows: list[dict], model: str | None, threads: int) -> tuple[list[str], float]:
    """Every line read by one recognizer (``model``), or by ``read --lang auto``'s (``model`` = "auto")."""
    from textlens.io.loading import load_image
    from textlens.pipeline import PipelineConfig, _load_recognizer
    from textlens.recognition.predictor import Recognizer
    from textlens.recognition.scripts import ScriptRouter

    start = time.perf_counter()
    if model == "auto":
        recognizer = _load_recognizer(PipelineConfig(lang="auto", threads=threads), threads)
    else:
        recognizer = Recognizer.load(model, threads=threads)
    crops = [load_image(row["path"]) for row in rows]
    preds = [r.text for r in recognizer.predict(crops)]
    seconds = time.perf_counter() - start
    if isinstance(recognizer, ScriptRouter):  # counted after the timing
        unsure = sum(r.confidence < recognizer.switch_below for r in recognizer.primary.predict(crops))
        print(f"--lang auto: {unsure} of {len(crops)} lines re-read by the script models", file=sys.stderr)
    return preds, seconds


def read_tesseract(rows: list[dict], langs: str, tessdata: Path | None, jobs: int) -> tuple[list[str], float]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: str) -> str:
        args = ["tesseract", path, "-", "--psm", "7", "-l", langs]
        args += ["--tessdata-dir", str(tessdata)] if tessdata else []
        done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"tesseract failed: {done.stderr.strip()[-300:]}")
        return done.stdout.strip()

    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        preds = list(pool.map(one, [row["path"] for row in rows]))
    return preds, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=sorted(SETS))
    parser.add_argument("--model", action="append", default=None, help="recognizer name or .onnx (repeatable)")
    parser.add_argument("--where", default=None, help="FIELD=VALUE: only these lines (default: the held-out book)")
    parser.add_argument("--all", action="store_true", help="every line of the set")
    parser.add_argument("--auto", action="store_true", help="also read --lang auto's way")
    parser.add_argument("--langs", default=None, help="Tesseract languages (default per set)")
    parser.add_argument("--tessdata", type=Path, default=None, help="Tesseract's language data (default: its own)")
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--count", type=int, default=300, help="russian: how many lines to render")
    parser.add_argument("--seed", type=int, default=11, help="russian: the seed of the rendered lines")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    folder, where, langs, arabic = SETS[args.set]
    where = None if args.all else (args.where or where)
    if args.set == "russian":
        root = render_russian(ROOT / "runs" / folder, args.count, args.seed)
    else:
        root = data_root() / folder
    rows = load_lines(root, where, args.limit)
    refs = [r["text"] for r in rows]
    results: list[tuple[str, list[str], float]] = []
    for model in (args.model or [None]) + (["auto"] if args.auto else []):
        preds, seconds = read_textlens(rows, model, args.threads)
        name = "--lang auto" if model == "auto" else model or "default"
        results.append((f"textlens {name}", preds, seconds))
    if not args.no_tesseract:
        tess_langs = args.langs or langs
        preds, seconds = read_tesseract(rows, tess_langs, args.tessdata, args.threads)
        results.append((f"Tesseract {tess_langs} (--psm 7, 1 thread x {args.threads})", preds, seconds))

    other = [
        i
        for i, ref in enumerate(refs)
        if any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in ref)
    ]
    lines = [
        f"# {folder}: {len(rows)} lines ({where or 'all'})",
        "",
        f"| engine | CER % | CER % accent-blind | CER % of the {len(other)} lines with non-Latin letters | lines/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, preds, seconds in results:
        row = f"| {name} | {cer(preds, refs, arabic):.2f} | {cer(preds, refs, arabic, accents=False):.2f} |"
        some = cer([preds[i] for i in other], [refs[i] for i in other], arabic) if other else float("nan")
        lines.append(f"{row} {some:.2f} | {len(rows) / seconds:.1f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    out = args.out or ROOT / "benchmarks" / "results" / f"script_lines_{args.set}.md"
    write_atomic(out, report)
    samples = [{"text": ref, **{name: preds[i] for name, preds, _ in results}} for i, ref in enumerate(refs[:40])]
    write_atomic(out.with_suffix(".json"), json.dumps(samples, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
