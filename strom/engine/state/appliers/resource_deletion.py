"""Appliers for the PROCESS events of a resource deletion.

PROCESS DELETING changes nothing here: Strom deletes a definition only when no instance runs, so
DELETED follows in the same step (Zeebe marks the definition pending deletion in between).
RESOURCE_DELETION events change no state either; both are registered as ``NoStateChange``.
Version 2 of RESOURCE_DELETION DELETED remembers a deletion distributed from another partition, so
that a repeated delivery is only acknowledged.
"""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import ProcessIntent, ResourceDeletionIntent
from strom.protocol.record import Record


class ProcessDeletedV1:
    """Removes the definition; if it was the latest version, the one before becomes latest."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        self._processes.delete(record.value)


class ResourceDeletionDeletedV2:
    """A deletion whose key another partition made was distributed here: remember the key, so
    that a repeated delivery is only acknowledged."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._distributions.mark_if_received(record.key, record.partition_id)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(
        ValueType.PROCESS,
        ProcessIntent.DELETING,
        NoStateChange("no instance runs, so DELETED follows in the same step"),
    )
    appliers.register(ValueType.PROCESS, ProcessIntent.DELETED, ProcessDeletedV1(state))
    for intent in (ResourceDeletionIntent.DELETING, ResourceDeletionIntent.DELETED):
        appliers.register(
            ValueType.RESOURCE_DELETION,
            intent,
            NoStateChange("the deleted resource's own events (PROCESS DELETED) change state"),
        )
    appliers.register(
        ValueType.RESOURCE_DELETION,
        ResourceDeletionIntent.DELETED,
        ResourceDeletionDeletedV2(state),
        version=2,
    )
