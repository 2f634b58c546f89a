"""Split ../shared/data/icdar2015-det-dev by image number: odd numbers (img_1, img_3, ...) for
training, even ones (100 photos, never trained on) for the scene benchmarks.

    python scripts/split_icdar2015.py MANIFEST OUT_DIR   -> OUT_DIR/icdar2015-{train,test}.jsonl

Image paths are written absolute, so the halves can be used from anywhere.
"""

import json
import re
import sys
from pathlib import Path


def main(manifest: Path, out: Path) -> None:
    manifest = manifest.resolve()
    halves: dict[str, list[str]] = {"train": [], "test": []}
    for line in manifest.read_text().splitlines():
        entry = json.loads(line)
        entry["image"] = str(manifest.parent / entry["image"])
        number = int(re.search(r"(\d+)", Path(entry["image"]).stem).group(1))
        halves["train" if number % 2 else "test"].append(json.dumps(entry))
    out.mkdir(parents=True, exist_ok=True)
    for name, lines in halves.items():
        (out / f"icdar2015-{name}.jsonl").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
