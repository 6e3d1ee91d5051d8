"""Embedded subprocess: a scope with its own variables, started at its none start event and
completed when its last token ends (like the process itself)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import ScopeChildren
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class SubProcessProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
        self._mappings = behaviors.variable_mappings
        self._events = behaviors.event_subscriptions

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        container = context.element.container
        start_id = container.none_start_event_id if container is not None else None
        if start_id is None:
            return Failure(
                f"Expected to activate the none start event of the subprocess '{context.element_id}', "
                "but not found.",
                ErrorType.UNKNOWN,
            )
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        self._transitions.activate_element(writers, context, context.process.executable.flow_node(start_id))
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context, held_by=self._children.terminate)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.terminated(writers, scope)
