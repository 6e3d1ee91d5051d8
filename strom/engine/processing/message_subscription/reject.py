"""MESSAGE_SUBSCRIPTION REJECT: the process instance could not take the message (its catch event
left meanwhile); the message may go to another waiting instance of the same process."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.protocol.intents import MessageSubscriptionIntent
from strom.protocol.record import Record


class MessageSubscriptionRejectProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._correlation = behaviors.message_correlation

    def process(self, command: Record[Any], writers: Writers) -> None:
        writers.append_event(command.key, MessageSubscriptionIntent.REJECTED, command.value)
        self._correlation.retry_correlation(writers, command.value)
