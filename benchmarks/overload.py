"""Overload: a real broker, clients offering ~3x what it can process; throughput must not collapse.

    .venv/bin/python benchmarks/overload.py [--seconds 30] [--factor 3] [--clients 3]

One ``strom broker`` (one partition, its default AIMD backpressure; started as in
``grpc_one_task.py``), the one-task process deployed, a worker completing every job from
StreamActivatedJobs (CompleteJob is exempt from backpressure), then two phases:

1. **The knee**: one starter keeps ``--knee-in-flight`` CreateProcessInstance calls outstanding (a
   closed loop: the next call goes when one is answered), so the broker runs at what it can
   sustain; its accepted PI/s over ``--knee-seconds`` (after ``--warmup``) is ``knee_pi_per_s``.
2. **Overload**: ``--clients`` starter processes together offer ``--factor`` x ``knee_pi_per_s``
   calls per second, open loop (each at its share of the rate, whatever the answers; every call
   with a ``--deadline``), for ``--seconds``.

Figures over phase 2 after ``--warmup``: ``accepted_pi_per_s`` (calls answered OK per second),
``overload_vs_knee`` = that / ``knee_pi_per_s`` (goal >= 0.8: throughput must not collapse),
``resource_exhausted_share`` (calls answered RESOURCE_EXHAUSTED / calls answered),
``cancelled_share`` (calls gRPC dropped from its queue of calls the gateway had not taken yet),
``p99_accepted_latency_ms`` (of the calls answered OK), the count of every other status
(DEADLINE_EXCEEDED, CANCELLED, ... — all should be 0), ``completed_pi_per_s`` (the worker's
completions), ``complete_job_rejected`` (CompleteJob calls answered with any error; must be 0;
``complete_job_failures`` counts them by status and details), the broker's RSS sampled every 0.5 s
(``rss_max_over_min``, goal <= 1.5) and ``broker_gauges``: median and max of the AIMD limit, the
requests in flight (partition and gateway) and the pushed jobs unanswered, from its ``/metrics``.
With two or more CPUs the clients run on all but the first, so the broker keeps a core (as with
clients on other machines). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grpc_one_task import _free_port, _percentile, _pin, deploy, start_broker, stop_broker, worker_main

# -- the broker ------------------------------------------------------------------------------------------

GAUGES = (
    "strom_backpressure_limit",
    "strom_backpressure_inflight",
    "strom_gateway_requests_inflight",
    "strom_gateway_pushed_jobs_unanswered",
)
"""Sampled from the broker's /metrics during the overload (median and max reported)."""


def _gauges(metrics_port: int) -> dict[str, float]:
    """The ``GAUGES`` the broker reports now (the partition's label ignored)."""
    values: dict[str, float] = {}
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=2) as answer:
            for line in answer.read().decode().splitlines():
                name = line.split("{", 1)[0].split(" ", 1)[0]
                if name in GAUGES:
                    values[name] = values.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
    except OSError:
        pass
    return values


# -- a starter process -------------------------------------------------------------------------------


def starter_main(
    address: str,
    rate: float,
    in_flight: int,
    seconds: float,
    deadline_s: float,
    go: Any,
    results: Any,
    cpus: set[int] | None,
) -> None:
    """Closed loop (``rate`` 0: ``in_flight`` calls outstanding) or open loop at ``rate`` calls/s."""
    _pin(cpus)
    asyncio.run(_start(address, rate, in_flight, seconds, deadline_s, go, results))


async def _start(
    address: str, rate: float, in_flight: int, seconds: float, deadline_s: float, go: Any, results: Any
) -> None:
    import grpc

    from strom.gateway.grpc._proto import GatewayStub, pb

    calls: list[tuple[int, int, str]] = []  # (sent ns, answered ns, status name)
    details: Counter[str] = Counter()  # what the first other answers said
    request = pb.CreateProcessInstanceRequest(bpmnProcessId="one_task", variables='{"n": 1}')
    while not go.is_set():
        await asyncio.sleep(0.01)
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        gate = asyncio.Semaphore(in_flight)

        async def create() -> None:
            sent = time.time_ns()
            try:
                await stub.CreateProcessInstance(request, timeout=deadline_s)
                status = "OK"
            except grpc.aio.AioRpcError as error:
                status = error.code().name
                if status not in ("RESOURCE_EXHAUSTED", "OK") and len(details) < 20:
                    details[f"{status}: {error.details()}"] += 1
            finally:
                gate.release()
            calls.append((sent, time.time_ns(), status))

        tasks: set[asyncio.Task[None]] = set()
        started = time.monotonic()
        sent_count = 0
        while (elapsed := time.monotonic() - started) < seconds:
            if rate > 0 and sent_count >= int(elapsed * rate):
                await asyncio.sleep(max(0.0, min(0.002, (sent_count + 1) / rate - elapsed)))
                continue
            await gate.acquire()  # open loop: a cap far above what any answer time needs
            sent_count += 1
            task = asyncio.create_task(create())
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, return_exceptions=True)
    results.put(("starter", calls, dict(details)))


