"""JOB RECUR_AFTER_BACKOFF (from the back-off checker): a failed job's back-off is over."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.job import JobStatus
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record


class JobRecurAfterBackoffProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._activation = behaviors.job_activation

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "recur", writers, (JobStatus.FAILED,))
        if job is None:
            return
        if job.retries <= 0 or job.recurring_time <= 0 or job.recurring_time > writers.timestamp:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to recur failed job with key '{command.key}' after its back-off, but "
                "it is not waiting for a back-off that is over",
            )
            return
        recurred = msgspec.structs.replace(job, recurring_time=-1, variables={})
        writers.append_event(command.key, JobIntent.RECURRED_AFTER_BACKOFF, recurred)
        self._activation.publish(writers, command.key, recurred)
