"""JOB TIME_OUT (from the deadline checker): the worker's lease ran out; others may take the job."""

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


class JobTimeOutProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._activation = behaviors.job_activation

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "time out", writers, (JobStatus.ACTIVATED,))
        if job is None:
            return
        if job.deadline > writers.timestamp:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to time out activated job with key '{command.key}', but it has not "
                f"timed out: its deadline is {job.deadline}",
            )
            return
        timed_out = msgspec.structs.replace(job, variables={})
        writers.append_event(command.key, JobIntent.TIMED_OUT, timed_out)
        self._activation.publish(
            writers, command.key, msgspec.structs.replace(timed_out, worker="", deadline=-1)
        )
