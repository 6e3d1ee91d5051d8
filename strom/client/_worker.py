"""In-process job workers: jobs are pushed to them as they become activatable (job streaming).

A worker registers a stream for its job type with the partition; the engine activates each new
job for it and pushes it after the batch is durable. The handler gets an ``ActivatedJob`` and
returns the variables to complete it with (or None); an exception fails the job with one retry
less. ``inline=True`` runs the handler right where the job is pushed (the partition's thread), the
fastest choice for tiny handlers and the only one for a partition driven synchronously in tests;
otherwise the worker runs handlers on its own thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from strom.broker import JobStreamRegistry, Partition
from strom.client._client import ActivatedJob, Client
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue

_log = logging.getLogger(__name__)
Handler = Callable[[ActivatedJob], Mapping[str, Any] | None]
_JobRecord = RECORD_CLASS_FOR_VALUE[JobRecordValue]


class JobWorker:
    def __init__(
        self,
        partition: Partition,
        job_type: str,
        handler: Handler,
        *,
        name: str = "strom-worker",
        timeout_ms: int = 300_000,
        fetch_variables: Iterable[str] = (),
        inline: bool = False,
        caller: Mapping[str, Any] | None = None,
    ) -> None:
        """``caller``: who completes the jobs (``Record.authorizations``, as an authenticating
        gateway fills it); the engine checks its permissions."""
        registry = partition.job_streams
        if not isinstance(registry, JobStreamRegistry):
            raise TypeError(
                "the partition was opened with custom job streams; workers need a JobStreamRegistry"
            )
        self._partition = partition
        self._registry = registry
        self._client = Client(partition)
        self._caller = dict(caller or {})
        self._client.caller = self._caller
        self.job_type = job_type
        self._handler = handler
        self._name = name
        self._timeout = timeout_ms
        self._fetch = list(fetch_variables)
        self._inline = inline
        self._queue: queue.SimpleQueue[tuple[int, JobRecordValue] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.completed = 0
        self.failed = 0
        self.rejected = 0

    # -- JobStream -------------------------------------------------------------------------------

    @property
    def worker(self) -> str:
        return self._name

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def fetch_variables(self) -> list[str]:
        return self._fetch

    @property
    def authorizations(self) -> dict[str, Any]:
        return self._caller

    @property
    def tenant_ids(self) -> list[str]:
        return []  # an in-process worker takes the jobs of every tenant

    def push(self, job_key: int, job: JobRecordValue) -> None:
        if self._inline:
            self._handle(job_key, job)
        else:
            self._queue.put((job_key, job))

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> JobWorker:
        """Attach to the partition; jobs already waiting are activated once, new ones pushed."""
        if not self._inline:
            self._thread = threading.Thread(target=self._loop, name=f"worker-{self.job_type}", daemon=True)
            self._thread.start()
        self._registry.add(self.job_type, self)
        for job in self._client.activate_jobs(self.job_type, self._name, self._timeout, 1000, self._fetch):
            self.push(job.key, job.record)
        return self

    def stop(self) -> None:
        self._registry.remove(self.job_type, self)
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> JobWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- work ------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            self._handle(*item)

    def _handle(self, job_key: int, job: JobRecordValue) -> None:
        try:
            variables = self._handler(ActivatedJob(job_key, job))
        except Exception as error:  # the handler's failure fails the job, as a Zeebe worker does
            _log.warning("handler for job %d (%s) failed: %s", job_key, job.type, error)
            self._send(
                job_key,
                JobIntent.FAIL,
                JobRecordValue(retries=max(0, job.retries - 1), error_message=str(error)[:500]),
            )
            self.failed += 1
            return
        self._send(job_key, JobIntent.COMPLETE, JobRecordValue(variables=dict(variables or {})))
        self.completed += 1

    def _send(self, job_key: int, intent: int, value: JobRecordValue) -> None:
        command = _JobRecord(
            key=job_key,
            record_type=RecordType.COMMAND,
            intent=intent,
            value=value,
            authorizations=self._caller,
        )
        self._partition.submit(command, self._on_answer)

    def _on_answer(self, record: Record[Any]) -> None:
        if record.is_rejection:
            self.rejected += 1
            _log.warning("job command rejected: %s", record.rejection_reason)
