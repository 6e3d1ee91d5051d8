"""PROCESS_MESSAGE_SUBSCRIPTION CREATE: the message's partition confirms the subscription."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process_message_subscription import SubscriptionStatus
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessMessageSubscriptionIntent
from strom.protocol.record import Record


class ProcessMessageSubscriptionCreateProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        where = f"with element key '{value.element_instance_key}' and message name '{value.message_name}'"
        if subscription is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to create process message subscription {where}, but no such "
                "subscription was found",
            )
        elif subscription.status != SubscriptionStatus.CREATING:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to create process message subscription {where}, but it is already opened",
            )
        else:
            writers.append_event(
                subscription.key, ProcessMessageSubscriptionIntent.CREATED, subscription.record
            )
