"""Intermediate throw events, by the event they throw: none, message (a job), signal, escalation,
link (the token jumps to the link catch event of the same name), compensation."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.event._throw import ThrowSupport
from strom.engine.processing.writers import Writers
from strom.protocol.bpmn import BpmnEventType as T
from strom.protocol.values.enums import ErrorType


class IntermediateThrowEventProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._publication = behaviors.event_publication
        self._signals = behaviors.signals
        self._throw = ThrowSupport(behaviors)

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        element = context.element
        event_type = element.event_type
        if event_type is T.MESSAGE:
            failure = self._throw.create_job(writers, context)
            if failure is not None:
                return failure
            self._transitions.activated(writers, context)
            return None
        if event_type is T.ESCALATION:
            code = self._throw.code(
                element.escalation.code if element.escalation else None, context, "escalation"
            )
            if isinstance(code, Failure):
                return code
            self._transitions.activated(writers, context)
            if self._publication.throw_escalation(writers, context, code):
                self._transitions.complete_element(writers, context)
            return None
        if event_type is T.COMPENSATION:
            self._transitions.activated(writers, context)
            if not self._throw.compensate(writers, context):
                self._transitions.complete_element(writers, context)
            return None
        if event_type is T.SIGNAL:
            failure = self._signals.broadcast(writers, context)
            if failure is not None:
                return failure
        elif event_type is T.LINK:
            if self._throw.link_target(context) is None:
                return Failure(
                    f"Expected to find a link catch event named '{element.link_name}' for the link "
                    f"throw event '{element.id}', but none was found",
                    ErrorType.UNKNOWN,
                )
        elif event_type is not T.NONE:
            return Failure(
                f"Intermediate throw event '{element.id}' of type {event_type} is not supported by this "
                "version of Strom",
                ErrorType.UNKNOWN,
            )
        self._transitions.activated(writers, context)
        self._transitions.complete_element(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._transitions.completed(writers, context)
        if context.element.event_type is T.LINK:
            target = self._throw.link_target(context)
            scope = self._transitions.flow_scope(context)
            if target is not None and scope is not None:
                # the token jumps to the link catch event: no sequence flow, and no end of a path
                self._transitions.activate_element(writers, scope, target)
                return None
        self._transitions.take_outgoing_flows(writers, context)
        self._transitions.after_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        # only a message event's own job is canceled
        self._leaving.leave_terminated(writers, context)
