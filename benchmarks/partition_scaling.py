"""Do partitions use the cores? N partition processes, each processing one-task instances, at once.

    .venv/bin/python benchmarks/partition_scaling.py [--partitions 1,2] [--instances 20000]

Each partition runs in its own OS process, as ``strom broker --partitions N`` runs them, with its
own log (group commit), RocksDB state and an in-process streaming job worker (``one_task.py``'s
``run_strom``): what the partitions themselves can do when nothing else competes for the cores. The
gateway's share is measured by ``grpc_one_task.py --partitions 1,2`` (on a 2-core machine its
clients and its gRPC server need about as much CPU as the partitions, so that figure cannot show
the partitions scaling). Prints aggregate PI/s per count and ``scaling_N_vs_1``; the last line is
one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from one_task import StromRun


def _partition(data_dir: str, instances: int, window: int, go: Any, results: Any) -> None:
    strom = StromRun(Path(data_dir), window)
    go.wait()
    began = time.perf_counter()
    rate = strom.round(instances)
    ended = time.perf_counter()
    strom.worker.stop()
    strom.partition.close(snapshot=False)
    results.put((began, ended, {"completed_pi_per_s": rate}))


def run(count: int, instances: int, window: int) -> dict[str, Any]:
    context = mp.get_context("spawn")
    go, results = context.Event(), context.Queue()
    root = Path(tempfile.mkdtemp(prefix="strom-scaling-"))
    try:
        processes = [
            context.Process(target=_partition, args=(str(root / f"p{n}"), instances, window, go, results))
            for n in range(count)
        ]
        for process in processes:
            process.start()
        time.sleep(2.0)  # imports done: start together
        go.set()
        finished = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join(60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    start = min(began for began, _, _ in finished)
    end = max(ended for _, ended, _ in finished)
    return {
        "partitions": count,
        "completed_pi_per_s": round(count * instances / (end - start), 1),
        "per_partition_pi_per_s": [figures["completed_pi_per_s"] for _, _, figures in finished],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partitions", default="1,2", help="partition counts, comma-separated")
    parser.add_argument("--instances", type=int, default=20_000, help="instances per partition")
    parser.add_argument("--window", type=int, default=400, help="instances in flight per partition")
    args = parser.parse_args()
    counts = [int(count) for count in args.partitions.split(",")]
    runs = {count: run(count, args.instances, args.window) for count in counts}
    for count, figures in runs.items():
        each = figures["per_partition_pi_per_s"]
        print(f"{count} partition(s): {figures['completed_pi_per_s']} PI/s (each: {each})")
    result: dict[str, Any] = {
        "benchmark": "partition_scaling",
        "cpus": len(os.sched_getaffinity(0)),
        "instances_per_partition": args.instances,
        "runs": {str(count): figures for count, figures in runs.items()},
    }
    if 1 in runs:
        for count, figures in runs.items():
            if count != 1:
                result[f"scaling_{count}_vs_1"] = round(
                    figures["completed_pi_per_s"] / runs[1]["completed_pi_per_s"], 2
                )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
