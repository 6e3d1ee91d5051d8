"""Appliers for INCIDENT events."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.job import JobStatus
from strom.protocol.enums import ValueType
from strom.protocol.intents import IncidentIntent
from strom.protocol.record import Record

_replace = msgspec.structs.replace


class IncidentCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._incidents = state.incidents

    def __call__(self, record: Record[Any]) -> None:
        self._incidents.create(record.key, record.value)


class IncidentResolvedV1:
    """Removes the incident; a job it blocked (failed or with an uncaught error) becomes activatable."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._incidents = state.incidents
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        incident = self._incidents.get(record.key)
        self._incidents.remove(record.key)
        if incident is None or incident.job_key <= 0:
            return
        job = self._jobs.get(incident.job_key)
        if job is not None and self._jobs.status(incident.job_key) in (
            JobStatus.FAILED,
            JobStatus.ERROR_THROWN,
        ):
            self._jobs.make_activatable(incident.job_key, _replace(job, recurring_time=-1))


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(ValueType.INCIDENT, IncidentIntent.CREATED, IncidentCreatedV1(state))
    appliers.register(ValueType.INCIDENT, IncidentIntent.RESOLVED, IncidentResolvedV1(state))
