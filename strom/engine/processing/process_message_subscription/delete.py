"""PROCESS_MESSAGE_SUBSCRIPTION DELETE: the message's partition confirms the close."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessMessageSubscriptionIntent
from strom.protocol.record import Record


class ProcessMessageSubscriptionDeleteProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to delete process message subscription with element key "
                f"'{value.element_instance_key}' and message name '{value.message_name}', but no such "
                "subscription was found",
            )
            return
        writers.append_event(subscription.key, ProcessMessageSubscriptionIntent.DELETED, subscription.record)
