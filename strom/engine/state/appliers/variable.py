"""Appliers for VARIABLE events."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import VariableDocumentIntent, VariableIntent
from strom.protocol.record import Record


class VariableCreatedV1:
    """Creates the variable in its scope; the JSON text is stored as written."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._variables = state.variables

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._variables.set(record.key, value.scope_key, value.name, value.value.encode())


class VariableUpdatedV1:
    """Updates the variable in its scope; the JSON text is stored as written."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._variables = state.variables

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._variables.set(record.key, value.scope_key, value.name, value.value.encode())


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(ValueType.VARIABLE, VariableIntent.CREATED, VariableCreatedV1(state))
    appliers.register(ValueType.VARIABLE, VariableIntent.UPDATED, VariableUpdatedV1(state))
    appliers.register(
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATED,
        NoStateChange("the document's variables are written as VARIABLE CREATED / UPDATED"),
    )
