"""Benchmark strom.db's hot path: get/put through a transaction, commit, prefix iteration.

A database with 100,000 jobs (200-byte values, flushed to SST files so reads go through the block
cache) and an activatable-jobs index of 1,000 job types x 100 jobs. Each figure is the best of
``--repeat`` runs of ``--ops`` operations, in microseconds per operation. Prints figures for people,
then one JSON object on the last line for scripts.

    .venv/bin/python benchmarks/db_ops.py [--ops 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from strom.db import Database
from strom.db.keys import I64, STR, KeyFormat, pack_long

JOBS = 100_000
TYPES = 1_000
PER_TYPE = 100
VALUE = bytes(range(200))
BY_TYPE = KeyFormat(STR, I64)


def best_us(run: Callable[[], int], repeat: int) -> float:
    """Best time per operation over ``repeat`` runs; ``run`` returns how many operations it did."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        ops = run()
        best = min(best, (time.perf_counter() - start) / ops)
    return best * 1e6


def populate(db: Database) -> None:
    with db.transaction() as txn:
        for i in range(JOBS):
            txn.put("jobs", pack_long(i), VALUE)
    with db.transaction() as txn:
        for t in range(TYPES):
            for k in range(PER_TYPE):
                txn.put("activatable", BY_TYPE.pack(f"type-{t}", t * PER_TYPE + k), b"")
    db.flush()


def measure(db: Database, ops: int, repeat: int) -> dict[str, float]:
    rng = random.Random(7)
    keys = [pack_long(rng.randrange(JOBS)) for _ in range(ops)]
    missing = [pack_long(JOBS + i) for i in range(ops)]
    jobs = db.column_family("jobs")
    results: dict[str, float] = {}

    txn = db.transaction()
    get = txn.get

    def txn_get() -> int:
        for key in keys:
            get("jobs", key)
        return ops

    def txn_get_missing() -> int:
        for key in missing:
            get("jobs", key)
        return ops

    def cf_get() -> int:
        for key in keys:
            jobs.get(key)
        return ops

    put = txn.put

    def txn_put() -> int:
        for key in keys:
            put("jobs", key, VALUE)
        return ops

    def cf_put() -> int:
        for key in keys:
            jobs.put(key, VALUE)
        return ops

    raw_get = db._readers["jobs"].get  # baseline: rocksdict alone, to show this layer's overhead

    def rocksdict_get() -> int:
        for key in keys:
            raw_get(key)
        return ops

    results["rocksdict_get_us"] = best_us(rocksdict_get, repeat)
    results["get_us"] = best_us(txn_get, repeat)
    results["get_missing_us"] = best_us(txn_get_missing, repeat)
    results["cf_get_us"] = best_us(cf_get, repeat)
    results["put_us"] = best_us(txn_put, repeat)
    results["cf_put_us"] = best_us(cf_put, repeat)
    results["get_pending_us"] = best_us(txn_get, repeat)  # every key now in the overlay
    savepoint = txn.savepoint()
    results["put_in_savepoint_us"] = best_us(txn_put, repeat)
    txn.release(savepoint)
    txn.rollback()

    batches = max(1, ops // 20)
    batch_keys = [keys[i * 20 : i * 20 + 20] for i in range(batches)]
    commit_runs: list[float] = []

    def step_of_20_puts() -> int:
        commit_seconds = 0.0
        for group in batch_keys:
            step = db.transaction()
            for key in group:
                step.put("jobs", key, VALUE)
            start = time.perf_counter()
            step.commit()
            commit_seconds += time.perf_counter() - start
        commit_runs.append(commit_seconds)
        return batches

    # One step: open a transaction, 20 puts, commit (one WriteBatch, WAL off); and the commit alone.
    results["step_20_puts_us"] = best_us(step_of_20_puts, repeat)
    results["commit_20_puts_us"] = min(commit_runs) / batches * 1e6

    scans = max(1, ops // 100)
    types = [BY_TYPE.prefix(f"type-{rng.randrange(TYPES)}") for _ in range(scans)]
    txn = db.transaction()

    def prefix_scan() -> int:
        for prefix in types:
            for _ in txn.iterate("activatable", prefix=prefix):
                pass
        return scans

    assert sum(1 for _ in txn.iterate("activatable", prefix=types[0])) == PER_TYPE
    results["iterate_100_us"] = best_us(prefix_scan, repeat)
    # A step's worth of pending writes (20) in the column family, so the merge path runs.
    for prefix in types[:20]:
        txn.put("activatable", prefix + pack_long(-1), b"")
    results["iterate_100_with_20_pending_us"] = best_us(prefix_scan, repeat)
    txn.rollback()

    def pack_one() -> int:
        for i in range(ops):
            pack_long(i)
        return ops

    def pack_two() -> int:
        for i in range(ops):
            BY_TYPE.pack("type-1", i)
        return ops

    results["pack_long_us"] = best_us(pack_one, repeat)
    results["pack_str_i64_us"] = best_us(pack_two, repeat)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000, help="operations per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs; the best one counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strom-db-bench-") as tmp:
        db = Database(Path(tmp) / "db", ["jobs", "activatable", "timers"])
        try:
            populate(db)
            results = measure(db, args.ops, args.repeat)
        finally:
            db.close()
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:8.3f} µs")
    rounded = {name: round(value, 3) for name, value in results.items()}
    print(json.dumps({"benchmark": "db_ops", "ops": args.ops, **rounded}))


if __name__ == "__main__":
    main()
