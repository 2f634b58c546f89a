"""Write the digit-only word crops of the scene sets, split exactly as recognizer training splits them.

    .venv/bin/python scripts/digit_words.py --data ../shared/data --out runs/digits-data

For each set, the held-out 10% is the one `textlens train recognizer` holds out with seed 0 from the
whole manifest (so latin-crnn, where digits-crnn starts, never trained on it either); the digit-only
words of the other 90% go to OUT/real-train.jsonl (absolute image paths), those of the held-out part
to OUT/real-heldout.jsonl (benchmarks/digits.py scores these).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from textlens.training.sources import load_samples, split_train_val

SETS = ("iiit5k-train", "icdar2015-rec-train", "svt-train", "icdar2003-train-rec")
DIGIT_WORD = re.compile(r"^[0-9][0-9.,:/ -]*$")


def digit_words(data: Path) -> tuple[list[dict], list[dict]]:
    """(training rows, held-out rows) of digit-only words over the sets found under ``data``."""
    train, held_out = [], []
    for name in SETS:
        manifest = data / name / "manifest.jsonl"
        if not manifest.is_file():
            continue
        part_train, part_val = split_train_val(load_samples(manifest), 0.1, seed=0)
        for rows, part in ((train, part_train), (held_out, part_val)):
            rows += [{"image": str(Path(s.image).resolve()), "text": s.text, "set": name}
                     for s in part if DIGIT_WORD.match(s.text) and s.quad is None]  # fmt: skip
    return train, held_out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("runs/digits-data"))
    args = parser.parse_args()
    train, held_out = digit_words(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("real-train.jsonl", train), ("real-heldout.jsonl", held_out)):
        (args.out / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"{args.out / name}: {len(rows)} digit-only words")


if __name__ == "__main__":
    main()
