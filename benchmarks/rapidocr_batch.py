"""RapidOCR over a list of images, one text file each: the whole-process peer of `textlens read`.

    .bench-venv/bin/python benchmarks/rapidocr_batch.py --threads N --out DIR IMAGE...

Runs in ``.bench-venv`` (RapidOCR needs opencv-python), so it imports nothing from textlens.
``benchmarks.throughput`` starts one such process per core (``--threads 1``) or one with every
core, and keeps RapidOCR's better configuration.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()

    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(intra_op_num_threads=args.threads, inter_op_num_threads=1)
    for image in args.images:
        result, _ = ocr(image)
        text = "\n".join(str(r[1]) for r in result or [])
        (args.out / f"{Path(image).stem}.txt").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
