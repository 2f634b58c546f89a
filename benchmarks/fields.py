"""Receipt key fields end to end from the image (SROIE task 3), against a Tesseract + rules baseline.

    python -m benchmarks.fields --data sroie-test [--engines textlens,tesseract] [--psm 4]

A field counts when its text equals the ground truth after collapsing whitespace, ignoring case
(SROIE task 3). Micro P/R/F1 over the four fields: a field is predicted when non-empty.
``textlens``: ``read`` then ``textlens.apps.fields`` (the learnt ranker). ``rules``: the
baseline's regular expressions and position rules on textlens's own lines, which shows what the
ranker adds. ``tesseract``: the same rules on Tesseract's lines (one single-threaded process
per page, ``--psm 4``, a single column of text of variable sizes, its best mode for receipts).
Also reported: read and extraction time per page (one thread), so extraction's share is known.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from textlens.apps.fields import extract_fields, load_fields_model, tidy_company
from textlens.apps.receipt_candidates import (
    _AMOUNT,
    _DATE_PATTERNS,
    _REGISTRATION_LINE,
    _plausible_date,
    keyword_hits,
    page_lines,
    strip_registration,
)
from textlens.training.fields import field_correct

FIELDS = ("company", "date", "address", "total")
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------- the rules baseline


def _is_head_noise(line: str) -> bool:
    letters = sum(c.isalpha() for c in line)
    return letters < 3 or keyword_hits(line, "document") > 0


def _ends_address(line: str) -> bool:
    return any(keyword_hits(line, g) for g in ("contact", "document")) or bool(_first_date(line))


def _first_date(text: str) -> str:
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text.upper()):
            groups = {k: v for k, v in m.groupdict().items() if v is not None}
            if _plausible_date(kind, groups):
                return text[m.start() : m.end()]
    return ""


def rule_fields(lines: list[str]) -> dict[str, str]:
    """Company = first real line; address = the lines after it up to a phone/tax/date line;
    date = the first date; total = the last amount on a TOTAL line (not SUBTOTAL), else the largest."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    out = dict.fromkeys(FIELDS, "")
    start = next((i for i, ln in enumerate(lines) if not _is_head_noise(ln)), None)
    if start is not None:
        out["company"] = tidy_company(strip_registration(lines[start]) or lines[start])
        address = []
        for line in lines[start + 1 : start + 8]:
            if _REGISTRATION_LINE.match(line.upper()) and not address:
                continue
            if _ends_address(line) or len(address) == 4:
                break
            address.append(line)
        out["address"] = " ".join(address)
    out["date"] = next((d for d in (_first_date(ln) for ln in lines) if d), "")
    totals, amounts = [], []
    for line in lines:
        found = [m.group("num") for m in _AMOUNT.finditer(line.upper())]
        amounts += found
        if found and keyword_hits(line, "total") and not keyword_hits(line, "sub"):
            totals.append(found[-1])
    if totals:
        out["total"] = totals[-1]
    elif amounts:
        out["total"] = max(
            amounts, key=lambda a: float(a.replace(",", "")) if re.match(r"^-?[\d,]+\.\d\d$", a) else 0.0
        )
    return out


# --------------------------------------------------------------------------- engines


def tesseract_lines(image: Path, psm: int) -> list[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", str(image), "stdout", "--psm", str(psm)], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"tesseract failed on {image}: {done.stderr.strip()[-200:]}")
    return done.stdout.splitlines()


def score(predictions: list[dict[str, str]], truths: list[dict[str, str]]) -> dict[str, float]:
    out: dict[str, float] = {}
    right = predicted = expected = 0
    for name in FIELDS:
        r = sum(
            field_correct(name, p.get(name, ""), t.get(name, "")) and bool(t.get(name, "").strip())
            for p, t in zip(predictions, truths)
        )
        out[name] = round(100 * r / max(len(truths), 1), 1)
        right += r
        predicted += sum(bool(p.get(name, "").strip()) for p in predictions)
        expected += sum(bool(t.get(name, "").strip()) for t in truths)
    precision, recall = right / max(predicted, 1), right / max(expected, 1)
    out["micro_f1"] = round(100 * 2 * precision * recall / max(precision + recall, 1e-9), 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="sroie-test", help="set name under ../shared/data, or a manifest path")
    parser.add_argument("--engines", default="textlens,rules,tesseract")
    parser.add_argument("--model", default=None, help="receipt-fields model (default: the shipped one)")
    parser.add_argument("--psm", type=int, default=4)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    manifest = Path(args.data) if Path(args.data).exists() else DATA / args.data / "manifest.jsonl"
    manifest = manifest / "manifest.jsonl" if manifest.is_dir() else manifest
    entries = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    truths = [e["fields"] for e in entries]
    images = [manifest.parent / e["image"] for e in entries]
    engines = args.engines.split(",")
    results: dict[str, dict] = {}
    if {"textlens", "rules"} & set(engines):
        from textlens.pipeline import Pipeline, PipelineConfig

        pipeline = Pipeline.from_config(PipelineConfig(threads=1))
        model = load_fields_model(args.model)
        pipeline.read(images[0])  # warm-up: model load and first-call costs are not per page
        ranked, ruled, read_s, extract_s = [], [], 0.0, 0.0
        for image in images:
            t0 = time.perf_counter()
            page = pipeline.read(image).pages[0]
            t1 = time.perf_counter()
            receipt = extract_fields(page, model)
            t2 = time.perf_counter()
            read_s, extract_s = read_s + t1 - t0, extract_s + t2 - t1
            ranked.append({k: receipt.text(k) for k in FIELDS})
            ruled.append(rule_fields([ln.text for ln in page_lines(page)]))
        timing = {
            "read_ms_per_page": round(1000 * read_s / len(images)),
            "extract_ms_per_page": round(1000 * extract_s / len(images)),
            "extract_share_of_read": round(extract_s / read_s, 3),
        }
        if "textlens" in engines:
            results["textlens"] = {**score(ranked, truths), **timing}
        if "rules" in engines:
            results["rules on textlens lines"] = score(ruled, truths)
        _errors(args.show_errors, "textlens", ranked, truths)
    if "tesseract" in engines:
        t0 = time.perf_counter()
        tess = [rule_fields(tesseract_lines(image, args.psm)) for image in images]
        results[f"rules on tesseract --psm {args.psm} lines"] = {
            **score(tess, truths),
            "ms_per_page": round(1000 * (time.perf_counter() - t0) / len(images)),
        }
        _errors(args.show_errors, "tesseract", tess, truths)
    print(f"{manifest.parent.name}: {len(entries)} receipts")
    for name, row in results.items():
        print(f"  {name:32s} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _errors(show: bool, engine: str, predictions: list[dict[str, str]], truths: list[dict[str, str]]) -> None:
    if not show:
        return
    for p, t in zip(predictions, truths):
        for name in FIELDS:
            if not field_correct(name, p.get(name, ""), t.get(name, "")):
                print(f"[{engine}] {name}: want {t.get(name)!r} got {p.get(name)!r}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
