"""Event subprocess: activated in its flow scope by the event that its start event caught (see
the event trigger behavior); it starts at that start event, with the event's variables, and
completes when its last token ends. Its own event subprocesses may interrupt it in turn."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import ScopeChildren
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class EventSubProcessProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
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
        if not self._triggers.activate_event_subprocess_start(writers, context):
            return Failure(
                f"Expected to activate the start event of the event subprocess '{context.element_id}' "
                "with the event it caught, but no event trigger was found",
                ErrorType.UNKNOWN,
            )
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        # no sequence flow leaves an event subprocess: its flow scope decides what follows
        self._leaving.leave_completed(writers, context, flows=())
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context, held_by=self._children.terminate)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.terminated(writers, scope)
