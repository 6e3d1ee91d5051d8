"""Appliers for PROCESS_EVENT: an event caught for a scope (TRIGGERING) and consumed (TRIGGERED)."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.event_scope import EventScope, EventTrigger
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import ValueType
from strom.protocol.intents import ProcessEventIntent
from strom.protocol.record import Record


def can_trigger(scope: EventScope, is_boundary: bool) -> bool:
    """Zeebe's rule: a scope takes events until an interrupting one hit it; after that only
    boundary events, and after an interrupting boundary event nothing."""
    return scope.accepting and (not scope.is_interrupted or is_boundary)


def trigger_kind(target: FlowNode | None) -> tuple[bool, bool]:
    """``(is_boundary, is_interrupting)`` of the element an event triggers in its scope.

    Boundary events and event subprocess start events carry the flag; the catch events of an
    element itself (intermediate catch event, receive task, event-based gateway) always end it.
    """
    if target is None:
        return False, True
    if target.element_type is BpmnElementType.BOUNDARY_EVENT:
        return True, target.interrupting
    if target.element_type is BpmnElementType.START_EVENT:
        return False, target.interrupting
    return False, True


class ProcessEventTriggeringV1:
    """Stores the trigger under its scope and marks the scope interrupted by an interrupting event.

    A trigger whose scope is the process definition (a start event creating an instance) is only
    stored: there is no element instance yet.
    """

    def __init__(self, state: MutableProcessingState) -> None:
        self._scopes = state.event_scopes
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        scope_key = value.scope_key
        trigger = EventTrigger(
            record.key, value.target_element_id, value.variables, value.process_instance_key
        )
        if scope_key == value.process_definition_key:
            self._scopes.put_trigger(scope_key, trigger)
            return
        process = self._processes.by_key(value.process_definition_key)
        target = process.executable.elements.get(value.target_element_id) if process else None
        is_boundary, is_interrupting = trigger_kind(target if isinstance(target, FlowNode) else None)
        scope = self._scopes.scope(scope_key)
        if not can_trigger(scope, is_boundary):
            return
        if is_interrupting:
            scope = EventScope(
                interrupted_by=scope.interrupted_by or value.target_element_id,
                accepting=scope.accepting and not is_boundary,
            )
        self._scopes.put_scope(scope_key, scope)
        self._scopes.put_trigger(scope_key, trigger)


class ProcessEventTriggeredV1:
    """The triggered element was activated with the event's variables: the trigger is consumed."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._scopes = state.event_scopes

    def __call__(self, record: Record[Any]) -> None:
        self._scopes.delete_trigger(record.value.scope_key, record.key)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERING, ProcessEventTriggeringV1(state))
    appliers.register(ValueType.PROCESS_EVENT, ProcessEventIntent.TRIGGERED, ProcessEventTriggeredV1(state))
