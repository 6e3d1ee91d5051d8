"""MESSAGE_SUBSCRIPTION DELETE: the catch event left; the process instance is told the
subscription is closed (PROCESS_MESSAGE_SUBSCRIPTION DELETE), whether it still existed or not."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.message_subscription._ack import open_acknowledgement
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageSubscriptionIntent
from strom.protocol.record import Record


class MessageSubscriptionDeleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._subscriptions = state.message_subscriptions
        self._commands = behaviors.subscription_commands

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is not None:
            writers.append_event(subscription.key, MessageSubscriptionIntent.DELETED, subscription.record)
        else:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to close message subscription for element with key '{value.element_instance_key}' "
                f"and message name '{value.message_name}', but no such message subscription exists",
            )
        self._commands.acknowledge_close(writers, open_acknowledgement(value))
