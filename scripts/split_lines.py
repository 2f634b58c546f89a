"""Write the training lines of a line manifest: every line whose FIELD is not HELD_OUT (one book
kept apart for benchmarks/script_lines.py), image paths made absolute.

    python scripts/split_lines.py DATASET_FOLDER FIELD HELD_OUT OUT.jsonl
"""

import json
import sys
from pathlib import Path


def main(folder: str, field: str, held_out: str, out: str) -> None:
    root = Path(folder).resolve()
    rows = [json.loads(line) for line in (root / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    kept = [{"image": str(root / r["image"]), "text": r["text"]} for r in rows if r[field] != held_out]
    Path(out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")
    print(f"{len(kept)} training lines ({len(rows) - len(kept)} of {held_out} left out)", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:5])
