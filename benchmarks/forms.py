"""Forms end to end from the image (FUNSD): entity labelling F1 and question-answer linking F1.

    python -m benchmarks.forms --data funsd-train [--model form-fields]

Scored on the pages the model held out (their names are in the model file; for funsd-train the
shipped model never saw them). An entity found counts when it covers a labelled segment with
IoU >= 0.5 and has its label (header, question, answer, other); a link counts when both its
question and its answer are such matches and the labels link them. Segments with no text are
left out of the truth (nothing on the page to read).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from textlens.apps.forms import extract_form_page, load_form_model
from textlens.training.forms import FormCounts, load_form_pages

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="funsd-train", help="set name under ../shared/data, or a labels file")
    parser.add_argument("--model", default=None, help="form model (default: the shipped one)")
    parser.add_argument("--all", action="store_true", help="every page, not only the model's held-out ones")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    source = Path(args.data) if Path(args.data).exists() else DATA / args.data
    model = load_form_model(args.model)
    pages = load_form_pages([str(source)])
    held_out = set(model.info.get("pages", {}).get("val_images", []))
    if not args.all:
        pages = [p for p in pages if Path(p.image).name in held_out]
    if not pages:
        raise SystemExit("no pages to score (the model lists no held-out pages of this set; pass --all)")
    from textlens.pipeline import Pipeline, PipelineConfig

    pipeline = Pipeline.from_config(PipelineConfig(threads=1))
    counts, read_s, extract_s = FormCounts(), 0.0, 0.0
    for page in pages:
        t0 = time.perf_counter()
        read = pipeline.read(page.image).pages[0]
        t1 = time.perf_counter()
        form = extract_form_page(read, model)
        read_s, extract_s = read_s + t1 - t0, extract_s + time.perf_counter() - t1
        counts.add(form, page, 0.5)
    report = counts.report()
    report["pages"] = len(pages)
    report["read_ms_per_page"] = round(1000 * read_s / len(pages))
    report["extract_ms_per_page"] = round(1000 * extract_s / len(pages))
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
