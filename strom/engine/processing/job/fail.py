"""JOB FAIL: retry now, retry after a back-off, or raise an incident when no retries are left."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType, JobKind

MAX_ERROR_MESSAGE_SIZE = 500
_DEFAULT_INCIDENT_MESSAGE = "No more retries left."
_NO_RETRIES_ERROR = {
    JobKind.BPMN_ELEMENT: ErrorType.JOB_NO_RETRIES,
    JobKind.EXECUTION_LISTENER: ErrorType.EXECUTION_LISTENER_NO_RETRIES,
    JobKind.TASK_LISTENER: ErrorType.TASK_LISTENER_NO_RETRIES,
}


class JobFailProcessor:
    def __init__(
        self, state: ProcessingState, behaviors: Behaviors, on_backoff: Callable[[int], None]
    ) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._variables = behaviors.variables
        self._activation = behaviors.job_activation
        self._incidents = behaviors.incidents
        self._on_backoff = on_backoff

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "fail", writers)
        if job is None:
            return
        request = command.value
        retries = request.retries
        backoff = request.retry_backoff
        recurring = writers.timestamp + backoff if retries > 0 and backoff > 0 else -1
        failed = msgspec.structs.replace(
            job,
            retries=retries,
            error_message=request.error_message[:MAX_ERROR_MESSAGE_SIZE],
            retry_backoff=backoff,
            recurring_time=recurring,
            variables=request.variables,
            worker="",
            deadline=-1,
        )
        writers.respond(writers.append_event(command.key, JobIntent.FAILED, failed))
        if request.variables:
            self._variables.merge_local(
                writers,
                job.element_instance_key,
                request.variables,
                VariableOwner(
                    job.process_instance_key, job.process_definition_key, job.bpmn_process_id, job.tenant_id
                ),
            )
        if retries > 0 and backoff <= 0:
            self._activation.publish(writers, command.key, failed)
        elif retries > 0:
            on_backoff = self._on_backoff
            writers.side_effect(lambda: on_backoff(recurring))
        else:
            self._incidents.raise_for_job(
                writers,
                command.key,
                failed,
                _NO_RETRIES_ERROR.get(job.job_kind, ErrorType.JOB_NO_RETRIES),
                failed.error_message or _DEFAULT_INCIDENT_MESSAGE,
            )
