"""Memory and disk per waiting instance: N one-task instances waiting at their service task in `strom broker`.

A broker runs as users run it (``strom broker`` on a fresh data directory: file journal, RocksDB
state; the gRPC path alone, no REST server or secondary storage, as in ``grpc_one_task.py``). The
one-task model is deployed and ``--instances`` instances are created through gRPC
(CreateProcessInstance, ``--in-flight`` outstanding, rejected ones retried); no worker runs, so
each instance waits at its service task with its job activatable. The broker's RSS (from /proc) is
sampled before the first instance and after every tenth of them:

* ``rss_bytes_per_instance``: (RSS after − RSS before) / N;
* ``rss_bytes_per_instance_second_half``: the growth over the second half of the instances only,
  per instance: what one more waiting instance costs once caches and arenas have warmed up (RocksDB
  bounds its memtables to 32 MiB and its block cache to 64 MiB, ``strom.db.DbOptions``).

Then the broker is stopped gracefully (SIGTERM), which flushes RocksDB and takes a snapshot: a
checkpoint of the state. On a copy of it:

* ``rocksdb_bytes_per_instance``: the snapshot's SST files on disk (as flushed) / N — the data;
  RocksDB's MANIFEST, OPTIONS and info LOG files, a fixed few hundred KB, are left out;
* ``rocksdb_compacted_bytes_per_instance``: the same after a full compaction of every column family
  (waiting instances only add keys, so RocksDB mostly moves files down a level as they are);
* ``state_bytes_per_instance``: the key and value bytes of every entry of every column family, as
  the engine wrote them (before RocksDB's block encoding and compression) / N — the goal is
  ≤ 2 KB (``goal_met``); ``column_families`` has each family's entries and bytes per instance.

The deployment's own state (a few KB) is counted in too, a rounding error over N instances. The
record log is not state (snapshots let the broker delete its older segments) and is not counted.

    .venv/bin/python benchmarks/waiting_instances.py [--instances 100000] [--in-flight 64]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from grpc_one_task import ONE_TASK, _free_port, deploy, start_broker, stop_broker

from strom.build_variant import variant
from strom.db.snapshot import latest_snapshot

GOAL_BYTES = 2048


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def directory_bytes(directory: Path, pattern: str = "*") -> int:
    return sum(path.stat().st_size for path in directory.rglob(pattern) if path.is_file())


async def create_instances(
    address: str, instances: int, in_flight: int, variables: str, on_progress: Any
) -> tuple[int, float]:
    """Create ``instances`` instances of the one-task model; (retries after backpressure, seconds).

    ``on_progress(created)`` is called after every tenth of them, with no creation in flight.
    """
    import grpc

    from strom.gateway.grpc._proto import GatewayStub, pb

    request = pb.CreateProcessInstanceRequest(bpmnProcessId="one_task", variables=variables)
    retries = 0
    step = max(1, instances // 10)
    began = time.perf_counter()
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        gate = asyncio.Semaphore(in_flight)

        async def create() -> None:
            nonlocal retries
            try:
                while True:
                    try:
                        await stub.CreateProcessInstance(request, timeout=60)
                        return
                    except grpc.aio.AioRpcError as error:
                        if error.code() is not grpc.StatusCode.RESOURCE_EXHAUSTED:
                            raise
                        retries += 1
                        await asyncio.sleep(0.01)
            finally:
                gate.release()

        created = 0
        while created < instances:
            batch = min(step, instances - created)
            tasks = []
            for _ in range(batch):
                await gate.acquire()
                tasks.append(asyncio.create_task(create()))
            await asyncio.gather(*tasks)
            created += batch
            on_progress(created)
    return retries, time.perf_counter() - began


def state_figures(snapshot_state: Path, instances: int) -> dict[str, Any]:
    """Bytes of the state in ``snapshot_state`` (a RocksDB checkpoint), on a copy of it."""
    from rocksdict import Options, Rdict

    with tempfile.TemporaryDirectory(prefix="strom-waiting-state-") as scratch:
        copy = Path(scratch) / "state"
        shutil.copytree(snapshot_state, copy)
        flushed_bytes = directory_bytes(copy, "*.sst")
        options = Options(raw_mode=True)
        names = [name for name in Rdict.list_cf(str(copy)) if name != "default"]
        db = Rdict(str(copy), options, column_families={name: options for name in names})
        families: dict[str, dict[str, Any]] = {}
        total = 0
        try:
            for name in ["default", *names]:
                family = db.get_column_family(name)
                entries = 0
                size = 0
                for key, value in family.items():
                    entries += 1
                    size += len(key) + len(value)
                family.compact_range(None, None)
                family.close()
                total += size
                if entries:
                    families[name] = {
                        "entries": entries,
                        "bytes_per_instance": round(size / instances, 1),
                    }
        finally:
            db.close()
        compacted_bytes = directory_bytes(copy, "*.sst")
    return {
        "rocksdb_bytes_per_instance": round(flushed_bytes / instances, 1),
        "rocksdb_compacted_bytes_per_instance": round(compacted_bytes / instances, 1),
        "state_bytes_per_instance": round(total / instances, 1),
        "column_families": dict(sorted(families.items(), key=lambda item: -item[1]["bytes_per_instance"])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100_000, help="waiting instances to create")
    parser.add_argument("--in-flight", type=int, default=64, help="most creations outstanding")
    parser.add_argument(
        "--variables", default='{"n": 1}', help="each instance's variables (JSON; default a small one)"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="strom-waiting-"))
    port = _free_port()
    address = f"127.0.0.1:{port}"
    samples: list[tuple[int, int]] = []
    try:
        broker = start_broker(data_dir, port)
        try:
            deploy(address, "one_task.bpmn", ONE_TASK)
            time.sleep(1.0)  # let the broker settle after the deployment
            samples.append((0, rss_bytes(broker.pid)))
            retries, seconds = asyncio.run(
                create_instances(
                    address,
                    args.instances,
                    args.in_flight,
                    args.variables,
                    lambda created: samples.append((created, rss_bytes(broker.pid))),
                )
            )
            time.sleep(2.0)  # the follow-up commands (activating the task, creating its job) run out
            samples.append((args.instances, rss_bytes(broker.pid)))
        finally:
            stop_broker(broker)
        partition = data_dir / "partition-1"
        snapshot = latest_snapshot(partition / "snapshots")
        if snapshot is None:
            raise RuntimeError(f"the broker left no snapshot under {partition / 'snapshots'}")
        state = state_figures(snapshot.state_path, args.instances)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    n = args.instances
    before = samples[0][1]
    after = samples[-1][1]
    half = min(samples[1:], key=lambda sample: abs(sample[0] - n // 2))
    figures = {
        "benchmark": "waiting_instances",
        "instances": n,
        "variant": variant(),
        "variables": args.variables,
        "created_per_s": round(n / seconds, 1),
        "retries_after_backpressure": retries,
        "rss_mb_before": round(before / 2**20, 1),
        "rss_mb_after": round(after / 2**20, 1),
        "rss_bytes_per_instance": round((after - before) / n, 1),
        "rss_bytes_per_instance_second_half": round((after - half[1]) / max(1, n - half[0]), 1),
        "rss_mb_samples": [[created, round(rss / 2**20, 1)] for created, rss in samples],
        **state,
        "goal_state_bytes_per_instance": GOAL_BYTES,
        "goal_met": state["state_bytes_per_instance"] <= GOAL_BYTES,
    }
    for name, value in figures.items():
        print(f"{name:>38}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
