"""`textlens batch` on a two-node Ray cluster on this machine, one node killed and restarted mid-run.

    python -m benchmarks.batch_cluster [--pages 300] [--kill-after 0.4] [--out FILE.md]

Ray's own multi-node test harness (``ray.cluster_utils.Cluster``) starts a head node and a second
node with one CPU each, on this machine, as separate raylets. The batch runs through the cluster's
address; when about ``--kill-after`` of the pages are read, the second node is removed (its raylet
and workers killed), and a new node joins a few seconds later. The outputs are then compared with
those of a clean run on one node: every output present exactly once and identical.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks.batch_run import build_collection
from textlens.io.atomic import write_atomic

ROOT = Path(__file__).resolve().parents[1]


def outputs(folder: Path) -> dict[str, str]:
    """Each output's text, by its path relative to the folder (the ledger left out)."""
    return {
        str(p.relative_to(folder)): _text(p) for p in sorted(folder.rglob("*.json")) if ".textlens-batch" not in p.parts
    }


def _text(path: Path) -> str:
    document = json.loads(path.read_text())
    lines = [[w["text"] for w in line["words"]] for p in document["pages"] for b in p["blocks"] for line in b["lines"]]
    return json.dumps(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--kill-after", type=float, default=0.4, help="share of pages read when the node dies")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch_cluster.md")
    args = parser.parse_args(argv)
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import ray
    from ray.cluster_utils import Cluster

    from textlens.batch import BatchConfig, run_batch

    work = Path(tempfile.mkdtemp(prefix="textlens-cluster-"))
    inputs = build_collection(work / "in", args.pages)
    read = {"orientation": True}
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    second = cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    events: list[str] = []
    started = time.perf_counter()

    state = {"second": second, "killed_at": 0.0, "rejoined": False}

    def kill_when(done: int, total: int) -> None:
        # Called by the driver loop (Ray's test cluster only changes nodes from the main thread).
        now = time.perf_counter() - started
        if state["second"] is not None and total and done >= args.kill_after * total:
            cluster.remove_node(state["second"], allow_graceful=False)
            state["second"], state["killed_at"] = None, now
            events.append(f"{now:.0f} s, {done}/{total} pages: second node killed")
        elif state["killed_at"] and not state["rejoined"] and now - state["killed_at"] > 5:
            cluster.add_node(num_cpus=1)
            state["rejoined"] = True
            events.append(f"{now:.0f} s, {done}/{total} pages: a new second node joined")

    killed = run_batch([str(work / "in")], BatchConfig(work / "killed", read=read, workers=2), progress=kill_when)
    killed_s = time.perf_counter() - started
    ray.shutdown()
    cluster.shutdown()
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    clean = run_batch([str(work / "in")], BatchConfig(work / "clean", read=read, workers=1))
    ray.shutdown()
    got, want = outputs(work / "killed"), outputs(work / "clean")
    same = sum(got.get(k) == v for k, v in want.items())
    lines = [
        "# textlens batch on a two-node Ray cluster, one node killed",
        "",
        f"{args.pages} pages in {inputs} inputs; head and second node with 1 CPU each on this machine "
        "(`ray.cluster_utils.Cluster`); clean run: one local node, 1 worker.",
        "",
        *[f"- {event}" for event in events],
        f"- run with the kill: {killed.line()} ({killed_s:.0f} s)",
        f"- clean run: {clean.line()}",
        f"- outputs: {len(got)} with the kill, {len(want)} clean; {same} of {len(want)} identical; "
        f"{len(set(got) - set(want))} unexpected",
    ]
    table = "\n".join(lines) + "\n"
    write_atomic(args.out, table.encode())
    print(table)
    return 0 if same == len(want) == len(got) else 1


if __name__ == "__main__":
    raise SystemExit(main())
