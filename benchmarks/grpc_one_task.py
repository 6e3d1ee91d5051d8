"""One-task processes through Zeebe's gRPC API: a starter and a streaming worker against `strom broker`.

    .venv/bin/python benchmarks/grpc_one_task.py                       # as fast as backpressure allows
    .venv/bin/python benchmarks/grpc_one_task.py --rate 750            # a fixed rate (instances/s)
    .venv/bin/python benchmarks/grpc_one_task.py --partitions 1,2,4    # one run per partition count

With several ``--partitions`` counts the broker runs once per count in the same invocation (each
partition in its own process when more than one) and the JSON line adds ``scaling_2_vs_1`` (PI/s
with two partitions / PI/s with one) and the like for every count measured.

``grpc_vs_in_process`` (goal 0.5) is the gRPC PI/s over the in-process PI/s of the same one-task
model with the same partition count, measured in the same invocation right before and right after
each gRPC run (``in_process_pi_per_s`` is the mean of the two): the in-process figure is
``one_task.py``'s harness (an embedded partition with group commit, instances created with
CreateProcessInstanceWithResult, ``--in-process-window`` in flight, an in-process job worker), in a
process of its own; with N partitions, N such partitions in N processes run at once, each on its
own data directory, and their instances over the slowest one's time make the figure.

Three processes: the broker (``strom broker`` on a temporary data directory), a starter sending
CreateProcessInstance (at ``--rate`` per second, or as fast as the broker accepts with at most
``--in-flight`` calls outstanding) and a worker taking jobs from StreamActivatedJobs and answering
each with CompleteJob. An instance's latency runs from sending its CreateProcessInstance to the
answer of its CompleteJob (the broker answers once the instance completed). Prints completed PI/s,
p50/p99 latency and rejected requests over the measured window; the last line is one JSON object.

In the as-fast-as-allowed mode with two or more CPUs, the starter and worker are pinned to all CPUs
but the first (``--pin``/``--no-pin`` to choose): the broker's busy event-loop thread then keeps a
core to itself instead of being moved between cores by the clients, as with clients on other
machines. At a fixed rate the clients are not pinned: sharing one core, they would queue requests
themselves and measure their own latency. (Pinning the broker as well measured slower: its gRPC
and fsync threads need the other core now and then.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ONE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://strom.bench">
  <bpmn:process id="one_task" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task"/>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="bench-task"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the worker process ----------------------------------------------------------------------------


def _pin(cpus: set[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


def worker_main(address: str, ready: Any, stop: Any, results: Any, cpus: set[int] | None = None) -> None:
    """StreamActivatedJobs, one CompleteJob per job pushed; every failed completion with its status.
    Puts ``("worker", completed, sent, failures by "STATUS: details", failed calls' ms)``."""
    _pin(cpus)
    asyncio.run(_work(address, ready, stop, results))


async def _work(address: str, ready: Any, stop: Any, results: Any) -> None:
    import grpc

    from strom.gateway.grpc._proto import GatewayStub, pb

    completed: list[tuple[int, int]] = []  # (instance key, answered ns)
    failures: Counter[str] = Counter()  # "STATUS: details"
    failure_ms: list[float] = []  # how long each failed completion took
    sent = 0
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        stream = stub.StreamActivatedJobs(
            pb.StreamActivatedJobsRequest(type="bench-task", worker="bench", timeout=60_000)
        )
        pending: set[asyncio.Task[None]] = set()

        async def complete(job_key: int, instance_key: int) -> None:
            nonlocal sent
            sent += 1
            started = time.monotonic()
            try:
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job_key))
                completed.append((instance_key, time.time_ns()))
            except grpc.aio.AioRpcError as error:
                failures[f"{error.code().name}: {error.details()}"] += 1
                failure_ms.append((time.monotonic() - started) * 1000)

        async def consume() -> None:
            async for job in stream:
                task = asyncio.create_task(complete(job.key, job.processInstanceKey))
                pending.add(task)
                task.add_done_callback(pending.discard)

        consumer = asyncio.create_task(consume())
        await asyncio.sleep(0.5)  # the stream is registered before the starters begin
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # let the last completions come in
        consumer.cancel()
        await asyncio.gather(consumer, *pending, return_exceptions=True)
    results.put(("worker", completed, sent, dict(failures), sorted(failure_ms)))


