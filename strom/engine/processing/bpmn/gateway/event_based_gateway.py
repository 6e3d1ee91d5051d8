"""Event-based gateway: waits for the events that follow it; the first one that occurs completes
the gateway and is activated with its variables, the others are cancelled (the sequence flow to
the winning event is not taken, as the BPMN specification says)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.protocol.values.enums import ErrorType


class EventBasedGatewayProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._events = behaviors.event_subscriptions
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._events.unsubscribe(writers, context)
        return None

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        trigger = self._triggers.own_trigger(context)
        if trigger is None:
            return Failure(
                "Expected an event trigger to complete the event-based gateway but not found.",
                ErrorType.UNKNOWN,
            )
        self._transitions.completed(writers, context)
        self._triggers.activate_triggered(writers, context, context.key, context.flow_scope_key, trigger)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
