"""Word search over an indexed collection: indexing speed, query latency, recall and precision.

    python -m benchmarks.search [--data sroie-test --data docpages-dev ...] [--synthetic N] [--queries 5]
        [--threads 2] [--index FILE]

Indexes every page of the sets with `textlens index` (one process, start-up included), then asks
for words of each page's ground truth (up to ``--queries`` per page: letters only, 4+ long, drawn
with a fixed seed) exactly and with ``--fuzzy``. A query's recall counts whether its page is
among the hits (no limit); precision, how many hits lie on pages whose ground truth holds the word.
Latency is per query, in-process, on the warm index (p50 / p95).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.dataset import load_set
from benchmarks.run import ROOT, resolve_data
from textlens.io.atomic import write_atomic

WORDS = re.compile(r"[^\W\d_]{4,}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", action="append", help="page sets (repeatable)")
    parser.add_argument("--queries", type=int, default=5, help="words asked per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "search.md")
    parser.add_argument("--index", type=Path, help="keep the index here (a second run reads only what changed)")
    parser.add_argument("--synthetic", type=int, default=0, help="also this many rendered pages (render_page)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the rendered pages")
    args = parser.parse_args(argv)
    sets = [load_set(resolve_data(d), None) for d in (args.data or ["sroie-test", "docpages-dev"])]
    synthetic_folder = tempfile.TemporaryDirectory(prefix="textlens-search-pages-")
    if args.synthetic:
        rendered = load_set(_render_pages(Path(synthetic_folder.name), args.synthetic, args.seed), None)
        rendered.name = f"synthetic-{args.synthetic}"
        sets.append(rendered)
    pages = {str(item.image.resolve()): _page_words(item) for bench in sets for item in bench.items}
    set_of = {str(item.image.resolve()): bench.name for bench in sets for item in bench.items}
    with tempfile.TemporaryDirectory(prefix="textlens-search-") as tmp:
        index = args.index or Path(tmp) / "index.sqlite"
        started = time.perf_counter()
        cmd = [sys.executable, "-m", "textlens", "index", *pages, "-o", str(index), "--threads", str(args.threads)]
        subprocess.run(cmd, check=False, capture_output=True)
        index_seconds = time.perf_counter() - started
        rows = [_score(index, pages, args.queries, fuzzy) for fuzzy in (False, True)]
        if len(sets) > 1:
            for bench in sets:
                mine = {p: w for p, w in pages.items() if set_of[p] == bench.name}
                rows.append(_score(index, mine, args.queries, True, f"fuzzy, {bench.name} only", pages))
    table = "\n".join(
        [
            f"### Search: {len(pages)} pages ({', '.join(b.name for b in sets)}), {args.threads} threads",
            "",
            f"Indexing (whole process, start-up included): {index_seconds:.1f} s, "
            f"{len(pages) / index_seconds:.2f} pages/s",
            "",
            "| query | queries | recall % | precision % | p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    print(table)
    write_atomic(args.out, table + "\n")
    synthetic_folder.cleanup()
    return 0


def _render_pages(folder: Path, count: int, seed: int) -> Path:
    """``count`` synthetic pages and their manifest (image + text) in ``folder``."""
    import json

    from PIL import Image

    from textlens.synth.pages import render_page

    rng = np.random.default_rng(seed)
    (folder / "img").mkdir(parents=True, exist_ok=True)
    records = []
    for number in range(count):
        page = render_page(rng)
        name = f"img/synth-{number:04d}.png"
        Image.fromarray(page.image).save(folder / name)
        records.append(json.dumps({"image": name, "text": "\n".join(page.texts)}))
    (folder / "manifest.jsonl").write_text("\n".join(records) + "\n")
    return folder / "manifest.jsonl"


def _page_words(item) -> set[str]:  # noqa: ANN001 - a benchmarks.dataset.Item
    texts = [r["text"] for r in item.regions if r["text"] != "###"] if item.regions else [item.text]
    return {w.casefold() for t in texts for w in WORDS.findall(t)}


def _score(
    index: Path,
    pages: dict[str, set[str]],
    per_page: int,
    fuzzy: bool,
    name: str | None = None,
    every_page: dict[str, set[str]] | None = None,
) -> str:
    """One table row: queries drawn from ``pages``, precision judged against ``every_page``."""
    from textlens.apps.search import SearchIndex

    every_page = every_page or pages
    rng = random.Random(0)
    found = asked = right = hits_total = 0
    latencies = []
    with SearchIndex(index, create=False) as search:
        for page, words in pages.items():
            for word in rng.sample(sorted(words), min(per_page, len(words))):
                started = time.perf_counter()
                hits = search.search(word, fuzzy=fuzzy, limit=10_000)
                latencies.append(time.perf_counter() - started)
                asked += 1
                found += any(h.path == page for h in hits)
                hit_pages = {h.path for h in hits}
                right += sum(1 for p in hit_pages if word in every_page.get(p, set()))
                hits_total += len(hit_pages)
    p50, p95 = (1000 * float(np.percentile(latencies, q)) for q in (50, 95))
    precision = 100.0 * right / max(1, hits_total)
    name = name or ("fuzzy" if fuzzy else "exact")
    return f"| {name} | {asked} | {100.0 * found / max(1, asked):.1f} | {precision:.1f} | {p50:.1f} | {p95:.1f} |"


if __name__ == "__main__":
    raise SystemExit(main())
