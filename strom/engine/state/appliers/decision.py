"""Appliers for DECISION_REQUIREMENTS, DECISION and FORM events (deployed DMN and forms, created
by a deployment and deleted by a resource deletion), and DECISION_EVALUATION (which changes no
state)."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
)
from strom.protocol.record import Record


class DecisionRequirementsCreatedV1:
    """Stores the DRG with its DMN bytes; the latest version of its id if it is newer."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._decisions = state.decisions

    def __call__(self, record: Record[Any]) -> None:
        self._decisions.put_requirements(record.value)


class DecisionCreatedV1:
    """Stores the decision; the latest version of its id if it is newer."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._decisions = state.decisions

    def __call__(self, record: Record[Any]) -> None:
        self._decisions.put_decision(record.value)


class FormCreatedV1:
    """Stores the form; the latest version of its id if it is newer."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._forms = state.forms

    def __call__(self, record: Record[Any]) -> None:
        self._forms.put(record.value)


class DecisionRequirementsDeletedV1:
    """Removes the DRG (its decisions were removed by their own DECISION DELETED events before);
    if it was the latest version, the one before becomes the latest."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._decisions = state.decisions

    def __call__(self, record: Record[Any]) -> None:
        self._decisions.delete_requirements(record.value)


class DecisionDeletedV1:
    """Removes the decision; if it was the latest version, the one before becomes the latest."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._decisions = state.decisions

    def __call__(self, record: Record[Any]) -> None:
        self._decisions.delete_decision(record.value)


class FormDeletedV1:
    """Removes the form; if it was the latest version, the one before becomes the latest."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._forms = state.forms

    def __call__(self, record: Record[Any]) -> None:
        self._forms.delete(record.value)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(
        ValueType.DECISION_REQUIREMENTS,
        DecisionRequirementsIntent.CREATED,
        DecisionRequirementsCreatedV1(state),
    )
    appliers.register(ValueType.DECISION, DecisionIntent.CREATED, DecisionCreatedV1(state))
    appliers.register(ValueType.FORM, FormIntent.CREATED, FormCreatedV1(state))
    appliers.register(
        ValueType.DECISION_REQUIREMENTS,
        DecisionRequirementsIntent.DELETED,
        DecisionRequirementsDeletedV1(state),
    )
    appliers.register(ValueType.DECISION, DecisionIntent.DELETED, DecisionDeletedV1(state))
    appliers.register(ValueType.FORM, FormIntent.DELETED, FormDeletedV1(state))
    for intent in (DecisionEvaluationIntent.EVALUATED, DecisionEvaluationIntent.FAILED):
        appliers.register(
            ValueType.DECISION_EVALUATION,
            intent,
            NoStateChange("the result goes on as VARIABLE events, a failure as an INCIDENT"),
        )
