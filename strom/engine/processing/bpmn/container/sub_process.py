"""Embedded subprocess: a scope with its own variables, started at its none start event and
completed when its last token ends (like the process itself)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import ScopeChildren, terminate_children
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class SubProcessProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._transitions = behaviors.state_transitions
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
        self._mappings = behaviors.variable_mappings
        self._incidents = behaviors.incidents
        self._events = behaviors.event_subscriptions
        self._jobs = behaviors.jobs

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
        self._events.unsubscribe(writers, context)
        self._transitions.completed(writers, context)
        self._transitions.take_outgoing_flows(writers, context)
        self._transitions.after_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        instance = self._instances.get(context.key)
        if instance is not None and instance.job_key > 0:
            self._jobs.cancel(writers, instance.job_key)  # an execution listener's job
        self._events.unsubscribe(writers, context)
        self._incidents.resolve_for_element(writers, context.key)
        if not terminate_children(self._instances, self._transitions, writers, context):
            self._transitions.terminated(writers, context)
            self._transitions.after_terminated(writers, context)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.terminated(writers, scope)
