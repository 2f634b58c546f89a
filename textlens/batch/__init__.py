"""The batch front door: ``textlens batch`` reads whole collections on Ray (the ``batch`` extra).

    from textlens.batch import BatchConfig, run_batch
    summary = run_batch(["scans/"], BatchConfig(Path("out"), formats=("json", "txt")))

Resumable (a ledger of finished inputs in the output folder), exactly once (atomic outputs),
page-parallel (a PDF's pages spread over all workers), fault tolerant (lost workers' pages retried).
"""

from textlens.batch.runner import BatchConfig, BatchSummary, run_batch

__all__ = ["BatchConfig", "BatchSummary", "run_batch"]
