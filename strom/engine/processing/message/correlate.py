"""MESSAGE_CORRELATION CORRELATE: publish a message and correlate it now, answering with the
process instance it reached (Zeebe 8.8's CorrelateMessage, REST ``POST /messages/correlation``).

Unlike PUBLISH the message is never buffered: when no waiting subscription or message start event
takes it, the command is rejected NOT_FOUND and nothing is written. Otherwise the message is
published with no time to live, correlated exactly as a published one is, and expires at once;
the CORRELATED event names the first process instance reached (a subscription's instance before
one the message started).
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import MessageCorrelationIntent, MessageIntent
from strom.protocol.record import Record
from strom.protocol.values.message import MessageRecordValue
from strom.stream.key_generator import KeyGenerator


class MessageCorrelateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._commands = behaviors.subscription_commands
        self._correlation = behaviors.message_correlation
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        if self._commands.message_partition(request.correlation_key) != self._commands.partition_id:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                "The message has not been routed to the right partition. This is probably a temporary "
                "issue, please retry in a few seconds",
            )
            return
        message = MessageRecordValue(
            name=request.name,
            correlation_key=request.correlation_key,
            time_to_live=0,
            deadline=writers.timestamp,
            variables=request.variables,
            tenant_id=request.tenant_id,
        )
        if not self._correlation.would_correlate(message):
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find subscription for message with name '{request.name}' and correlation "
                f"key '{request.correlation_key}', but none was found.",
            )
            return
        key = self._keys.next_key()
        writers.append_event(key, MessageIntent.PUBLISHED, message)
        reached = self._correlation.correlate_published(writers, key, message)
        writers.append_event(key, MessageIntent.EXPIRED, message)
        correlated = command.value.__class__(
            name=request.name,
            correlation_key=request.correlation_key,
            message_key=key,
            process_instance_key=reached[0] if reached else -1,
            variables=request.variables,
            tenant_id=request.tenant_id,
        )
        writers.respond(writers.append_event(key, MessageCorrelationIntent.CORRELATED, correlated))
