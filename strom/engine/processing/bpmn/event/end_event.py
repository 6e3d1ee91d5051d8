"""End events, by the event they throw: none, error, message (a job), terminate, escalation,
signal, compensation (Zeebe's ``EndEventProcessor`` behaviors)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.event_publication import error_variables
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import terminate_children
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.event._throw import ThrowSupport
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.bpmn import BpmnEventType as T
from strom.protocol.values.enums import ErrorType


class EndEventProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._publication = behaviors.event_publication
        self._signals = behaviors.signals
        self._throw = ThrowSupport(behaviors)

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        if context.element.event_type in (T.NONE, T.MESSAGE, T.SIGNAL):
            return self._mappings.apply_inputs(writers, context)
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        event_type = context.element.event_type
        if event_type is T.ERROR:
            return self._throw_error(writers, context)
        if event_type is T.MESSAGE:
            failure = self._throw.create_job(writers, context)
            if failure is not None:
                return failure
            self._transitions.activated(writers, context)
            return None
        if event_type is T.ESCALATION:
            code = self._throw.code(
                context.element.escalation.code if context.element.escalation else None, context, "escalation"
            )
            if isinstance(code, Failure):
                return code
            self._transitions.activated(writers, context)
            if self._publication.throw_escalation(writers, context, code):
                self._transitions.complete_element(writers, context)
            return None
        if event_type is T.SIGNAL:
            failure = self._signals.broadcast(writers, context)
            if failure is not None:
                return failure
        elif event_type is T.COMPENSATION:
            self._transitions.activated(writers, context)
            if not self._throw.compensate(writers, context):
                self._transitions.complete_element(writers, context)
            return None
        elif event_type not in (T.NONE, T.TERMINATE):
            return Failure(
                f"End event '{context.element_id}' of type {event_type} is not supported by this "
                "version of Strom",
                ErrorType.UNKNOWN,
            )
        self._transitions.activated(writers, context)
        self._transitions.complete_element(writers, context)
        return None

    def _throw_error(self, writers: Writers, context: ElementContext) -> Failure | None:
        """The error must be caught by an upper scope, which interrupts this one: the end event
        stays activated until it is terminated."""
        error = context.element.error
        code = self._throw.code(error.code if error else None, context, "error")
        if isinstance(code, Failure):
            return code
        catch = self._publication.find_error_catch(code, self._instances.get(context.flow_scope_key))
        if isinstance(catch, Failure):
            return catch
        self._transitions.activated(writers, context)
        self._publication.throw_error(writers, catch, error_variables(code))
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        if context.element.event_type is T.TERMINATE:
            return None
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._transitions.completed(writers, context)
        if context.element.event_type is T.TERMINATE:
            scope = self._transitions.flow_scope(context)
            if scope is not None and terminate_children(self._instances, self._transitions, writers, scope):
                return None  # the scope completes when its last child terminated
        self._transitions.take_outgoing_flows(writers, context)
        self._transitions.after_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        # only a message event's own job is canceled
        self._leaving.leave_terminated(writers, context)
