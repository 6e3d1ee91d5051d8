"""Start events: activated and completed at once; the token leaves by their outgoing flows.

A start event that caught something (a message, timer or signal starting the process, or the
event that started an event subprocess) is activated by the event trigger behavior with the
event's variables as its local variables; completing hands them to its flow scope (or to its
output mappings).
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers


class StartEventProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._transitions.activated(writers, context)
        self._transitions.complete_element(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._triggers.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
