"""A cancel batch operation over many instances on a real broker, and what clients see meanwhile.

Starts ``strom broker`` (one partition, SQLite secondary storage), creates ``--instances`` waiting
one-task instances over gRPC, waits until secondary storage shows them all, then sends
``POST /v2/process-instances/cancellation`` with their process as filter and measures how long
the operation takes until ``GET /v2/batch-operations/{key}`` says COMPLETED with every item
completed (``items_per_s``). Meanwhile a client creates instances of another process one after
another; its CreateProcessInstance latency before and during the operation (p50 / p99) shows
whether the operation leaves the partition to clients (its items are executed 10 per command,
each command taking its turn in the inbox).

    .venv/bin/python benchmarks/batch_operations.py [--instances 5000]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grpc_one_task import ONE_TASK, _free_port, deploy, start_broker, stop_broker

from strom.gateway.grpc._proto import GatewayStub, pb

PROBE = ONE_TASK.replace('id="one_task"', 'id="probe"')


def _create(address: str, process_id: str, count: int) -> None:
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        request = pb.CreateProcessInstanceRequest(bpmnProcessId=process_id)
        for _ in range(count):
            stub.CreateProcessInstance(request, timeout=30)


def _probe(address: str, stop: threading.Event, latencies: list[float]) -> None:
    """Create probe instances one after another until ``stop``; each call's latency in ms."""
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        request = pb.CreateProcessInstanceRequest(bpmnProcessId="probe")
        while not stop.is_set():
            started = time.perf_counter()
            stub.CreateProcessInstance(request, timeout=30)
            latencies.append((time.perf_counter() - started) * 1000)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _probe_for(address: str, seconds: float) -> list[float]:
    stop = threading.Event()
    latencies: list[float] = []
    thread = threading.Thread(target=_probe, args=(address, stop, latencies))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return latencies


def run(instances: int) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="strom-batch-bench-"))
    port, rest_port = _free_port(), _free_port()
    broker = start_broker(directory, port, rest_port=rest_port, secondary_storage="sqlite")
    address = f"127.0.0.1:{port}"
    try:
        deploy(address)
        deploy(address, "probe.bpmn", PROBE)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: _create(address, "one_task", instances // 4), range(4)))
        with httpx.Client(base_url=f"http://127.0.0.1:{rest_port}/v2", timeout=60) as http:
            active = {"filter": {"processDefinitionId": "one_task", "state": "ACTIVE"}, "page": {"limit": 1}}
            deadline = time.monotonic() + 120
            search = "/process-instances/search"
            while http.post(search, json=active).json()["page"]["totalItems"] < instances:
                if time.monotonic() > deadline:
                    raise SystemExit("the instances never all showed in secondary storage")
                time.sleep(0.2)
            before = _probe_for(address, 3.0)

            stop = threading.Event()
            during: list[float] = []
            prober = threading.Thread(target=_probe, args=(address, stop, during))
            prober.start()
            started = time.perf_counter()
            created = http.post(
                "/process-instances/cancellation", json={"filter": {"processDefinitionId": "one_task"}}
            )
            key = created.json()["batchOperationKey"]
            while True:
                body = http.get(f"/batch-operations/{key}").json()
                if body.get("state") == "COMPLETED" and body["operationsCompletedCount"] == instances:
                    break
                if time.perf_counter() - started > 600:
                    raise SystemExit(f"the operation did not complete: {body}")
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            stop.set()
            prober.join()
        return {
            "instances": instances,
            "batch_seconds": round(seconds, 2),
            "items_per_s": round(instances / seconds),
            "probe_creates_before": len(before),
            "probe_p50_ms_before": round(statistics.median(before), 2),
            "probe_p99_ms_before": round(_percentile(before, 0.99), 2),
            "probe_creates_during": len(during),
            "probe_p50_ms_during": round(statistics.median(during), 2) if during else None,
            "probe_p99_ms_during": round(_percentile(during, 0.99), 2),
        }
    finally:
        stop_broker(broker)
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--instances", type=int, default=5000, help="instances the operation cancels")
    args = parser.parse_args()
    print(json.dumps(run(args.instances)))


if __name__ == "__main__":
    main()
