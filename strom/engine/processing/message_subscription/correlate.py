"""MESSAGE_SUBSCRIPTION CORRELATE: the process instance took the message. An interrupting
subscription is done; a non-interrupting one takes the next buffered message, if any."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageSubscriptionIntent
from strom.protocol.record import Record


class MessageSubscriptionCorrelateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._subscriptions = state.message_subscriptions
        self._correlation = behaviors.message_correlation

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to correlate subscription for element with key '{value.element_instance_key}' "
                f"and message name '{value.message_name}', but no such message subscription exists",
            )
            return
        prefix = (
            f"Expected to acknowledge correlating message with key '{value.message_key}' to "
            f"subscription with key '{subscription.key}'"
        )
        if subscription.record.message_key != value.message_key:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"{prefix} but the subscription is already correlating to another message with key "
                f"'{subscription.record.message_key}'",
            )
            return
        if not subscription.correlating:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"{prefix} but the subscription has already been correlated'",
            )
            return
        writers.append_event(subscription.key, MessageSubscriptionIntent.CORRELATED, subscription.record)
        if not subscription.record.interrupting:
            self._correlation.correlate_next_message(writers, subscription.key, subscription.record)
