"""The clients of a fault campaign and what the log says about what they were told.

Shared by ``chaos.py`` (one broker SIGKILLed), ``cluster_failover.py`` (cluster brokers and NATS
servers SIGKILLed) and ``cluster_one_task.py``: ``Load`` creates one-task instances and completes
their jobs over Zeebe's gRPC API with raw grpcio stubs, ``PyzeebeLoad`` does the same with pyzeebe's
``ZeebeClient`` and ``ZeebeWorker`` (what a Python team runs), both recording what was acknowledged;
``outcome`` reads the log(s) back: lost, doubled, unfinished.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
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


class _Clients:
    """What both loads take and count: the gateways' addresses, the model and job type, and the
    instance keys whose creation and the job keys whose completion were answered.

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

    def finished(self, created: set[int]) -> bool:
        """Whether a finishing load is done: as many completions as ``created`` instances, and no
        job for longer than a job's timeout and 2 s more. Jobs that a stopped load's workers had
        activated come back only once their timeout passed; waiting less ended the run with those
        instances unfinished."""
        idle_s = self.job_timeout_ms / 1000 + 2.0
        with self.lock:
            return len(self.completed) >= len(created) and time.monotonic() - self.last_job > idle_s


class Load(_Clients):
    """A creator and a completer per address (an address may come twice) until ``stop``, raw
    grpcio stubs on threads."""

    def __init__(self, addresses: list[str], process_id: str, job_type: str, **counting: Any) -> None:
        super().__init__(addresses, process_id, job_type, **counting)
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


class PyzeebeLoad(_Clients):
    """Per address a pyzeebe ``ZeebeClient`` creating instances one after another and a
    ``ZeebeWorker`` completing the jobs, all on one asyncio loop in a thread of its own, until
    ``stop``; records the instance keys whose creation and the job keys whose completion were
    answered (the same interface as ``Load``).

    The worker completes a job itself once the task function returned; its ``CompleteJob`` answer
    is observed by wrapping the worker's adapter's ``complete_job``, so a completion counts exactly
    when the gateway acknowledged it. pyzeebe's own logging (a warning per failed poll while a
    broker is down, and a traceback per unanswered completion) is kept to errors.
    """

    def __init__(self, addresses: list[str], process_id: str, job_type: str, **counting: Any) -> None:
        super().__init__(addresses, process_id, job_type, **counting)
        self._thread: threading.Thread | None = None

    def start(self, creating: bool = True) -> PyzeebeLoad:
        """Start the clients (only the workers with ``creating=False``)."""
        logging.getLogger("pyzeebe").setLevel(logging.CRITICAL)
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(creating),), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(60)

    async def _run(self, creating: bool) -> None:
        from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel

        channels = [create_insecure_channel(grpc_address=address) for address in self.addresses]
        workers = []
        for channel in channels:
            worker = ZeebeWorker(channel, name="campaign", request_timeout=1_000, max_connection_retries=-1)
            register = worker.task(self.job_type, timeout_ms=self.job_timeout_ms, max_jobs_to_activate=20)
            register(self._work)  # type: ignore[arg-type]  # pyzeebe's stubs want a generic function
            worker.zeebe_adapter.complete_job = self._counted(worker.zeebe_adapter.complete_job)  # type: ignore[method-assign]
            workers.append(worker)
        tasks = [asyncio.create_task(worker.work()) for worker in workers]
        if creating:
            tasks += [
                asyncio.create_task(self._create(ZeebeClient(c, max_connection_retries=-1))) for c in channels
            ]
        while not self.stopping.is_set():
            await asyncio.sleep(0.1)
        for worker in workers:
            with contextlib.suppress(TimeoutError):  # a completion that hangs is not acknowledged
                await asyncio.wait_for(worker.stop(), 10)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for channel in channels:
            await channel.close()

    async def _work(self) -> None:
        self.last_job = time.monotonic()

    def _counted(self, complete_job: Any) -> Any:
        async def complete_and_count(job_key: int, variables: dict[str, Any]) -> Any:
            answer = await complete_job(job_key=job_key, variables=variables)
            with self.lock:
                self.completed.add(job_key)
            return answer

        return complete_and_count

    async def _create(self, client: Any) -> None:
        variables = json.loads(self.variables) if self.variables else {}
        while not self.stopping.is_set():
            try:
                answer = await asyncio.wait_for(client.run_process(self.process_id, variables), 5)
            except Exception:  # unanswered: the broker was killed, no leader yet, back-pressure
                await asyncio.sleep(0.05)
                continue
            with self.lock:
                self.created.add(answer.process_instance_key)


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
