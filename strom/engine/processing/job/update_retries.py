"""JOB UPDATE_RETRIES: set a job's retries (a failed job is retried once its incident is resolved)."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.job import JobStatus
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record

_ANY_STATE = tuple(JobStatus)


class JobUpdateRetriesProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._preconditions = JobPreconditions(state.jobs)

    def process(self, command: Record[Any], writers: Writers) -> None:
        retries = command.value.retries
        if retries < 1:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to update retries for job with key '{command.key}' with a positive "
                f"amount of retries, but the amount given was '{retries}'",
            )
            return
        job = self._preconditions.check(command, "update retries of", writers, _ANY_STATE)
        if job is None:
            return
        updated = msgspec.structs.replace(job, retries=retries)
        writers.respond(writers.append_event(command.key, JobIntent.RETRIES_UPDATED, updated))
