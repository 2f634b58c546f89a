"""Fuzz every input decoder with mutated real files: no crash, hang or traceback, only clear errors.

    python -m benchmarks.fuzz_decoders [--count 10000] [--decoders images,pdf,...] [--seed 0] [--out FILE.md]

Seeds are real files made by our own code (a synthetic page saved as PNG, JPEG, TIFF, BMP, WebP,
GIF and PDF; a recognizer manifest, a CSV, a Document JSON, a shipped ONNX model, a checkpoint).
Each input is a seed under 1-4 random mutations (bit flips, byte runs, truncation, splices,
duplicated chunks, boundary values), decoded by the public API a user's file goes through. An
outcome is ``ok``, ``clear`` (a one-line ``TextlensError``) or a failure: any other exception (a
traceback), a crash of the decoding process, or a hang past ``--hang-s``. Each decoder runs in a
child process, restarted after a crash, so one segfault is counted and the run goes on.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from textlens.errors import TextlensError
from textlens.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[1]


# --- seeds ------------------------------------------------------------------------------------


def _page(size: tuple[int, int] = (96, 64)) -> np.ndarray:
    from textlens.synth.pages import render_page

    page = render_page(np.random.default_rng(0), style="receipt", degrade=0.0).image
    import cv2

    return cv2.resize(page, size, interpolation=cv2.INTER_AREA)


def image_seeds() -> list[bytes]:
    from PIL import Image

    picture = Image.fromarray(_page())
    seeds = []
    for fmt, extra in (("PNG", {}), ("JPEG", {"quality": 80}), ("BMP", {}), ("WEBP", {}), ("GIF", {})):
        buffer = io.BytesIO()
        picture.save(buffer, fmt, **extra)
        seeds.append(buffer.getvalue())
    buffer = io.BytesIO()
    picture.save(buffer, "TIFF", save_all=True, append_images=[picture.rotate(90)], compression="tiff_lzw")
    seeds.append(buffer.getvalue())
    return seeds


def pdf_seeds() -> list[bytes]:
    from PIL import Image

    picture = Image.fromarray(_page((48, 32)))
    buffer = io.BytesIO()
    picture.save(buffer, "PDF", save_all=True, append_images=[picture], resolution=36)
    return [buffer.getvalue()]


def manifest_seeds() -> list[bytes]:
    lines = [
        {"image": "img/a.png", "text": "Total 12.50"},
        {"image": "img/b.png", "text": "café"},
        {"image": "page.png", "text": "", "regions": [{"quad": [0, 0, 10, 0, 10, 5, 0, 5], "text": "hi"}]},
    ]
    return ["\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode() + b"\n"]


def table_seeds() -> list[bytes]:
    return [b'path,label\nimg/a.png,Total 12.50\nimg/b.png,"a, b"\n', b"img/a.png\tTOTAL\nimg/b.png\tx\n"]


def document_seeds() -> list[bytes]:
    from textlens.document import Block, Document, Line, Page, Word
    from textlens.io.exporters import export_document

    words = [
        Word("Total", 0.98, [(1, 2), (30, 2), (30, 12), (1, 12)]),
        Word("12.50", 0.9, [(35, 2), (60, 2), (60, 12)]),
    ]
    document = Document([Page(100, 50, [Block([Line(words)])])], source="x.png")
    return [export_document(document, "json")]


def onnx_seeds() -> list[bytes]:
    return [(ROOT / "textlens" / "models" / "doc-dbnet-int8.onnx").read_bytes()]


def onnx_recognizer_seeds() -> list[bytes]:
    return [(ROOT / "textlens" / "models" / "latin-crnn-int8.onnx").read_bytes()]


def checkpoint_seeds() -> list[bytes]:
    import torch

    buffer = io.BytesIO()
    torch.save({"kind": "recognizer", "model_config": {"height": 32}, "state_dict": {"w": torch.ones(3)}}, buffer)
    return [buffer.getvalue()]


# --- decoders: the public path a user's file takes --------------------------------------------


def decode_image(data: bytes, workdir: Path) -> None:
    from textlens.io.loading import count_pages, iter_pages

    count_pages(data)
    for page in iter_pages(data, dpi=36):
        assert page.image.dtype == np.uint8 and page.image.ndim == 3 and page.image.shape[2] == 3


def decode_file(name: str, data: bytes, workdir: Path) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


def decode_manifest(data: bytes, workdir: Path) -> None:
    from textlens.training.sources import load_samples

    load_samples(decode_file("manifest.jsonl", data, workdir))


def decode_table(data: bytes, workdir: Path) -> None:
    from textlens.training.sources import load_samples

    load_samples(decode_file("labels.csv", data, workdir))


def decode_document(data: bytes, workdir: Path) -> None:
    from textlens.io.exporters import FORMATS, export_document
    from textlens.io.exporters.json import parse

    document = parse(data)
    for fmt in FORMATS:  # a document that parses must export to every format
        export_document(document, fmt)


def decode_onnx(data: bytes, workdir: Path) -> None:
    from textlens.detection.predictor import Detector

    Detector(decode_file("model.onnx", data, workdir), threads=1)


def decode_onnx_recognizer(data: bytes, workdir: Path) -> None:
    from textlens.recognition.predictor import Recognizer

    Recognizer(decode_file("model.onnx", data, workdir), threads=1)


def decode_checkpoint(data: bytes, workdir: Path) -> None:
    from textlens.training.common import read_checkpoint

    read_checkpoint(decode_file("model.pt", data, workdir), "recognizer", "recognizer")


@dataclass(frozen=True)
class Decoder:
    seeds: Callable[[], list[bytes]]
    decode: Callable[[bytes, Path], None]


DECODERS: dict[str, Decoder] = {
    "images": Decoder(image_seeds, decode_image),
    "pdf": Decoder(pdf_seeds, decode_image),
    "manifest": Decoder(manifest_seeds, decode_manifest),
    "csv": Decoder(table_seeds, decode_table),
    "document-json": Decoder(document_seeds, decode_document),
    "onnx": Decoder(onnx_seeds, decode_onnx),
    "onnx-recognizer": Decoder(onnx_recognizer_seeds, decode_onnx_recognizer),
    "checkpoint": Decoder(checkpoint_seeds, decode_checkpoint),
}


# --- mutations --------------------------------------------------------------------------------

INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f"]
TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"NaN", b"-1e309", b"obj", b"endobj", b"/Pages", b"\n"]


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """``data`` after 1 to 4 random edits (AFL-style havoc, kept simple)."""
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        if not out:
            out.extend(rng.bytes(int(rng.integers(1, 16))))
            continue
        at = int(rng.integers(0, len(out)))
        op = int(rng.integers(0, 8))
        if op == 0:  # flip a bit
            out[at] ^= 1 << int(rng.integers(0, 8))
        elif op == 1:  # random bytes over a run
            run = rng.bytes(int(rng.integers(1, 33)))
            out[at : at + len(run)] = run
        elif op == 2:  # truncate
            del out[at:]
        elif op == 3:  # delete a run
            del out[at : at + int(rng.integers(1, 257))]
        elif op == 4:  # duplicate a chunk somewhere else
            chunk = out[at : at + int(rng.integers(1, 513))]
            where = int(rng.integers(0, len(out) + 1))
            out[where:where] = chunk
        elif op == 5:  # a boundary value
            value = INTERESTING[int(rng.integers(0, len(INTERESTING)))]
            out[at : at + len(value)] = value
        elif op == 6:  # a structural token (JSON, PDF)
            out[at:at] = TOKENS[int(rng.integers(0, len(TOKENS)))]
        else:  # grow a length-like field: bytes before a run of zeros
            out[at : at + 2] = b"\x7f\xff"
    return bytes(out)


# --- running ----------------------------------------------------------------------------------


def classify(decoder: Decoder, data: bytes, workdir: Path) -> tuple[str, str]:
    """('ok' | 'clear' | 'traceback', detail) for one input."""
    try:
        decoder.decode(data, workdir)
    except TextlensError as exc:
        message = str(exc)
        return ("clear", "") if message and "\n" not in message else ("traceback", f"multi-line: {message[:200]!r}")
    except Exception as exc:  # noqa: BLE001  (exactly what we are looking for)
        return "traceback", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    return "ok", ""


def _child(name: str, start: int, count: int, seed: int, progress: str, results: mp.Queue) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    decoder = DECODERS[name]
    seeds = decoder.seeds()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for index in range(start, count):
            rng = np.random.default_rng([seed, index])
            data = mutate(seeds[index % len(seeds)], rng)
            Path(progress).write_text(str(index))  # the parent knows which input a crash or hang hit
            started = time.perf_counter()
            outcome, detail = classify(decoder, data, workdir)
            results.put((index, outcome, detail, time.perf_counter() - started))
    results.put(None)


def fuzz(name: str, count: int, seed: int, hang_s: float) -> dict[str, object]:
    """Run ``count`` mutated inputs through one decoder; a crash or hang is counted and skipped."""
    outcomes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    slowest = 0.0
    start = 0
    context = mp.get_context("spawn")
    with tempfile.NamedTemporaryFile(suffix=".progress") as progress:
        while start < count:
            results: mp.Queue = context.Queue()
            child = context.Process(target=_child, args=(name, start, count, seed, progress.name, results))
            child.start()
            finished = False
            last = time.monotonic()
            while True:
                try:
                    item = results.get(timeout=1.0)
                except Exception:  # queue.Empty: check the child
                    item = "wait"
                if item is None:
                    finished = True
                    break
                if item != "wait":
                    index, outcome, detail, seconds = item
                    outcomes[outcome] += 1
                    slowest = max(slowest, seconds)
                    if outcome == "traceback":
                        examples.setdefault(detail.split(":")[0], f"input {index}: {detail}")
                    start, last = index + 1, time.monotonic()
                    continue
                if not child.is_alive() or time.monotonic() - last > hang_s:
                    break
            if finished:
                child.join()
                break
            hung = child.is_alive()
            child.kill()
            child.join()
            index = int(Path(progress.name).read_text() or start)
            kind = "hang" if hung else "crash"
            outcomes[kind] += 1
            examples.setdefault(kind, f"input {index}: exit code {child.exitcode}")
            start = index + 1
    return {"decoder": name, "inputs": sum(outcomes.values()), **outcomes, "slowest_s": slowest, "examples": examples}


def render(rows: list[dict[str, object]], seed: int) -> str:
    head = (
        "| decoder | inputs | ok | clear error | traceback | crash | hang | slowest input (s) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    body = "".join(
        f"| {r['decoder']} | {r['inputs']} | {r.get('ok', 0)} | {r.get('clear', 0)} | {r.get('traceback', 0)} "
        f"| {r.get('crash', 0)} | {r.get('hang', 0)} | {float(r['slowest_s']):.2f} |\n"
        for r in rows
    )
    notes = "".join(f"- {r['decoder']}: {e}\n" for r in rows for e in r["examples"].values())  # type: ignore[union-attr]
    return f"# Decoder fuzzing (seed {seed})\n\n{head}{body}\n" + (notes or "No failures.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="mutated inputs per decoder")
    parser.add_argument("--decoders", default=",".join(DECODERS), help="comma-separated: " + ",".join(DECODERS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang-s", type=float, default=20.0, help="an input taking longer is a hang")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fuzz_decoders.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.decoders.split(",") if n.strip()]
    unknown = [n for n in names if n not in DECODERS]
    if unknown:
        parser.error(f"unknown decoder(s) {', '.join(unknown)}")
    rows = []
    for name in names:
        started = time.perf_counter()
        row = fuzz(name, args.count, args.seed, args.hang_s)
        rows.append(row)
        print(f"{name}: {row} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    table = render(rows, args.seed)
    write_atomic(args.out, table.encode())
    print(table)
    failures = sum(int(r.get(k, 0)) for r in rows for k in ("traceback", "crash", "hang"))  # type: ignore[call-overload]
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
