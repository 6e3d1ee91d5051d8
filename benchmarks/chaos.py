"""A standing fault campaign: SIGKILL `strom broker` again and again under load, then prove from its
log that nothing acknowledged was lost or doubled and that every instance finishes.

    .venv/bin/python benchmarks/chaos.py                 # 20 kills
    .venv/bin/python benchmarks/chaos.py --kills 50

Each round starts the broker on the same data directory, runs pyzeebe for a random 0.3–2 s — two
``ZeebeClient`` loops creating one-task instances and two ``ZeebeWorker`` completing their jobs —
and kills the broker with SIGKILL at that random moment, mid-request. A create or a
completion counts as acknowledged when the client got its answer. After the last kill the broker
is started once more, the remaining jobs are completed, and it is stopped gracefully; then its log
is read record by record. Last line: one JSON object with ``kills``, ``acknowledged_creates``,
``acknowledged_completions``, ``lost``, ``doubled``, ``unfinished``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from grpc_one_task import deploy  # noqa: E402 - the benchmark next to this one: same model


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Broker:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable, "-c", "from strom.cli import main; main()", "broker",
                "--data-dir", str(self.data_dir), "--grpc-port", str(self.port), "--rest-port", "0",
                "--metrics-port", "0", "--secondary-storage", "none", "--log-level", "WARNING",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        if "ready" not in line:
            raise SystemExit(f"the broker did not start: {line!r} (exit {self.process.poll()})")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


def _log_records(data_dir: Path) -> list[Any]:
    from strom.broker import Partition, PartitionSettings
    from strom.protocol import codec

    partition = Partition(PartitionSettings(data_dir=data_dir)).open()
    try:
        with partition.log.reader(partition.log.first_position) as reader:
            return [codec.decode(data) for _, data in reader]
    finally:
        partition.close(snapshot=False)


def campaign(kills: int, seed: int, data_dir: Path, finish_s: float = 60.0) -> dict[str, Any]:
    from _campaign import PyzeebeLoad, outcome

    rng = random.Random(seed)
    created: set[int] = set()
    completed: set[int] = set()
    lock = threading.Lock()
    started = time.monotonic()
    broker = Broker(data_dir)
    broker.start()
    deploy(f"127.0.0.1:{broker.port}")
    # two creators and two completers, counting what was acknowledged across every life
    counted: dict[str, Any] = {
        "variables": '{"n": 1}',
        "job_timeout_ms": 2_000,
        "created": created,
        "completed": completed,
        "lock": lock,
    }
    for _ in range(kills):
        address = f"127.0.0.1:{broker.port}"
        load = PyzeebeLoad([address] * 2, "one_task", "bench-task", **counted).start()
        time.sleep(rng.uniform(0.3, 2.0))
        broker.kill()  # mid-request: the clients see their calls fail
        load.stop()
        broker = Broker(data_dir)
        broker.start()
    # the last life: finish every instance, then stop gracefully
    address = f"127.0.0.1:{broker.port}"
    load = PyzeebeLoad([address] * 2, "one_task", "bench-task", **counted).start(creating=False)
    deadline = time.monotonic() + finish_s
    while time.monotonic() < deadline and not load.finished(created):
        time.sleep(0.5)
    load.stop()
    status = broker.stop()
    records = _log_records(data_dir)

    result = outcome(records, created, completed)
    return {
        "benchmark": "chaos",
        "kills": kills,
        "seed": seed,
        "acknowledged_creates": len(created),
        "acknowledged_completions": len(completed),
        "created_on_log": result.created_on_log,
        "lost": result.lost,
        "doubled": result.doubled,
        "unfinished": result.unfinished,
        "final_stop_status": status,
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-chaos-"))
    try:
        figures = campaign(args.kills, args.seed, data_dir)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    print(
        f"{figures['kills']} kills: {figures['acknowledged_creates']} creates and "
        f"{figures['acknowledged_completions']} completions acknowledged; lost {figures['lost']}, "
        f"doubled {figures['doubled']}, unfinished {figures['unfinished']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
