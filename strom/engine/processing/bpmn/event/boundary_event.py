"""Boundary events: activated only by the event that triggers them (see the event trigger
behavior), with the event's variables; they complete at once and take their outgoing flows."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.protocol.values.enums import ErrorType


class BoundaryEventProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._leaving = behaviors.leaving
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return Failure(
            f"Expected the boundary event '{context.element_id}' to be activated by the event it "
            "catches, but it was activated by a command",
            ErrorType.UNKNOWN,
        )

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._triggers.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
