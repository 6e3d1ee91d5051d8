"""JOB THROW_ERROR: a worker reports a business error.

The nearest error catch event from the job's element upward (boundary event, error event
subprocess, across call activities) takes it, with the worker's variables and the error's
``errorCode`` and ``errorMessage``; the caught job ends.
Without one, the job keeps its element (JOB ERROR_THROWN names ``NO_CATCH_EVENT_FOUND`` as its
element, as in Zeebe) and an UNHANDLED_ERROR_EVENT incident stops it until resolved.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.event_publication import error_variables
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.appliers.job import NO_CATCH_EVENT_FOUND
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType, JobKind

_THROWING_KINDS = frozenset({JobKind.BPMN_ELEMENT, JobKind.AD_HOC_SUB_PROCESS})


class JobThrowErrorProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = JobPreconditions(state.jobs)
        self._instances = state.element_instances
        self._incidents = behaviors.incidents
        self._publication = behaviors.event_publication

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "throw an error for", writers)
        if job is None:
            return
        if job.job_kind not in _THROWING_KINDS:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Cannot throw BPMN error from {job.job_kind} job with key '{command.key}', type "
                f"'{job.type}' and processInstanceKey '{job.process_instance_key}'",
            )
            return
        request = command.value
        thrown = msgspec.structs.replace(
            job,
            error_code=request.error_code,
            error_message=request.error_message,
            variables=request.variables,
        )
        instance = self._instances.get(job.element_instance_key)
        catch = self._publication.find_error_catch(request.error_code, instance, request.error_message)
        if isinstance(catch, Failure):
            not_caught = msgspec.structs.replace(thrown, element_id=NO_CATCH_EVENT_FOUND)
            writers.respond(writers.append_event(command.key, JobIntent.ERROR_THROWN, not_caught))
            self._incidents.raise_for_job(
                writers, command.key, thrown, ErrorType.UNHANDLED_ERROR_EVENT, catch.message
            )
            return
        if instance is None or not instance.is_active:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to find active element instance, but was {instance}",
            )
            return
        if not self._publication.can_throw_to(catch):
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to find event scope that is accepting events, but was {catch.scope}",
            )
            return
        writers.respond(writers.append_event(command.key, JobIntent.ERROR_THROWN, thrown))
        self._publication.throw_error(
            writers, catch, error_variables(request.error_code, request.error_message, request.variables)
        )
