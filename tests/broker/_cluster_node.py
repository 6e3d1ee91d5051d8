"""One cluster broker's partition 1 in a process of its own, for failover tests and the benchmark.

    python tests/broker/_cluster_node.py NATS_URL DATA_DIR NODE_ID [--ttl S] [--renew S] [--load]

Opens a ``PartitionMember`` on the partition's JetStream stream with its own lease manager. Prints
one line per event on stdout, flushed at once (the parent reads them, then maybe SIGKILLs us):

- ``role <role> <monotonic ns>`` whenever the member's role changes;
- with ``--load``, while this node leads: ``created <process instance key> <monotonic ns>`` for every
  process instance creation the partition acknowledged (it was in the stream first), keeping up to
  50 creations in flight; commands refused as unavailable are retried after a pause.

Runs until killed (or SIGTERM: closes cleanly, releasing the lease).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from strom.broker import PartitionSettings
from strom.broker.cluster_member import PartitionMember
from strom.broker.endpoint import Refusal
from strom.log.lease import LeaseManager
from strom.protocol.enums import RecordType
from strom.protocol.intents import DeploymentIntent, ProcessInstanceCreationIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing import bpmn

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(f"{line} {time.monotonic_ns()}\n")
        sys.stdout.flush()


def deploy_command() -> Any:
    xml = bpmn.process("failover").start_event().service_task("task", job_type="work").end_event().to_xml()
    return RECORD_CLASS_FOR_VALUE[DeploymentRecordValue](
        record_type=RecordType.COMMAND,
        intent=DeploymentIntent.CREATE,
        value=DeploymentRecordValue(
            resources=[DeploymentResource(resource_name="failover.bpmn", resource=xml.encode())]
        ),
    )


def create_command() -> Any:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id="failover"),
    )


def ask(member: PartitionMember, command: Any, timeout_s: float = 30.0) -> Any:
    """The member's answer to ``command`` (a record or a ``Refusal``), None without one in time."""
    answers: list[Any] = []
    done = threading.Event()

    def answered(answer: Any) -> None:
        answers.append(answer)
        done.set()

    member.request(command, answered)
    done.wait(timeout_s)
    return answers[0] if answers else None


def load(member: PartitionMember, stop: threading.Event) -> None:
    """Deploy once, then keep up to 50 creations in flight while this node leads."""
    window = threading.BoundedSemaphore(50)
    deployed = threading.Event()
    while not stop.is_set() and not deployed.is_set():
        if member.role != "leader":
            time.sleep(0.01)
            continue
        answer = ask(member, deploy_command())
        if answer is not None and not isinstance(answer, Refusal):
            deployed.set()
        else:
            time.sleep(0.05)
    while not stop.is_set():
        window.acquire()
        if member.role != "leader":
            window.release()
            time.sleep(0.005)
            continue

        def answered(answer: Any) -> None:
            window.release()
            if isinstance(answer, Refusal):
                return
            if answer.record_type is RecordType.EVENT:
                say(f"created {answer.value.process_instance_key}")

        member.request(create_command(), answered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("nats")
    parser.add_argument("data_dir")
    parser.add_argument("node_id")
    parser.add_argument("--ttl", type=float, default=2.0)
    parser.add_argument("--renew", type=float, default=0.4)
    parser.add_argument("--skew", type=float, default=0.2)
    parser.add_argument("--load", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    leases = LeaseManager(
        args.nats, args.node_id, ttl_s=args.ttl, renew_every_s=args.renew, max_clock_skew_s=args.skew
    )
    settings = PartitionSettings(
        data_dir=Path(args.data_dir), log_servers=(args.nats,), snapshot_period_s=float("inf")
    )
    member = PartitionMember(settings, leases, poll_s=0.05).open()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.load:
        threading.Thread(target=load, args=(member, stop), daemon=True).start()
    role = ""
    while not stop.is_set():
        if member.role != role:
            role = member.role
            say(f"role {role}")
        time.sleep(0.005)
    member.close()
    leases.close()


if __name__ == "__main__":
    main()