# -- the starter process ---------------------------------------------------------------------------


def starter_main(
    address: str,
    rate: float,
    in_flight: int,
    duration: float,
    go: Any,
    results: Any,
    cpus: set[int] | None = None,
) -> None:
    _pin(cpus)
    asyncio.run(_start(address, rate, in_flight, duration, go, results))


async def _start(address: str, rate: float, in_flight: int, duration: float, go: Any, results: Any) -> None:
    import grpc

    from strom.gateway.grpc._proto import GatewayStub, pb

    created: list[tuple[int, int]] = []
    rejected = 0
    errors = 0
    request = pb.CreateProcessInstanceRequest(bpmnProcessId="one_task", variables='{"n": 1}')
    while not go.is_set():
        await asyncio.sleep(0.01)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        gate = asyncio.Semaphore(in_flight)

        async def create() -> None:
            nonlocal rejected, errors
            try:
                sent = time.time_ns()
                answer = await stub.CreateProcessInstance(request)
                created.append((answer.processInstanceKey, sent))
            except grpc.aio.AioRpcError as error:
                if error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
                    rejected += 1
                else:
                    errors += 1
            finally:
                gate.release()

        tasks: set[asyncio.Task[None]] = set()
        started = time.monotonic()
        sent_count = 0
        while True:
            now = time.monotonic()
            if now - started >= duration:
                break
            if rate > 0:
                due = int((now - started) * rate)
                if sent_count >= due:
                    await asyncio.sleep(min(0.002, (sent_count + 1) / rate - (now - started)))
                    continue
            await gate.acquire()
            sent_count += 1
            task = asyncio.create_task(create())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, return_exceptions=True)
    results.put(("starter", created, rejected, errors))


# -- the in-process reference ---------------------------------------------------------------------


