"""Appliers for the VARIABLE_DOCUMENT events of an update its user task's listeners hold:
UPDATING keeps the document with the task until they are done (UPDATED and UPDATE_DENIED
change nothing more: the task's UPDATED / UPDATE_DENIED ended the transition and dropped it)."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.user_task import PendingVariables
from strom.protocol.enums import ValueType
from strom.protocol.intents import VariableDocumentIntent
from strom.protocol.record import Record


class VariableDocumentUpdatingV1:
    """Variables set on a user task's scope wait for its updating listeners: the document is
    kept with the task, to be written (or dropped) when they are done."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.value.scope_key)
        if instance is not None and instance.user_task_key > 0:
            self._tasks.put_pending_variables(
                instance.user_task_key, PendingVariables(record.key, record.value)
            )


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    document = ValueType.VARIABLE_DOCUMENT
    appliers.register(document, VariableDocumentIntent.UPDATING, VariableDocumentUpdatingV1(state))
    appliers.register(
        document,
        VariableDocumentIntent.UPDATE_DENIED,
        NoStateChange("the task's UPDATE_DENIED, written just before, dropped the pending document"),
    )
