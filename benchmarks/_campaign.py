"""The clients of a fault campaign and what the log says about what they were told.

Shared by ``chaos.py`` (one broker SIGKILLed), ``cluster_campaign.py`` (cluster brokers and NATS
servers SIGKILLed) and ``cluster_one_task.py``: ``Load`` creates one-task instances and completes
their jobs over Zeebe's gRPC API, recording what was acknowledged; ``outcome`` reads the log(s)
back: lost, doubled, unfinished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import grpc

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import JobIntent, ProcessInstanceCreationIntent, ProcessInstanceIntent


class Load:
    """A creator and a completer per address (an address may come twice) until ``stop``; records
    the instance keys whose creation and the job keys whose completion were answered.

    Pass ``created`` / ``completed`` (with their ``lock``) to keep counting across several loads.
    """

    def __init__(
        self,
        addresses: list[str],
        process_id: str,
        job_type: str,
        *,
        variables: str = "",
        job_timeout_ms: int = 3_000,
        created: set[int] | None = None,
        completed: set[int] | None = None,
        lock: threading.Lock | None = None,
    ) -> None:
        self.addresses = addresses
        self.process_id = process_id
        self.job_type = job_type
        self.variables = variables
        self.job_timeout_ms = job_timeout_ms
        self.created: set[int] = set() if created is None else created
        self.completed: set[int] = set() if completed is None else completed
        self.lock = lock or threading.Lock()
        self.stopping = threading.Event()
        self.last_job = time.monotonic()
        self.threads = [threading.Thread(target=self._create, args=(a,), daemon=True) for a in addresses]
        self.threads += [threading.Thread(target=self._complete, args=(a,), daemon=True) for a in addresses]

    def start(self, creating: bool = True) -> Load:
        """Start the clients (only the completers with ``creating=False``)."""
        for thread in self.threads if creating else self.threads[len(self.addresses) :]:
            thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join(30)

    def _create(self, address: str) -> None:
        with grpc.insecure_channel(address) as channel:
            stub = GatewayStub(channel)
            request = pb.CreateProcessInstanceRequest(bpmnProcessId=self.process_id, variables=self.variables)
            while not self.stopping.is_set():
                try:
                    key = stub.CreateProcessInstance(request, timeout=5).processInstanceKey
                except grpc.RpcError:
                    time.sleep(0.05)
                    continue
                with self.lock:
                    self.created.add(key)

    def _complete(self, address: str) -> None:
        with grpc.insecure_channel(address) as channel:
            stub = GatewayStub(channel)
            activate = pb.ActivateJobsRequest(
                type=self.job_type,
                worker="campaign",
                timeout=self.job_timeout_ms,
                maxJobsToActivate=20,
                requestTimeout=200,
            )
            while not self.stopping.is_set():
                try:
                    jobs = [job for answer in stub.ActivateJobs(activate, timeout=5) for job in answer.jobs]
                except grpc.RpcError:
                    time.sleep(0.05)
                    continue
                if jobs:
                    self.last_job = time.monotonic()
                for job in jobs:
                    try:
                        stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key), timeout=5)
                    except grpc.RpcError:
                        continue  # not acknowledged (killed, or completed already after a timeout)
                    with self.lock:
                        self.completed.add(job.key)


@dataclass(frozen=True)
class Outcome:
    created_on_log: int
    """Distinct instances the log says were created."""
    lost: int
    """Acknowledged creations and completions that are not on the log."""
    doubled: int
    """Creations and completions on the log more than once."""
    unfinished: int
    """Instances created on the log that never completed."""


def outcome(records: Iterable[Any], created: set[int], completed: set[int]) -> Outcome:
    """Compare the acknowledged ``created`` instance keys and ``completed`` job keys with ``records``."""
    events = [r for r in records if r.record_type is RecordType.EVENT]
    created_on_log = [
        r.value.process_instance_key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE_CREATION
        and r.intent == ProcessInstanceCreationIntent.CREATED
    ]
    completed_on_log = [
        r.key for r in events if r.value_type is ValueType.JOB and r.intent == JobIntent.COMPLETED
    ]
    finished = {
        r.key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE
        and r.intent == ProcessInstanceIntent.ELEMENT_COMPLETED
        and r.value.bpmn_element_type is BpmnElementType.PROCESS
    }
    doubled = (len(created_on_log) - len(set(created_on_log))) + (
        len(completed_on_log) - len(set(completed_on_log))
    )
    lost = len(created - set(created_on_log)) + len(completed - set(completed_on_log))
    return Outcome(len(set(created_on_log)), lost, doubled, len(set(created_on_log) - finished))
