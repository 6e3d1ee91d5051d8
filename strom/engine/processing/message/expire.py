"""MESSAGE EXPIRE and MESSAGE_BATCH EXPIRE: the time to live of buffered messages ended.

The TTL checker expires messages in batches (one command for up to a hundred, as Zeebe does);
a message already gone (expired meanwhile) is skipped.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageIntent
from strom.protocol.record import Record


class MessageExpireProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._messages = state.messages

    def process(self, command: Record[Any], writers: Writers) -> None:
        message = self._messages.get(command.key)
        if message is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to expire message with key '{command.key}', but no such message was found",
            )
            return
        writers.append_event(command.key, MessageIntent.EXPIRED, message)


class MessageBatchExpireProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._messages = state.messages

    def process(self, command: Record[Any], writers: Writers) -> None:
        for key in command.value.message_keys:
            message = self._messages.get(key)
            if message is not None:
                writers.append_event(key, MessageIntent.EXPIRED, message)
