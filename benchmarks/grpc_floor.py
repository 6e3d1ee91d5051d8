"""What grpcio itself costs the broker's event loop per call: the floor under the gRPC goals.

    .venv/bin/python benchmarks/grpc_floor.py [--seconds 8] [--in-process-instances 10000]

`strom broker` runs its gRPC gateway (grpc.aio) and its partition on one event loop thread
(docs/architecture.md), so every microsecond grpcio spends in that thread is a microsecond the
engine does not get. This measures that cost with handlers that do nothing, in a server process of
its own (pinned to the first CPU, the client to the others, as ``grpc_one_task.py`` pins):

1. ``unary_loop_us``: CPU time of the server's event loop thread per unary call answered (a no-op
   handler, raw bytes, no protobuf), with 64 calls kept in flight by one client process;
   ``unary_process_us`` is the whole server process (grpc's own threads included).
2. ``stream_message_loop_us``: the same per message written to a server stream (``context.write``
   of a 300-byte message, as a job is pushed on StreamActivatedJobs).
3. ``in_process_us_per_pi``: the engine alone per one-task instance (``one_task.py``'s harness,
   one embedded partition, in a process of its own): 1 / its PI/s.

One instance through gRPC costs the loop at least ``e + g``, where ``e`` is the engine alone and
``g`` = two unary calls (CreateProcessInstance, CompleteJob) + one pushed job message. So:

* ``grpc_vs_in_process_ceiling`` = e / (e + g): the most ``grpc_one_task.py``'s
  ``grpc_vs_in_process`` can be with this grpcio on this machine, however thin the gateway's own
  code (goal 0.5).
* ``grpc_vs_in_process_ceiling_all_cores``: the same bound for any split of the work over
  processes (``partition_processes``), counting every process's CPU per instance (the server's
  whole process with grpc's threads, the clients' ``unary_client_us`` and
  ``stream_message_client_us``, the engine) against all of the machine's cores, as if splitting
  cost nothing.
* ``overload_vs_knee_ceiling``: under ``overload.py``'s flood (``--factor`` × the knee, open loop)
  with every call past the knee refused with RESOURCE_EXHAUSTED (each refusal costing at least one
  unary call ``u``), accepted / knee ≤ (1 − F·K·u) / (1 − K·u), with the knee K = 1 / (e + g)
  (goal 0.8).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grpc_one_task import _cpu_seconds, _free_port, _pin, in_process_pi_per_s

_MESSAGE = b"j" * 300


def _server_main(port: int, ready: Any, stop: Any, cpus: set[int] | None) -> None:
    _pin(cpus)
    import grpc

    async def unary(request: bytes, context: Any) -> bytes:
        return b"ok"

    async def stream(request: bytes, context: Any) -> None:
        while True:
            await context.write(_MESSAGE)

    async def serve() -> None:
        handler = grpc.method_handlers_generic_handler(
            "floor.Floor",
            {
                "Call": grpc.unary_unary_rpc_method_handler(unary),
                "Stream": grpc.unary_stream_rpc_method_handler(stream),
            },
        )
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((handler,))
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await server.stop(0)

    asyncio.run(serve())


def _client_main(port: int, kind: str, seconds: float, results: Any, cpus: set[int] | None) -> None:
    _pin(cpus)
    import grpc

    async def run() -> int:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            deadline = time.perf_counter() + seconds
            if kind == "unary":
                call = channel.unary_unary("/floor.Floor/Call")
                answered = 0

                async def keep_calling() -> None:
                    nonlocal answered
                    while time.perf_counter() < deadline:
                        await call(b"x")
                        answered += 1

                await asyncio.gather(*(keep_calling() for _ in range(64)))
                return answered
            received = 0
            responses = channel.unary_stream("/floor.Floor/Stream")(b"x")
            async for _ in responses:
                received += 1
                if received % 256 == 0 and time.perf_counter() >= deadline:
                    responses.cancel()
                    break
            return received

    began = time.process_time()
    count = asyncio.run(run())
    results.put((count, time.process_time() - began))


def _loop_cpu_seconds(pid: int) -> float:
    """User + system CPU of the process's main thread (its event loop's), from /proc."""
    fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(kind: str, seconds: float) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    cpus = os.cpu_count() or 1
    server_cpus = {0} if cpus >= 2 else None
    client_cpus = set(range(1, cpus)) if cpus >= 2 else None
    port = _free_port()
    ready, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    server = ctx.Process(target=_server_main, args=(port, ready, stop, server_cpus))
    server.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the gRPC server did not start within 60 s")
        pid = server.pid
        assert pid is not None
        loop_before, process_before = _loop_cpu_seconds(pid), _cpu_seconds([pid])
        client = ctx.Process(target=_client_main, args=(port, kind, seconds, results, client_cpus))
        client.start()
        count, client_seconds = results.get(timeout=seconds + 120)
        client.join(60)
        loop_after, process_after = _loop_cpu_seconds(pid), _cpu_seconds([pid])
    finally:
        stop.set()
        server.join(30)
        if server.is_alive():
            server.kill()
    return {
        "count": count,
        "loop_us": (loop_after - loop_before) * 1e6 / max(1, count),
        "process_us": (process_after - process_before) * 1e6 / max(1, count),
        "client_us": client_seconds * 1e6 / max(1, count),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per measured phase")
    parser.add_argument("--in-process-instances", type=int, default=10_000)
    parser.add_argument("--factor", type=float, default=3.0, help="overload.py's offered load / knee")
    args = parser.parse_args()

    unary = _measure("unary", args.seconds)
    stream = _measure("stream", args.seconds)
    in_process = in_process_pi_per_s(1, args.in_process_instances, 400)
    engine_us = 1e6 / in_process
    unary_us, stream_us = unary["loop_us"], stream["loop_us"]
    grpc_us = 2 * unary_us + stream_us
    # Every process's CPU per instance (server and clients, grpc's threads included): on all of
    # this machine's cores at once, with no cost for splitting the work, at most this many PI/s.
    all_us = engine_us + 2 * (unary["process_us"] + unary["client_us"])
    all_us += stream["process_us"] + stream["client_us"]
    cores = os.cpu_count() or 1
    knee = 1e6 / (engine_us + grpc_us)  # PI/s
    knee_u = knee * unary_us / 1e6
    figures = {
        "benchmark": "grpc_floor",
        "unary_calls": unary["count"],
        "unary_loop_us": round(unary_us, 1),
        "unary_process_us": round(unary["process_us"], 1),
        "stream_messages": stream["count"],
        "stream_message_loop_us": round(stream_us, 1),
        "stream_message_process_us": round(stream["process_us"], 1),
        "in_process_pi_per_s": round(in_process, 1),
        "in_process_us_per_pi": round(engine_us, 1),
        "grpc_loop_us_per_pi_floor": round(grpc_us, 1),
        "unary_client_us": round(unary["client_us"], 1),
        "stream_message_client_us": round(stream["client_us"], 1),
        "grpc_vs_in_process_ceiling": round(engine_us / (engine_us + grpc_us), 3),
        "grpc_vs_in_process_ceiling_all_cores": round(min(1.0, cores * engine_us / all_us), 3),
        "knee_pi_per_s_ceiling": round(knee, 1),
        "overload_vs_knee_ceiling": round(max(0.0, (1 - args.factor * knee_u) / (1 - knee_u)), 3),
        "cpus": cores,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
