"""JOB YIELD: a stream gives back a pushed job it could not deliver; it is activatable again."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.job import JobStatus
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record


class JobYieldProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._activation = behaviors.job_activation

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "yield", writers, (JobStatus.ACTIVATED,))
        if job is None:
            return
        yielded = msgspec.structs.replace(job, worker="", deadline=-1, variables={})
        writers.respond(writers.append_event(command.key, JobIntent.YIELDED, yielded))
        self._activation.publish(writers, command.key, yielded)
