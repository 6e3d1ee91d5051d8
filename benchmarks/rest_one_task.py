"""One-task processes through the REST API v2 and through gRPC, against one `strom broker`, same run.

    .venv/bin/python benchmarks/rest_one_task.py                 # 2 rounds of 10 s per API

Each round runs a starter and a worker in their own processes, first over gRPC (CreateProcessInstance
+ StreamActivatedJobs/CompleteJob, as benchmarks/grpc_one_task.py), then over REST (POST
/v2/process-instances + long-polling POST /v2/jobs/activation and POST /v2/jobs/{key}/completion,
as Camunda's REST job workers do). Rounds alternate so that machine drift hits both. The broker runs
without secondary storage, so the figures compare the gateways, not the exporter. Prints completed
PI/s per API (median of the rounds) and ``rest_vs_grpc``; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grpc_one_task import _free_port, _take, deploy, starter_main, worker_main


class _Connection:
    """A minimal HTTP/1.1 keep-alive client: the benchmark measures the broker's gateway, so the
    clients must cost little (httpx spends more CPU per request than the broker does)."""

    def __init__(self, base: str) -> None:
        address, _, self.prefix = base.removeprefix("http://").partition("/")
        self.prefix = "/" + self.prefix
        host, _, port = address.partition(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, (await self.reader.readexactly(length) if length else b"")


def rest_worker_main(base: str, ready: Any, stop: Any, results: Any) -> None:
    asyncio.run(_rest_work(base, ready, stop, results))


async def _rest_work(base: str, ready: Any, stop: Any, results: Any) -> None:
    completed: list[tuple[int, int]] = []
    failures = 0
    activation = json.dumps(
        {
            "type": "bench-task",
            "worker": "bench",
            "timeout": 60_000,
            "maxJobsToActivate": 32,
            "requestTimeout": 1000,
        }
    ).encode()
    jobs: asyncio.Queue[tuple[str, int]] = asyncio.Queue()

    async def poll() -> None:
        connection = _Connection(base)
        while not stop.is_set():
            status, answer = await connection.post("/jobs/activation", activation)
            if status != 200:
                await asyncio.sleep(0.01)
                continue
            for job in json.loads(answer)["jobs"]:
                jobs.put_nowait((job["jobKey"], int(job["processInstanceKey"])))

    async def complete() -> None:
        nonlocal failures
        connection = _Connection(base)
        while True:
            job_key, instance_key = await jobs.get()
            status, _ = await connection.post(f"/jobs/{job_key}/completion", b"{}")
            if status == 204:
                completed.append((instance_key, time.time_ns()))
            else:
                failures += 1

    ready.set()
    completers = [asyncio.create_task(complete()) for _ in range(32)]
    await asyncio.gather(*(poll() for _ in range(2)))
    for task in completers:
        task.cancel()
    await asyncio.gather(*completers, return_exceptions=True)
    results.put(
        ("worker", completed, len(completed) + failures, {"not 204": failures} if failures else {}, [])
    )


def rest_starter_main(base: str, in_flight: int, duration: float, go: Any, results: Any) -> None:
    asyncio.run(_rest_start(base, in_flight, duration, go, results))


async def _rest_start(base: str, in_flight: int, duration: float, go: Any, results: Any) -> None:
    created: list[tuple[int, int]] = []
    rejected = errors = 0
    body = json.dumps({"processDefinitionId": "one_task", "variables": {"n": 1}}).encode()
    while not go.is_set():
        await asyncio.sleep(0.01)
    started = time.monotonic()

    async def loop() -> None:
        nonlocal rejected, errors
        connection = _Connection(base)
        while time.monotonic() - started < duration:
            sent = time.time_ns()
            status, answer = await connection.post("/process-instances", body)
            if status == 200:
                created.append((int(json.loads(answer)["processInstanceKey"]), sent))
            elif status == 429:
                rejected += 1
            else:
                errors += 1

    await asyncio.gather(*(loop() for _ in range(in_flight)))
    results.put(("starter", created, rejected, errors))


def _round(
    api: str, address: str, base: str, duration: float, warmup: float, in_flight: int
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    ready, stop, go = ctx.Event(), ctx.Event(), ctx.Event()
    if api == "grpc":
        worker = ctx.Process(target=worker_main, args=(address, ready, stop, results))
        starter = ctx.Process(target=starter_main, args=(address, 0.0, in_flight, duration, go, results))
    else:
        worker = ctx.Process(target=rest_worker_main, args=(base, ready, stop, results))
        starter = ctx.Process(target=rest_starter_main, args=(base, in_flight, duration, go, results))
    worker.start()
    if not ready.wait(30):
        raise SystemExit(f"the {api} worker did not start")
    starter.start()
    started_ns = time.time_ns()
    go.set()
    collected: dict[str, Any] = {}
    collected.update(_take(results, "starter", duration + 60))
    time.sleep(1.0)  # the last completions
    stop.set()
    collected.update(_take(results, "worker", 60))
    starter.join(10)
    worker.join(10)
    _, _, rejected, errors = collected["starter"]
    _, completed, _, failures, _ = collected["worker"]
    window_start, window_end = started_ns + int(warmup * 1e9), started_ns + int(duration * 1e9)
    in_window = [done for _, done in completed if window_start <= done < window_end]
    return {
        "pi_per_s": len(in_window) / ((window_end - window_start) / 1e9),
        "rejected": rejected,
        "errors": errors + sum(failures.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per round and API")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--in-flight", type=int, default=32)
    args = parser.parse_args()

    root = Path(__file__).resolve().parents[1]
    data_dir = Path(tempfile.mkdtemp(prefix="strom-rest-bench-"))
    port, rest_port = _free_port(), _free_port()
    address, base = f"127.0.0.1:{port}", f"http://127.0.0.1:{rest_port}/v2"
    broker = subprocess.Popen(
        [
            sys.executable, "-c", "from strom.cli import main; main()", "broker",
            "--data-dir", str(data_dir), "--grpc-port", str(port), "--rest-port", str(rest_port),
            "--metrics-port", "0", "--secondary-storage", "none", "--log-level", "WARNING",
        ],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
    )  # fmt: skip
    rounds: dict[str, list[dict[str, Any]]] = {"grpc": [], "rest": []}
    try:
        assert broker.stdout is not None
        line = broker.stdout.readline().decode()
        if "ready" not in line:
            raise SystemExit(f"the broker did not start: {line}")
        deploy(address)
        for _ in range(args.rounds):
            for api in ("grpc", "rest"):
                result = _round(api, address, base, args.duration, args.warmup, args.in_flight)
                rounds[api].append(result)
                rate, rejected, errors = result["pi_per_s"], result["rejected"], result["errors"]
                print(f"{api}: {rate:.1f} PI/s, rejected {rejected}, errors {errors}")
    finally:
        broker.send_signal(signal.SIGTERM)
        try:
            broker.wait(30)
        except subprocess.TimeoutExpired:
            broker.kill()
        shutil.rmtree(data_dir, ignore_errors=True)

    grpc_rate = statistics.median(r["pi_per_s"] for r in rounds["grpc"])
    rest_rate = statistics.median(r["pi_per_s"] for r in rounds["rest"])
    figures = {
        "benchmark": "rest_one_task",
        "rounds": args.rounds,
        "duration_s": args.duration,
        "grpc_pi_per_s": round(grpc_rate, 1),
        "rest_pi_per_s": round(rest_rate, 1),
        "rest_vs_grpc": round(rest_rate / grpc_rate, 3) if grpc_rate else None,
        "rest_errors": sum(r["errors"] for r in rounds["rest"]),
        "grpc_errors": sum(r["errors"] for r in rounds["grpc"]),
        "cpus": os.cpu_count(),
    }
    print(f"REST {rest_rate:.1f} PI/s vs gRPC {grpc_rate:.1f} PI/s: {figures['rest_vs_grpc']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
