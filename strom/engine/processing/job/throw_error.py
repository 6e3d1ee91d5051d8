"""JOB THROW_ERROR: a worker reports a business error; a catching error event takes over, else
an UNHANDLED_ERROR_EVENT incident stops the element until it is resolved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.job import JobRecordValue

ErrorCatcher = Callable[[Writers, JobRecordValue, str, str, dict[str, Any]], bool]
"""Finds and triggers an error catch event for a job's element; False if nothing catches it."""


class JobThrowErrorProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._incidents = behaviors.incidents
        self.catcher: ErrorCatcher | None = None  # error events install one

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "throw an error for", writers)
        if job is None:
            return
        request = command.value
        thrown = msgspec.structs.replace(
            job,
            error_code=request.error_code,
            error_message=request.error_message,
            variables=request.variables,
        )
        writers.respond(writers.append_event(command.key, JobIntent.ERROR_THROWN, thrown))
        catcher = self.catcher
        if catcher is not None and catcher(
            writers, thrown, request.error_code, request.error_message, request.variables
        ):
            return
        self._incidents.raise_for_job(
            writers,
            command.key,
            thrown,
            ErrorType.UNHANDLED_ERROR_EVENT,
            f"Expected to throw an error event with the code '{request.error_code}' with message "
            f"'{request.error_message}', but it was not caught. No error events are available in the scope.",
        )
