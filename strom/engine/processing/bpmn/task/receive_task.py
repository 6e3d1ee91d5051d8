"""Receive tasks: wait for their message (and their boundary events); the message completes them
with its variables."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers


class ReceiveTaskProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._events = behaviors.event_subscriptions
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._triggers.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
