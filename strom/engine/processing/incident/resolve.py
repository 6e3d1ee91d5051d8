"""INCIDENT RESOLVE: the user fixed the cause; continue where the process stopped.

A job incident makes the job activatable again (its retries must have been raised first). An
element incident repeats the step that failed, derived from the element's state: activation for
an element still ACTIVATING, completion for one COMPLETING.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.job import JobStatus
from strom.protocol.enums import RejectionType
from strom.protocol.intents import IncidentIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.record import Record


class IncidentResolveProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._incidents = state.incidents
        self._instances = state.element_instances
        self._jobs = state.jobs
        self._activation = behaviors.job_activation

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        incident = self._incidents.get(key)
        if incident is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to resolve incident with key '{key}', but no such incident was found",
            )
            return
        job_key = incident.job_key
        if job_key > 0:
            job = self._jobs.get(job_key)
            if job is not None and self._jobs.status(job_key) is JobStatus.FAILED and job.retries <= 0:
                writers.reject(
                    command,
                    RejectionType.INVALID_STATE,
                    f"Expected to resolve incident with key '{key}', but job with key '{job_key}' "
                    "has no retries left; update its retries first",
                )
                return
        writers.respond(writers.append_event(key, IncidentIntent.RESOLVED, incident))
        if job_key > 0:
            job = self._jobs.get(job_key)
            if job is not None and self._jobs.status(job_key) is JobStatus.ACTIVATABLE:
                self._activation.publish(writers, job_key, job)
            return
        instance = self._instances.get(incident.element_instance_key)
        if instance is None:
            return
        if instance.state == PI.ELEMENT_ACTIVATING:
            writers.append_command(instance.key, PI.ACTIVATE_ELEMENT, instance.value)
        elif instance.state == PI.ELEMENT_COMPLETING:
            writers.append_command(instance.key, PI.COMPLETE_ELEMENT, instance.value)
