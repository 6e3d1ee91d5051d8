"""Checks shared by the job processors: the job exists and is in a state the command applies to.

Reasons follow Zeebe's wording, which clients and tools may compare:
"Expected to <verb> job with key '<k>', but no such job was found" and
"Expected to <verb> job with key '<k>', but it is in state '<STATE>'".
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state.job import JobState, JobStatus
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.job import JobRecordValue

ACTIVE_STATES = (JobStatus.ACTIVATABLE, JobStatus.ACTIVATED)


class JobPreconditions:
    def __init__(self, jobs: JobState) -> None:
        self._jobs = jobs

    def check(
        self, command: Record[Any], verb: str, writers: Writers, valid: tuple[JobStatus, ...] = ACTIVE_STATES
    ) -> JobRecordValue | None:
        """The stored job if ``command`` may apply to it; otherwise reject and return None."""
        key = command.key
        status = self._jobs.status(key)
        job = self._jobs.get(key) if status is not JobStatus.NOT_FOUND else None
        if job is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to {verb} job with key '{key}', but no such job was found",
            )
            return None
        if status not in valid:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to {verb} job with key '{key}', but it is in state '{status.name}'",
            )
            return None
        return job
