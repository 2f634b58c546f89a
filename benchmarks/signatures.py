"""Signature verification on writers the model never trained on: EER, ROC, and time per query.

    python -m benchmarks.signatures [--model signature-net] [--references 5] [--roc docs/signature-roc.png]

The writers are the model's held-out writers (their ids are stored in the ONNX file) of
../shared/data/signatures-dev. For each: the first ``--references`` genuine signatures (by file
name) are the references; the queries are the writer's other genuine signatures, the skilled
forgeries of them, and two genuine signatures of each other held-out writer (random forgeries).
Reported: the equal error rate for skilled and for random forgeries, the false acceptance and
rejection rates at the model's own threshold, and the median wall time of one `verify` call
(query and references embedded, ONNX Runtime, one thread) over 50 queries. The ROC curve
(skilled and random) is drawn to ``--roc``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks.run import ROOT, data_root
from textlens.io.atomic import write_atomic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="registered name or .onnx path (default: the shipped one)")
    parser.add_argument("--references", type=int, default=5)
    parser.add_argument("--roc", type=Path, default=None, help="write the ROC curve here (PNG)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "signatures.md")
    args = parser.parse_args(argv)

    from textlens.eval.verification import equal_error_rate, protocol_scores, roc_points
    from textlens.io.loading import load_image
    from textlens.signature.verifier import SignatureVerifier, score

    verifier = SignatureVerifier.load(args.model, threads=1)
    from textlens.runtime.session import model_metadata

    held_out = {w.split("/")[-1] for w in model_metadata(verifier.session).get("validation_writers", [])}
    folder = data_root() / "signatures-dev"
    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["writer"] in held_out]
    if not rows:
        sys.exit(
            "the model names no held-out writers of signatures-dev (was it trained with textlens train signature?)"
        )
    images = [load_image(str(folder / r["image"])) for r in rows]
    embedded = np.concatenate([verifier.embed(images[i : i + 32]) for i in range(0, len(images), 32)])
    writers, genuine, names = (
        [r["writer"] for r in rows],
        [bool(r["genuine"]) for r in rows],
        [r["image"] for r in rows],
    )
    same, skilled, random = protocol_scores(embedded, writers, genuine, names, args.references, score)
    eer, _ = equal_error_rate(same, skilled)
    random_eer, _ = equal_error_rate(same, random)
    threshold = verifier.threshold
    far = float(np.mean(skilled <= threshold))
    frr = float(np.mean(same > threshold))
    far_random = float(np.mean(random <= threshold))

    by_writer = {}
    for i, r in enumerate(rows):
        by_writer.setdefault(r["writer"], []).append(i)
    timings = []
    for indices in by_writer.values():
        real = sorted((i for i in indices if genuine[i]), key=lambda i: names[i])
        refs = [images[i] for i in real[: args.references]]
        for i in indices[:7]:
            start = time.perf_counter()
            verifier.verify(images[i], refs)
            timings.append(time.perf_counter() - start)
    latency = 1000 * float(np.median(timings[:50]))

    report = (
        f"| writers | genuine queries | skilled forgeries | random forgeries | EER skilled | EER random | "
        f"FAR / FRR at the model's threshold {threshold:.3f} | FAR random | verify, median |\n"
        f"|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(by_writer)} | {len(same)} | {len(skilled)} | {len(random)} | {100 * eer:.1f}% | "
        f"{100 * random_eer:.1f}% | {100 * far:.1f}% / {100 * frr:.1f}% | {100 * far_random:.1f}% | "
        f"{latency:.0f} ms |\n"
    )
    write_atomic(args.out, report)
    print(report)
    if args.roc is not None:
        draw_roc(args.roc, same, skilled, random, eer, random_eer, roc_points)
        print(f"ROC -> {args.roc}")
    return 0


def draw_roc(path: Path, same, skilled, random, eer: float, random_eer: float, roc_points) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5), dpi=100)
    for impostors, label in ((skilled, f"skilled forgeries (EER {100 * eer:.1f}%)"),
                             (random, f"random forgeries (EER {100 * random_eer:.1f}%)")):  # fmt: skip
        _, far, frr = roc_points(same, impostors)
        axes.plot(far, 1 - frr, label=label)
    axes.plot([0, 1], [1, 0], ":", color="grey", linewidth=0.8)
    axes.set_xlabel("false acceptance rate")
    axes.set_ylabel("true acceptance rate")
    axes.set_title("textlens signature verify, held-out writers")
    axes.legend(loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
