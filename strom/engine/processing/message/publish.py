"""MESSAGE PUBLISH: buffer the message for its time to live and correlate it at once.

Rejected when the message belongs to another partition (its correlation key decides) and, while
a message with the same name, correlation key and message id is buffered, as ALREADY_EXISTS.
A message without a time to live is correlated now or never: EXPIRED follows PUBLISHED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageIntent
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator


class MessagePublishProcessor:
    def __init__(
        self,
        state: ProcessingState,
        behaviors: Behaviors,
        keys: KeyGenerator,
        on_deadline: Callable[[int], None],
    ) -> None:
        self._messages = state.messages
        self._commands = behaviors.subscription_commands
        self._correlation = behaviors.message_correlation
        self._keys = keys
        self._on_deadline = on_deadline

    def process(self, command: Record[Any], writers: Writers) -> None:
        message = command.value
        commands = self._commands
        if commands.message_partition(message.correlation_key) != commands.partition_id:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                "The message has not been routed to the right partition. This is probably a temporary "
                "issue, please retry in a few seconds",
            )
            return
        if message.message_id and self._messages.exists_message_id(
            message.tenant_id, message.name, message.correlation_key, message.message_id
        ):
            writers.reject(
                command,
                RejectionType.ALREADY_EXISTS,
                f"Expected to publish a new message with id '{message.message_id}', but a message "
                "with that id was already published",
            )
            return
        key = self._keys.next_key()
        published = msgspec.structs.replace(message, deadline=writers.timestamp + message.time_to_live)
        writers.respond(writers.append_event(key, MessageIntent.PUBLISHED, published))
        self._correlation.correlate_published(writers, key, published)
        if message.time_to_live <= 0:
            # correlated now or never: nothing may take it from the buffer later
            writers.append_event(key, MessageIntent.EXPIRED, published)
        else:
            on_deadline = self._on_deadline
            deadline = published.deadline
            writers.side_effect(lambda: on_deadline(deadline))