def _run_starters(
    address: str,
    count: int,
    rate: float,
    in_flight: int,
    seconds: float,
    deadline_s: float,
    cpus: set[int] | None,
    broker_pid: int,
    metrics_port: int,
) -> tuple[int, list[tuple[int, int, str]], list[float], list[tuple[int, dict[str, float]]]]:
    """``count`` starters at ``rate`` in all (0: closed loop); (start ns, their calls, broker RSS MB,
    the broker's ``GAUGES`` sampled with their time in ns)."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    go = ctx.Event()
    starters = [
        ctx.Process(
            target=starter_main,
            args=(address, rate / count, in_flight, seconds, deadline_s, go, results, cpus),
        )
        for _ in range(count)
    ]
    for starter in starters:
        starter.start()
    time.sleep(1.0)  # the starters have imported grpc and wait for go
    rss: list[float] = []
    gauges: list[tuple[int, dict[str, float]]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(0.5):
            rss.append(_rss_mb(broker_pid))
            gauges.append((time.time_ns(), _gauges(metrics_port)))

    sampler = threading.Thread(target=sample, daemon=True)
    started_ns = time.time_ns()
    go.set()
    sampler.start()
    calls: list[tuple[int, int, str]] = []
    for _ in starters:
        _, starter_calls, details = results.get(timeout=seconds + deadline_s + 120)
        calls.extend(starter_calls)
        for detail, n in details.items():
            print(f"  {n} x {detail}")
    sampling.set()
    for starter in starters:
        starter.join(30)
    return started_ns, calls, rss, gauges


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- the run -------------------------------------------------------------------------------------------


def _window(
    calls: list[tuple[int, int, str]], started_ns: int, warmup: float, seconds: float
) -> tuple[float, Counter[str], list[float]]:
    """Seconds measured, statuses of the calls answered in the window, latencies of the OK ones (ms)."""
    start = started_ns + int(warmup * 1e9)
    end = started_ns + int(seconds * 1e9)
    inside = [(sent, done, status) for sent, done, status in calls if start <= done < end]
    statuses = Counter(status for _, _, status in inside)
    latencies = sorted((done - sent) / 1e6 for sent, done, status in inside if status == "OK")
    return (end - start) / 1e9, statuses, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="seconds of overload")
    parser.add_argument("--knee-seconds", type=float, default=15.0, help="seconds of the knee phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds left out at each phase's start")
    parser.add_argument("--factor", type=float, default=3.0, help="offered rate over the knee's PI/s")
    parser.add_argument("--clients", type=int, default=3, help="starter processes offering the overload")
    parser.add_argument("--knee-in-flight", type=int, default=32, help="calls outstanding at the knee")
    parser.add_argument("--deadline", type=float, default=10.0, help="seconds each call may take")
    parser.add_argument("--max-in-flight", type=int, default=20_000, help="per starter, in overload")
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    client_cpus = set(cpus[1:]) if len(cpus) >= 2 else None

    data_dir = Path(tempfile.mkdtemp(prefix="strom-overload-"))
    port = _free_port()
    address = f"127.0.0.1:{port}"
    metrics_port = _free_port()
    broker = start_broker(data_dir, port, metrics_port=metrics_port)
    try:
        deploy(address)
        ctx = mp.get_context("spawn")
        worker_results = ctx.Queue()
        ready, stop = ctx.Event(), ctx.Event()
        worker = ctx.Process(target=worker_main, args=(address, ready, stop, worker_results, client_cpus))
        worker.start()
        if not ready.wait(30):
            raise SystemExit("the worker did not start")

        knee_start, knee_calls, _, _ = _run_starters(
            address,
            1,
            0.0,
            args.knee_in_flight,
            args.knee_seconds,
            args.deadline,
            client_cpus,
            broker.pid,
            metrics_port,
        )
        knee_s, knee_statuses, knee_latencies = _window(
            knee_calls, knee_start, args.warmup, args.knee_seconds
        )
        knee_pi_per_s = knee_statuses["OK"] / knee_s
        print(
            f"knee: {knee_pi_per_s:.0f} PI/s accepted with {args.knee_in_flight} calls in flight, "
            f"p99 {_percentile(knee_latencies, 0.99):.1f} ms, statuses {dict(knee_statuses)}"
        )

        offered = args.factor * knee_pi_per_s
        over_start, over_calls, rss, gauges = _run_starters(
            address,
            args.clients,
            offered,
            args.max_in_flight,
            args.seconds,
            args.deadline,
            client_cpus,
            broker.pid,
            metrics_port,
        )
        stop.set()
        _, completed, complete_sent, complete_failures, failure_ms = worker_results.get(timeout=120)
        worker.join(30)
    finally:
        stop_broker(broker)
        shutil.rmtree(data_dir, ignore_errors=True)

    seconds, statuses, latencies = _window(over_calls, over_start, args.warmup, args.seconds)
    answered = sum(statuses.values())
    accepted_pi_per_s = statuses["OK"] / seconds
    window_start = over_start + int(args.warmup * 1e9)
    window_end = over_start + int(args.seconds * 1e9)
    completed_in_window = sum(1 for _, done in completed if window_start <= done < window_end)
    rss_after_warmup = rss[int(args.warmup / 0.5) :] or rss
    ratio = accepted_pi_per_s / knee_pi_per_s if knee_pi_per_s else 0.0
    sampled = [values for at, values in gauges if window_start <= at < window_end]
    figures_gauges = {
        name.removeprefix("strom_"): {
            "median": _percentile(sorted(v[name] for v in sampled if name in v), 0.5),
            "max": max((v[name] for v in sampled if name in v), default=float("nan")),
        }
        for name in GAUGES
    }
    figures: dict[str, Any] = {
        "benchmark": "overload",
        "knee_pi_per_s": round(knee_pi_per_s, 1),
        "knee_p99_latency_ms": round(_percentile(knee_latencies, 0.99), 1),
        "offered_per_s": round(offered, 1),
        "sent_per_s": round(
            sum(1 for sent, _, _ in over_calls if window_start <= sent < window_end) / seconds, 1
        ),
        "accepted_pi_per_s": round(accepted_pi_per_s, 1),
        "overload_vs_knee": round(ratio, 3),
        "goal_overload_vs_knee_met": ratio >= 0.8,
        "resource_exhausted_share": round(statuses["RESOURCE_EXHAUSTED"] / answered, 3) if answered else 0.0,
        "cancelled_share": round(statuses["CANCELLED"] / answered, 3) if answered else 0.0,
        "p50_accepted_latency_ms": round(_percentile(latencies, 0.50), 1),
        "p99_accepted_latency_ms": round(_percentile(latencies, 0.99), 1),
        "p50_latency_ms_by_status": {
            status: round(
                _percentile(sorted((d - s) / 1e6 for s, d, st in over_calls if st == status), 0.5), 1
            )
            for status in statuses
        },
        "other_statuses": {
            status: n for status, n in statuses.items() if status not in ("OK", "RESOURCE_EXHAUSTED")
        },
        "completed_pi_per_s": round(completed_in_window / seconds, 1),
        "broker_gauges": figures_gauges,
        "complete_job_sent": complete_sent,
        "complete_job_rejected": sum(complete_failures.values()),
        "complete_job_failures": complete_failures,
        "complete_job_failure_p50_ms": round(_percentile(failure_ms, 0.5), 1) if failure_ms else None,
        "rss_mb_min": round(min(rss_after_warmup), 1) if rss_after_warmup else None,
        "rss_mb_max": round(max(rss_after_warmup), 1) if rss_after_warmup else None,
        "rss_max_over_min": round(max(rss_after_warmup) / min(rss_after_warmup), 2)
        if rss_after_warmup
        else None,
        "window_s": round(seconds, 1),
        "clients": args.clients,
        "factor": args.factor,
        "cpus": os.cpu_count(),
        "clients_pinned": client_cpus is not None,
    }
    print(
        f"overload: offered {figures['offered_per_s']}/s, accepted {figures['accepted_pi_per_s']} PI/s "
        f"({figures['overload_vs_knee']} of the knee), RESOURCE_EXHAUSTED "
        f"{figures['resource_exhausted_share']:.1%}, p99 accepted {figures['p99_accepted_latency_ms']} ms, "
        f"other statuses {figures['other_statuses']}, RSS {figures['rss_mb_min']}-{figures['rss_mb_max']} MB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
