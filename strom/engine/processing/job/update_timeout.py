"""JOB UPDATE_TIMEOUT: extend or shorten an activated job's lease, counted from now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.job import JobStatus
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record


class JobUpdateTimeoutProcessor:
    def __init__(self, state: ProcessingState, on_deadline: Callable[[int], None]) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._on_deadline = on_deadline

    def process(self, command: Record[Any], writers: Writers) -> None:
        timeout = command.value.timeout
        if timeout < 1:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to update the timeout of job with key '{command.key}' with a "
                f"positive timeout, but the timeout given was '{timeout}'",
            )
            return
        job = self._preconditions.check(command, "update the timeout of", writers, (JobStatus.ACTIVATED,))
        if job is None:
            return
        deadline = writers.timestamp + timeout
        updated = msgspec.structs.replace(job, deadline=deadline, timeout=timeout)
        writers.respond(writers.append_event(command.key, JobIntent.TIMEOUT_UPDATED, updated))
        on_deadline = self._on_deadline
        writers.side_effect(lambda: on_deadline(deadline))
