"""The resume ledger of a batch output folder: which inputs are done, by which models and options.

After every output file of an input is written (atomically), a small record goes to
``OUT/.textlens-batch/done/<key[:2]>/<key>.json``: the input's size and modification time, the run's
fingerprint (models with their SHA-256, read options, formats) and the outputs. An input is skipped
on a rerun only when its record matches all of these and every output is still there; anything
else (a changed file, other models or options, a deleted output) is read again. ``failures.jsonl``
in the output folder lists every input of the last run that failed, with its one-line error.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from textlens.batch.plan import BatchInput
from textlens.io.atomic import write_atomic

LEDGER_DIR = ".textlens-batch"
FAILURES = "failures.jsonl"


def fingerprint(models: list[dict[str, Any]], options: dict[str, Any]) -> str:
    """What decides an output's content: models (name, sha256) and options, as one short hash."""
    text = json.dumps({"models": models, "options": options}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class Ledger:
    def __init__(self, out_dir: Path, run_fingerprint: str) -> None:
        self.out_dir = out_dir
        self.fingerprint = run_fingerprint
        self.root = out_dir / LEDGER_DIR / "done"
        self._failures = out_dir / FAILURES

    def _record(self, item: BatchInput) -> Path:
        return self.root / item.key[:2] / f"{item.key}.json"

    def is_done(self, item: BatchInput, outputs: list[Path]) -> bool:
        """Done by this run's models and options, the input unchanged, every output present."""
        try:
            record = json.loads(self._record(item).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            record.get("fingerprint") == self.fingerprint
            and record.get("source") == _identity(item.path)
            and record.get("outputs") == [str(p) for p in outputs]
            and all(p.is_file() for p in outputs)
        )

    def mark_done(self, item: BatchInput, outputs: list[Path], pages: int) -> None:
        record = {
            "input": item.path,
            "source": _identity(item.path),
            "fingerprint": self.fingerprint,
            "outputs": [str(p) for p in outputs],
            "pages": pages,
        }
        write_atomic(self._record(item), json.dumps(record).encode())

    def start_failures(self) -> None:
        """A fresh failures.jsonl for this run (inputs that fail again are listed again)."""
        write_atomic(self._failures, b"")

    def add_failure(self, path: str, message: str, attempts: int = 1) -> None:
        line = json.dumps({"input": path, "error": message, "attempts": attempts}, ensure_ascii=False) + "\n"
        with open(self._failures, "a", encoding="utf-8") as handle:  # appended as it happens: a killed run keeps it
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def _identity(path: str) -> list[int]:
    """Size and modification time (ns) of an input: a changed file is read again."""
    try:
        info = os.stat(path)
    except OSError:
        return [-1, -1]
    return [info.st_size, info.st_mtime_ns]
