"""Benchmark the file journal: group-committed appends, then a sequential read of everything.

Appends batches of ``--records`` records of ``--size`` bytes from one thread while the committer
thread syncs in the background, then reads all records back with one reader. Prints figures for
people, then one JSON object on the last line for scripts.

    .venv/bin/python benchmarks/log_append.py [--seconds 2] [--records 10] [--size 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from strom.log import FileJournal


def run(directory: Path, seconds: float, records: int, size: int, segment_size: int) -> dict[str, float]:
    syncs = 0
    real_fdatasync = os.fdatasync

    def counting_fdatasync(fd: int) -> None:
        nonlocal syncs
        syncs += 1
        real_fdatasync(fd)

    durable_reports: list[int] = []
    os.fdatasync = counting_fdatasync  # type: ignore[assignment]
    try:
        journal = FileJournal(directory, segment_size=segment_size)
        batch = [os.urandom(size) for _ in range(records)]
        journal.start_group_commit(durable_reports.append)
        start = time.perf_counter()
        deadline = start + seconds
        batches = 0
        while True:
            for _ in range(100):
                journal.append(batch)
            batches += 100
            if time.perf_counter() >= deadline:
                break
        append_elapsed = time.perf_counter() - start
        journal.stop_group_commit()
        commit_elapsed = time.perf_counter() - start
    finally:
        os.fdatasync = real_fdatasync  # type: ignore[assignment]

    total_records = batches * records
    assert journal.durable_position == total_records, (journal.durable_position, total_records)

    reader = journal.reader()
    start = time.perf_counter()
    count = 0
    for _position, _record in reader.read_available():
        count += 1
    read_elapsed = time.perf_counter() - start
    assert count == total_records, (count, total_records)
    reader.close()
    journal.close()

    return {
        "batches_per_s": batches / append_elapsed,
        "records_per_s": total_records / append_elapsed,
        "mb_per_s": total_records * size / append_elapsed / 1e6,
        "fsyncs_per_s": syncs / commit_elapsed,
        "records_per_fsync": total_records / max(syncs, 1),
        "read_records_per_s": count / read_elapsed,
        "read_mb_per_s": count * size / read_elapsed / 1e6,
        "batches": batches,
        "records": total_records,
        "fsyncs": syncs,
        "durable_reports": len(durable_reports),
        "append_seconds": append_elapsed,
        "read_seconds": read_elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="how long to append")
    parser.add_argument("--records", type=int, default=10, help="records per batch")
    parser.add_argument("--size", type=int, default=200, help="bytes per record")
    parser.add_argument("--segment-size", type=int, default=128 * 1024 * 1024)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        result = run(Path(tmp) / "partition-1", args.seconds, args.records, args.size, args.segment_size)
    print(
        f"append: {result['batches_per_s']:,.0f} batches/s, {result['records_per_s']:,.0f} records/s,"
        f" {result['mb_per_s']:,.1f} MB/s of records"
    )
    print(
        f"group commit: {result['fsyncs_per_s']:,.0f} fdatasync/s,"
        f" {result['records_per_fsync']:,.0f} records per fdatasync"
    )
    print(
        f"sequential read: {result['read_records_per_s']:,.0f} records/s, {result['read_mb_per_s']:,.1f} MB/s"
    )
    rounded = {k: round(v, 1) if isinstance(v, float) else v for k, v in result.items()}
    print(json.dumps({"benchmark": "log_append", "python": sys.version.split()[0], **rounded}))


if __name__ == "__main__":
    main()
