"""Jobs: the stored record, its lifecycle state, and the indexes the engine scans.

Indexes are kept by appliers so that no processor or checker ever scans all jobs: activatable jobs
by (type, key), activated jobs by (deadline, key), failed jobs waiting out a back-off by
(recurring time, key).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum
from typing import Any, Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.job import JobRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(JobRecordValue).decode


class JobStatus(IntEnum):
    """Zeebe's ``JobState.State`` names, used in rejection reasons."""

    ACTIVATABLE = 0
    ACTIVATED = 1
    FAILED = 2
    NOT_FOUND = 3
    ERROR_THROWN = 4


class JobState(Protocol):
    def get(self, key: int) -> JobRecordValue | None: ...
    def status(self, key: int) -> JobStatus: ...
    def activatable(self, job_type: str) -> Iterator[int]: ...
    def deadlines_before(self, millis: int) -> Iterator[tuple[int, int]]: ...
    def backoffs_before(self, millis: int) -> Iterator[tuple[int, int]]: ...
    def next_deadline(self) -> int | None: ...
    def next_backoff(self) -> int | None: ...


class MutableJobState(JobState, Protocol):
    def create(self, key: int, job: JobRecordValue) -> None: ...
    def activate(self, key: int, job: JobRecordValue) -> None: ...
    def make_activatable(self, key: int, job: JobRecordValue) -> None: ...
    def fail(self, key: int, job: JobRecordValue) -> None: ...
    def throw_error(self, key: int, job: JobRecordValue) -> None: ...
    def update(self, key: int, job: JobRecordValue) -> None: ...
    def remove(self, key: int) -> None: ...


_STATUS = {status: bytes((status,)) for status in JobStatus}


class DbJobState:
    def __init__(self, db: Database) -> None:
        self._jobs = db.column_family(cf.JOBS)
        db.register_encoder(cf.JOBS, _encode)
        self._states = db.column_family(cf.JOB_STATES)
        self._activatable = db.column_family(cf.JOBS_ACTIVATABLE)
        self._deadlines = db.column_family(cf.JOB_DEADLINES)
        self._backoffs = db.column_family(cf.JOB_BACKOFFS)

    def get(self, key: int) -> JobRecordValue | None:
        stored: Any = self._jobs.get(pack_long(key))
        if stored is None or stored.__class__ is JobRecordValue:
            return stored
        return _decode(stored)

    def status(self, key: int) -> JobStatus:
        raw = self._states.get(pack_long(key))
        return JobStatus.NOT_FOUND if raw is None else JobStatus(raw[0])

    def activatable(self, job_type: str) -> Iterator[int]:
        """Keys of activatable jobs of ``job_type``, oldest first; lazy."""
        for key, _ in self._activatable.iterate(prefix(job_type)):
            yield int(unpack(key, (str, int))[1])

    def deadlines_before(self, millis: int) -> Iterator[tuple[int, int]]:
        for key, _ in self._deadlines.iterate():
            deadline, job_key = unpack(key, (int, int))
            if int(deadline) > millis:
                return
            yield int(deadline), int(job_key)

    def backoffs_before(self, millis: int) -> Iterator[tuple[int, int]]:
        for key, _ in self._backoffs.iterate():
            due, job_key = unpack(key, (int, int))
            if int(due) > millis:
                return
            yield int(due), int(job_key)

    def next_deadline(self) -> int | None:
        for key, _ in self._deadlines.iterate():
            return int(unpack(key, (int, int))[0])
        return None

    def next_backoff(self) -> int | None:
        for key, _ in self._backoffs.iterate():
            return int(unpack(key, (int, int))[0])
        return None

    # -- mutations (appliers only) ---------------------------------------------------------------

    def _store(self, key: int, job: JobRecordValue, status: JobStatus) -> None:
        packed = pack_long(key)
        self._jobs.put(packed, job)  # encoded at commit
        self._states.put(packed, _STATUS[status])

    def _clear_indexes(self, key: int, previous: JobRecordValue | None) -> None:
        if previous is None:
            return
        self._activatable.delete(pack(previous.type, key))
        if previous.deadline > 0:
            self._deadlines.delete(pack(previous.deadline, key))
        if previous.recurring_time > 0:
            self._backoffs.delete(pack(previous.recurring_time, key))

    def create(self, key: int, job: JobRecordValue) -> None:
        self._store(key, job, JobStatus.ACTIVATABLE)
        self._activatable.put(pack(job.type, key), b"")

    def activate(self, key: int, job: JobRecordValue) -> None:
        self._clear_indexes(key, self.get(key))
        self._store(key, job, JobStatus.ACTIVATED)
        if job.deadline > 0:
            self._deadlines.put(pack(job.deadline, key), b"")

    def make_activatable(self, key: int, job: JobRecordValue) -> None:
        self._clear_indexes(key, self.get(key))
        self._store(key, job, JobStatus.ACTIVATABLE)
        self._activatable.put(pack(job.type, key), b"")

    def fail(self, key: int, job: JobRecordValue) -> None:
        """A failed job with retries left and a back-off waits; without retries it waits for an
        incident to be resolved; with retries and no back-off it is activatable again."""
        self._clear_indexes(key, self.get(key))
        if job.retries > 0 and job.recurring_time > 0:
            self._store(key, job, JobStatus.FAILED)
            self._backoffs.put(pack(job.recurring_time, key), b"")
        elif job.retries > 0:
            self._store(key, job, JobStatus.ACTIVATABLE)
            self._activatable.put(pack(job.type, key), b"")
        else:
            self._store(key, job, JobStatus.FAILED)

    def throw_error(self, key: int, job: JobRecordValue) -> None:
        self._clear_indexes(key, self.get(key))
        self._store(key, job, JobStatus.ERROR_THROWN)

    def update(self, key: int, job: JobRecordValue) -> None:
        """Replace the stored job keeping its status; re-index a changed deadline."""
        previous = self.get(key)
        status = self.status(key)
        if previous is not None and previous.deadline != job.deadline:
            if previous.deadline > 0:
                self._deadlines.delete(pack(previous.deadline, key))
            if job.deadline > 0 and status is JobStatus.ACTIVATED:
                self._deadlines.put(pack(job.deadline, key), b"")
        self._store(key, job, status)

    def remove(self, key: int) -> None:
        self._clear_indexes(key, self.get(key))
        packed = pack_long(key)
        self._jobs.delete(packed)
        self._states.delete(packed)
