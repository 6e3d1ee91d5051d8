"""PROCESS_MESSAGE_SUBSCRIPTION CORRELATE: a message reached the waiting catch event.

If the catch event can still take it, the subscription is CORRELATED, the event triggered with
the message's variables, and the message's partition told (MESSAGE_SUBSCRIPTION CORRELATE);
otherwise the command is rejected and the message's partition told so (REJECT), so the message
can go elsewhere. A message is taken once: a retried command for an earlier message is rejected.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.subscription_commands import message_side
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import FlowNode
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessMessageSubscriptionIntent
from strom.protocol.record import Record


class ProcessMessageSubscriptionCorrelateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._subscriptions = state.process_message_subscriptions
        self._instances = state.element_instances
        self._processes = state.processes
        self._triggers = behaviors.event_triggers
        self._commands = behaviors.subscription_commands

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        where = f"with element key '{value.element_instance_key}' and message name '{value.message_name}'"
        if subscription is None:
            self._reject(
                command,
                writers,
                RejectionType.NOT_FOUND,
                f"Expected to correlate process message subscription {where}, but no such "
                "subscription was found",
            )
            return
        if subscription.is_closing:
            self._reject(
                command,
                writers,
                RejectionType.INVALID_STATE,
                f"Expected to correlate process message subscription {where}, but it is already closing",
            )
            return
        if value.message_key <= subscription.record.message_key:
            writers.reject(command, RejectionType.INVALID_STATE, "Already correlated this message")
            self._commands.acknowledge_correlation(writers, message_side(value))
            return
        instance = self._instances.get(value.element_instance_key)
        process = self._processes.by_key(subscription.record.process_definition_key)
        catch_event = process.executable.elements.get(subscription.record.element_id) if process else None
        if (
            instance is None
            or process is None
            or not isinstance(catch_event, FlowNode)
            or not self._triggers.can_trigger(instance, catch_event.id, process)
        ):
            self._reject(
                command,
                writers,
                RejectionType.INVALID_STATE,
                f"Expected to correlate a process message subscription {where}, but the subscription "
                "is not active anymore",
            )
            return
        correlated = msgspec.structs.replace(
            value,
            element_id=subscription.record.element_id,
            interrupting=subscription.record.interrupting,
            process_definition_key=subscription.record.process_definition_key,
        )
        writers.append_event(subscription.key, ProcessMessageSubscriptionIntent.CORRELATED, correlated)
        self._triggers.trigger(writers, instance, catch_event, process, value.variables)
        self._commands.acknowledge_correlation(writers, message_side(correlated))

    def _reject(self, command: Record[Any], writers: Writers, rejection: RejectionType, reason: str) -> None:
        writers.reject(command, rejection, reason)
        self._commands.reject_correlation(writers, message_side(command.value))
