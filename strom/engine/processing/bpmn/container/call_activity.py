"""Call activity: starts an instance of another process and completes when it completes.

The process is found by the evaluated ``processId`` and the binding (latest, the deployment of
the calling process, or a version tag); a missing one is a CALLED_ELEMENT_ERROR incident. See
``CallActivityBehavior`` for variables and for how the two instances follow each other.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class CallActivityProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._events = behaviors.event_subscriptions
        self._calls = behaviors.call_activities

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        called = context.element.called_element
        if called is None:
            return Failure(
                f"Expected call activity '{context.element_id}' to have a called element "
                "(zeebe:calledElement), but it has none",
                ErrorType.CALLED_ELEMENT_ERROR,
            )
        process = self._calls.called_process(context, called)
        if isinstance(process, Failure):
            return process
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        self._calls.create_child(writers, context, process, called)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        # the call activity ends after the process it called (see CallActivityBehavior)
        self._leaving.leave_terminated(writers, context, held_by=self._calls.terminate_child)
