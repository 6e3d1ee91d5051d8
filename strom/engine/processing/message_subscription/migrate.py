"""MESSAGE_SUBSCRIPTION MIGRATE: the catch event of a subscription was migrated to another process
definition (process instance migration); the message's partition takes the new definition over
(MIGRATED), keeping the subscription, its correlation key and any message on its way."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageSubscriptionIntent
from strom.protocol.record import Record


class MessageSubscriptionMigrateProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._subscriptions = state.message_subscriptions

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to migrate message subscription for element with key "
                f"'{value.element_instance_key}' and message name '{value.message_name}', but no such "
                "message subscription exists",
            )
            return
        migrated = msgspec.structs.replace(
            subscription.record,
            process_definition_key=value.process_definition_key,
            bpmn_process_id=value.bpmn_process_id,
            interrupting=value.interrupting,
        )
        writers.append_event(subscription.key, MessageSubscriptionIntent.MIGRATED, migrated)