def in_process_main(instances: int, window: int, start: Any, results: Any) -> None:
    """One embedded partition (``one_task.StromRun``): a warm-up, then ``instances`` timed."""
    from one_task import StromRun

    data_dir = Path(tempfile.mkdtemp(prefix="strom-grpc-bench-in-process-"))
    try:
        run = StromRun(data_dir, window)
        run.warm_up(min(instances, 1_000))
        start.wait()
        began = time.perf_counter()
        run.round(instances)
        results.put(time.perf_counter() - began)
        run.worker.stop()
        run.partition.close(snapshot=False)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def in_process_pi_per_s(partitions: int, instances: int, window: int) -> float:
    """Completed PI/s of ``partitions`` embedded partitions, each in its own process, run at once."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    start = ctx.Barrier(partitions)
    processes = [
        ctx.Process(target=in_process_main, args=(instances, window, start, results))
        for _ in range(partitions)
    ]
    for process in processes:
        process.start()
    try:
        elapsed = [results.get(timeout=900) for _ in processes]
    finally:
        for process in processes:
            process.join(60)
    return partitions * instances / max(elapsed)


# -- the run -----------------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=0.0, help="instances/s to start; 0: as fast as allowed")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds at the start left out of the figures"
    )
    parser.add_argument(
        "--in-flight", type=int, default=32, help="most CreateProcessInstance calls outstanding"
    )
    parser.add_argument("--backpressure", default="aimd", choices=["aimd", "vegas", "fixed", "off"])
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="broker data (default: a temporary directory)"
    )
    parser.add_argument(
        "--partitions",
        default="1",
        help="partition counts to run, comma-separated (e.g. 1,2,4): one broker run each",
    )
    parser.add_argument(
        "--in-process-instances",
        type=int,
        default=10_000,
        help="instances per partition of each in-process measurement (before and after each gRPC run)",
    )
    parser.add_argument(
        "--in-process-window", type=int, default=400, help="in-process instances in flight at once"
    )
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="starter and worker on all CPUs but the first (default: only without --rate)",
    )
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    pin = args.pin if args.pin is not None else args.rate == 0
    client_cpus = set(cpus[1:]) if pin and len(cpus) >= 2 else None

    counts = [int(count) for count in args.partitions.split(",") if count.strip()]
    runs = {count: with_in_process(args, count, client_cpus) for count in counts}
    for count, figures in runs.items():
        print(
            f"{count} partition(s): completed {figures['completed_pi_per_s']} PI/s over "
            f"{figures['window_s']} s ({figures['mode']}); latency p50 {figures['p50_latency_ms']} ms, "
            f"p99 {figures['p99_latency_ms']} ms; rejected {figures['rejected']}; errors {figures['errors']}"
            f"; in-process {figures['in_process_pi_per_s']} PI/s: grpc_vs_in_process "
            f"{figures['grpc_vs_in_process']}"
        )
    result = dict(runs[counts[0]])
    if len(counts) > 1:
        result["runs"] = {str(count): figures for count, figures in runs.items()}
        one = runs.get(1)
        for count, figures in runs.items():
            if one is not None and count != 1 and one["completed_pi_per_s"]:
                result[f"scaling_{count}_vs_1"] = round(
                    figures["completed_pi_per_s"] / one["completed_pi_per_s"], 2
                )
    print(json.dumps(result))


def with_in_process(
    args: argparse.Namespace, partitions: int, client_cpus: set[int] | None
) -> dict[str, Any]:
    """``run_once`` between two in-process measurements with as many partitions; the figures."""
    before = in_process_pi_per_s(partitions, args.in_process_instances, args.in_process_window)
    figures = run_once(args, partitions, client_cpus)
    after = in_process_pi_per_s(partitions, args.in_process_instances, args.in_process_window)
    in_process = (before + after) / 2
    ratio = figures["completed_pi_per_s"] / in_process
    return {
        **figures,
        "in_process_pi_per_s": round(in_process, 1),
        "in_process_before_after_pi_per_s": [round(before, 1), round(after, 1)],
        "grpc_vs_in_process": round(ratio, 3),
        "goal_grpc_vs_in_process_met": ratio >= 0.5,
    }


def run_once(args: argparse.Namespace, partitions: int, client_cpus: set[int] | None) -> dict[str, Any]:
    """One broker with ``partitions`` partitions under the starter and the worker; its figures."""
    data_dir = (
        args.data_dir / f"partitions-{partitions}"
        if args.data_dir
        else Path(tempfile.mkdtemp(prefix="strom-grpc-bench-"))
    )
    port = _free_port()
    address = f"127.0.0.1:{port}"
    broker = start_broker(data_dir, port, partitions=partitions, backpressure=args.backpressure)
    try:
        deploy(address)
        time.sleep(1.0 if partitions > 1 else 0.0)  # the deployment reaches the other partitions

        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        ready, stop, go = ctx.Event(), ctx.Event(), ctx.Event()
        worker = ctx.Process(target=worker_main, args=(address, ready, stop, results, client_cpus))
        worker.start()
        if not ready.wait(30):
            raise SystemExit("the worker did not start")
        starter = ctx.Process(
            target=starter_main,
            args=(address, args.rate, args.in_flight, args.duration, go, results, client_cpus),
        )
        starter.start()
        started_ns = time.time_ns()
        go.set()
        roles = {"starter": [starter.pid], "worker": [worker.pid]}
        time.sleep(args.warmup)
        roles["gateway"] = [broker.pid]
        roles["partitions"] = _children(broker.pid)  # partition processes, if any
        cpu_before = {role: _cpu_seconds(pids) for role, pids in roles.items()}
        time.sleep(max(0.0, args.duration - args.warmup))
        cpu_after = {role: _cpu_seconds(pids) for role, pids in roles.items()}
        collected: dict[str, Any] = {}
        collected.update(_take(results, "starter", args.duration + 60))
        stop.set()
        collected.update(_take(results, "worker", 60))
        starter.join(10)
        worker.join(10)
    finally:
        stop_broker(broker)
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)

    _, created, rejected, errors = collected["starter"]
    _, completed, _, failures, _ = collected["worker"]
    window_start = started_ns + int(args.warmup * 1e9)
    window_end = started_ns + int(args.duration * 1e9)
    sent_at = dict(created)
    in_window = [(key, done) for key, done in completed if window_start <= done < window_end]
    latencies = sorted((done - sent_at[key]) / 1e6 for key, done in in_window if key in sent_at)
    seconds = (window_end - window_start) / 1e9
    figures = {
        "benchmark": "grpc_one_task",
        "mode": f"rate {args.rate:g}/s" if args.rate else "as fast as allowed",
        "backpressure": args.backpressure,
        "duration_s": args.duration,
        "window_s": round(seconds, 2),
        "created": len(created),
        "completed": len(completed),
        "completed_pi_per_s": round(len(in_window) / seconds, 1),
        "p50_latency_ms": round(_percentile(latencies, 0.50), 2),
        "p99_latency_ms": round(_percentile(latencies, 0.99), 2),
        "rejected": rejected,
        "errors": errors + sum(failures.values()),
        "partitions": partitions,
        # CPU time each part used in the window, in microseconds per completed instance (with one
        # partition the gateway's figure includes the partition: they share a process)
        "cpu_us_per_pi": {
            role: round((cpu_after[role] - cpu_before[role]) * 1e6 / max(1, len(in_window)), 1)
            for role in cpu_before
            if role != "partitions" or roles["partitions"]
        },
        "cpus": os.cpu_count(),
        "clients_pinned": client_cpus is not None,
    }
    return figures


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in found.stdout.split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far (their threads included), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def start_broker(
    data_dir: Path,
    port: int,
    *,
    partitions: int = 1,
    backpressure: str = "aimd",
    rest_port: int = 0,
    secondary_storage: str = "none",
    metrics_port: int = 0,
) -> subprocess.Popen[bytes]:
    """``strom broker`` on ``data_dir`` serving gRPC on ``port``, once it said it is ready.

    By default the gRPC path alone: no metrics (``metrics_port``), no REST server (``rest_port``),
    no secondary storage exporter (``secondary_storage``).
    """
    root = Path(__file__).resolve().parents[1]
    broker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from strom.cli import main; main()",
            "broker",
            "--data-dir",
            str(data_dir),
            "--grpc-port",
            str(port),
            "--metrics-port",
            str(metrics_port),
            "--rest-port",
            str(rest_port),
            "--secondary-storage",
            secondary_storage,
            "--backpressure",
            backpressure,
            "--log-level",
            "WARNING",
            "--partitions",
            str(partitions),
        ],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(root)},
        cwd=root,
    )
    assert broker.stdout is not None
    line = broker.stdout.readline().decode()
    if "ready" not in line:
        stop_broker(broker)
        raise SystemExit(f"the broker did not start: {line}")
    return broker


def stop_broker(broker: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """SIGTERM (a graceful stop: the partitions take their final snapshot), then wait; kill if stuck."""
    broker.send_signal(signal.SIGTERM)
    try:
        broker.wait(timeout)
    except subprocess.TimeoutExpired:
        broker.kill()
        broker.wait()


def deploy(address: str, name: str = "one_task.bpmn", bpmn: str = ONE_TASK) -> None:
    import grpc

    from strom.gateway.grpc._proto import GatewayStub, pb

    with grpc.insecure_channel(address) as channel:
        GatewayStub(channel).DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=bpmn.encode())]),
            timeout=30,
        )


def _take(results: Any, kind: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = results.get(timeout=max(0.1, deadline - time.monotonic()))
        if item[0] == kind:
            return {kind: item}
    raise SystemExit(f"no result from the {kind}")


if __name__ == "__main__":
    main()
