"""Intermediate catch events: wait for their message, timer, signal or condition (a link catch
event passes the token on at once); the caught event completes them with its variables."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.protocol.bpmn import BpmnEventType
from strom.protocol.values.enums import ErrorType


class IntermediateCatchEventProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._events = behaviors.event_subscriptions
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        element = context.element
        if element.event_type is BpmnEventType.LINK:
            self._transitions.activated(writers, context)
            self._transitions.complete_element(writers, context)
            return None
        if not (element.message or element.timer or element.signal or element.conditional):
            return Failure(
                f"Intermediate catch event '{element.id}' of type {element.event_type} is not "
                "supported by this version of Strom",
                ErrorType.UNKNOWN,
            )
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        # a conditional event evaluates its condition once activated (see ConditionalBehavior)
        self._transitions.activated(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._triggers.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
