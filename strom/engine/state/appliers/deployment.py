"""Appliers for DEPLOYMENT and PROCESS events."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import DeploymentIntent, ProcessIntent
from strom.protocol.record import Record


class ProcessCreatedV1:
    """Stores the definition and makes it the latest version of its id if it is newer."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        self._processes.put(record.value)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATED,
        NoStateChange("the deployed resources are stored by their own PROCESS, DECISION and FORM events"),
    )
    appliers.register(ValueType.PROCESS, ProcessIntent.CREATED, ProcessCreatedV1(state))
