"""Readers that kill their worker process, for the batch fault-tolerance tests (imported by Ray workers)."""

from __future__ import annotations

import os
from pathlib import Path

from textlens.batch.runner import PageReader


class CrashingReader(PageReader):
    """Kills its worker process on a page of an input named *crash-once* (the first time only) or
    *poison* (every time): what an out-of-memory kill or a lost node does to a worker."""

    def read(self, path: str, index: int) -> dict:
        name = Path(path).name
        marker = Path(path + ".crashed")
        if "poison" in name or ("crash-once" in name and not marker.exists()):
            marker.touch()
            os._exit(1)
        return super().read(path, index)
