"""MESSAGE_SUBSCRIPTION CREATE: a catch event opened a subscription; it may take a buffered
message at once (then the correlation answers the process instance), else the process
instance is told the subscription is open (PROCESS_MESSAGE_SUBSCRIPTION CREATE)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.message_subscription._ack import open_acknowledgement
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageSubscriptionIntent
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator


class MessageSubscriptionCreateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._subscriptions = state.message_subscriptions
        self._correlation = behaviors.message_correlation
        self._commands = behaviors.subscription_commands
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        record = command.value
        if self._subscriptions.get(record.element_instance_key, record.message_name) is not None:
            self._commands.acknowledge_open(writers, open_acknowledgement(record))
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to open a new message subscription for element with key "
                f"'{record.element_instance_key}' and message name '{record.message_name}', but there "
                "is already a message subscription for that element key and message name opened",
            )
            return
        key = self._keys.next_key()
        writers.append_event(key, MessageSubscriptionIntent.CREATED, record)
        if not self._correlation.correlate_next_message(writers, key, record):
            self._commands.acknowledge_open(writers, open_acknowledgement(record))
