"""What the hop to a partition process costs: a cheap command through a ``RemotePartition`` (the
partition in its own process, frames over a Unix socket) against the same through a
``LocalEndpoint`` (the partition on this process's event loop), in the same run.

    .venv/bin/python benchmarks/partition_ipc.py                  # 5 s per phase, 64 in flight
    .venv/bin/python benchmarks/partition_ipc.py --seconds 10 --inflight 64

The command is a JOB_BATCH ACTIVATE for a job type nobody created: the engine answers it with an
empty batch, so the partition does little besides logging it. The data directories are on
``/dev/shm`` when it exists (``--dir`` to choose): on a disk the fsync of every step (milliseconds)
would hide the hop being measured. Throughput is measured with
``--inflight`` requests kept in flight; p50/p99 are round trips one request at a time (no queueing).
Last line: one JSON object with ``remote_rps``, ``local_rps``, ``remote_vs_local``, ``p50_us``,
``p99_us`` (remote), ``local_p50_us``, ``local_p99_us``, ``added_p50_us`` (what the hop adds), and
this process's CPU per request either way (remote: the main's share only; the child's is not counted).

Sequential round trips include the partition's own pacing (the loop driver pauses 2 ms after a
burst of steps), which both endpoints pay alike; the difference is the hop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.broker.broker import partition_settings
from strom.broker.config import BrokerConfig
from strom.broker.endpoint import Answer, LocalEndpoint, PartitionEndpoint, Refusal
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.partition import Partition
from strom.broker.partition_supervisor import PartitionSupervisor
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobBatchIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobBatchRecordValue

COMMAND: Record[Any] = RECORD_CLASS_FOR_VALUE[JobBatchRecordValue](
    record_type=RecordType.COMMAND,
    intent=JobBatchIntent.ACTIVATE,
    value=JobBatchRecordValue(
        type="nobody-creates-these", worker="bench", timeout=1000, max_jobs_to_activate=1
    ),
)


def _config(data_dir: Path) -> BrokerConfig:
    return BrokerConfig(
        data_dir=data_dir, secondary_storage="none", rest_port=0, metrics_port=0, log_level="WARNING"
    )


async def _one(endpoint: PartitionEndpoint) -> tuple[int, bool]:
    """One round trip: (nanoseconds, whether it was refused)."""
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[Answer] = loop.create_future()
    started = time.perf_counter_ns()
    endpoint.request(COMMAND, answered.set_result)
    answer = await answered
    return time.perf_counter_ns() - started, isinstance(answer, Refusal)


async def _throughput(endpoint: PartitionEndpoint, seconds: float, inflight: int) -> tuple[float, int]:
    """Requests answered per second with ``inflight`` kept in flight; and how many were refused."""
    deadline = time.perf_counter() + seconds
    done = 0
    refused = 0

    async def client() -> None:
        nonlocal done, refused
        while time.perf_counter() < deadline:
            _, was_refused = await _one(endpoint)
            if was_refused:  # backpressure: back off as a client would (a local refusal is synchronous)
                refused += 1
                await asyncio.sleep(0.001)
            else:
                done += 1

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(client() for _ in range(inflight)))
    _last_cpu_us[0] = (time.process_time() - cpu) / max(1, done + refused) * 1e6
    return done / (time.perf_counter() - started), refused


_last_cpu_us = [0.0]
"""CPU time of this process per request in the last throughput phase, in microseconds."""


async def _latencies(endpoint: PartitionEndpoint, count: int) -> tuple[float, float]:
    """p50 and p99 in microseconds of ``count`` sequential round trips."""
    samples = sorted([(await _one(endpoint))[0] for _ in range(count)])
    return samples[len(samples) // 2] / 1000, samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000


async def _measure(endpoint: PartitionEndpoint, seconds: float, inflight: int) -> dict[str, float]:
    await _throughput(endpoint, min(1.0, seconds / 4), inflight)  # warm up
    rps, refused = await _throughput(endpoint, seconds, inflight)
    cpu_us = _last_cpu_us[0]
    p50, p99 = await _latencies(endpoint, 2000)
    return {"rps": rps, "refused": refused, "p50_us": p50, "p99_us": p99, "cpu_us": cpu_us}


async def main(seconds: float, inflight: int, directory: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="strom-ipc-", dir=directory) as temporary:
        root = Path(temporary)
        partition = Partition(partition_settings(_config(root / "local"))).open()
        partition.start(asyncio.get_running_loop())
        try:
            local = await _measure(LocalEndpoint(partition), seconds, inflight)
        finally:
            partition.close(snapshot=False)
        supervisor = PartitionSupervisor(_config(root / "remote"), 1, JobStreamRegistry())
        await supervisor.start()
        try:
            remote = await _measure(supervisor.endpoints[1], seconds, inflight)
        finally:
            await supervisor.stop()
    return {
        "remote_rps": round(remote["rps"]),
        "local_rps": round(local["rps"]),
        "remote_vs_local": round(remote["rps"] / local["rps"], 3),
        "p50_us": round(remote["p50_us"], 1),
        "p99_us": round(remote["p99_us"], 1),
        "local_p50_us": round(local["p50_us"], 1),
        "local_p99_us": round(local["p99_us"], 1),
        "added_p50_us": round(remote["p50_us"] - local["p50_us"], 1),
        "main_cpu_us_per_request_remote": round(remote["cpu_us"], 1),
        "main_cpu_us_per_request_local": round(local["cpu_us"], 1),
        "refused": int(remote["refused"] + local["refused"]),
        "inflight": inflight,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput phase length, each endpoint")
    parser.add_argument("--inflight", type=int, default=64, help="requests kept in flight")
    shm = Path("/dev/shm")
    parser.add_argument(
        "--dir", default=str(shm) if shm.is_dir() else None, help="where the data directories go (a tmpfs)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(main(args.seconds, args.inflight, args.dir))
    print(f"remote: {result['remote_rps']} req/s, p50 {result['p50_us']} µs, p99 {result['p99_us']} µs")
    local = f"{result['local_rps']} req/s, p50 {result['local_p50_us']} µs, p99 {result['local_p99_us']} µs"
    print(f"local:  {local}")
    print(json.dumps(result))
