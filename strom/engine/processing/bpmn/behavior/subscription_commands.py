"""The message subscription handshake between partitions (Zeebe's ``SubscriptionCommandSender``).

A message lives on the partition its correlation key hashes to; a process instance on the
partition that created it (the one in its key). Opening, correlating and closing a subscription is
a conversation of commands between the two: MESSAGE_SUBSCRIPTION commands go to the message's
partition, PROCESS_MESSAGE_SUBSCRIPTION commands to the process instance's. Every command is
addressed; one for this partition is written as a follow-up command (as Zeebe does too), one for
another partition is sent through the ``InterPartitionSender`` once the step is durable.

Sending is best effort, so the side that waits for an answer sends again until it comes (Zeebe's
pending-subscription checkers): the process partition its MESSAGE_SUBSCRIPTION CREATE / DELETE
while its subscription is still CREATING / DELETING, the message partition its PROCESS_MESSAGE_
SUBSCRIPTION CORRELATE while its subscription is still correlating that message. Receivers answer
repeated commands again (they are idempotent), so the conversation survives a crash of either side:
after recovery the commands still waiting for an answer are found in the state and sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.partitions import InterPartitionSender, SinglePartition
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process_message_subscription import SubscriptionStatus
from strom.protocol.enums import RecordType
from strom.protocol.intents import MessageSubscriptionIntent, ProcessMessageSubscriptionIntent
from strom.protocol.keys import partition_of
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.message import (
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from strom.stream.processor import ProcessingContext

_INT32 = 1 << 32


def subscription_hash(correlation_key: str) -> int:
    """Java's ``String#hashCode`` over the UTF-8 bytes (signed), as Zeebe's ``SubscriptionUtil``."""
    value = 0
    for byte in correlation_key.encode():
        signed = byte - 256 if byte > 127 else byte
        value = (31 * value + signed) & 0xFFFFFFFF
    return value - _INT32 if value >= 1 << 31 else value


def partition_for_correlation_key(correlation_key: str, partition_count: int) -> int:
    """The partition of a message with this correlation key (partitions count from 1)."""
    hash_code = subscription_hash(correlation_key)
    remainder = abs(hash_code) % partition_count
    return remainder + 1


RESEND_INTERVAL_MS = 10_000
"""How long a command of the handshake waits for its answer before it is sent again."""

_RETRIED = {
    (MessageSubscriptionRecordValue, MessageSubscriptionIntent.CREATE),
    (MessageSubscriptionRecordValue, MessageSubscriptionIntent.DELETE),
    (ProcessMessageSubscriptionRecordValue, ProcessMessageSubscriptionIntent.CORRELATE),
}
"""The commands that wait for an answer; the others are the answers (sent again on request)."""

_Pending = tuple[type, int, int, str]
"""(value class, intent, element instance key, message name)."""


class SubscriptionCommands:
    def __init__(
        self, partition_id: int, partition_count: int, sender: InterPartitionSender | None = None
    ) -> None:
        self.partition_id = partition_id
        self.partition_count = partition_count
        self._sender: InterPartitionSender = sender if sender is not None else SinglePartition()
        self._pending: dict[_Pending, tuple[int, int, Record[Any]]] = {}
        """What waits for an answer from another partition: (due, target, command)."""
        self._context: ProcessingContext | None = None
        self._state: ProcessingState | None = None

    def message_partition(self, correlation_key: str) -> int:
        return partition_for_correlation_key(correlation_key, self.partition_count)

    def _send(self, writers: Writers, partition_id: int, intent: int, value: Any) -> None:
        if partition_id == self.partition_id:
            writers.append_command(-1, intent, value)
            return
        command = _command(intent, value)
        writers.side_effect(lambda: self._send_now(partition_id, command))

    def _send_now(self, partition_id: int, command: Record[Any]) -> None:
        if (type(command.value), command.intent) in _RETRIED and self._context is not None:
            self._track(partition_id, command, self._context.clock.now_millis() + RESEND_INTERVAL_MS)
        self._sender.send(partition_id, command)

    def _track(self, target: int, command: Record[Any], due: int) -> None:
        value = command.value
        self._pending[(type(value), command.intent, value.element_instance_key, value.message_name)] = (
            due,
            target,
            command,
        )

    # -- resending -----------------------------------------------------------------------------

    def start(self, context: ProcessingContext, state: ProcessingState) -> None:
        """After recovery: find the commands still waiting for an answer and resend them."""
        if self.partition_count == 1:
            return
        self._context = context
        self._state = state
        self._pending.clear()
        with context.read():
            for opening in state.process_message_subscriptions.all():
                target = self.message_partition(opening.record.correlation_key)
                if target == self.partition_id or opening.status == SubscriptionStatus.CREATED:
                    continue
                intent = (
                    MessageSubscriptionIntent.DELETE
                    if opening.is_closing
                    else MessageSubscriptionIntent.CREATE
                )
                self._track(target, _command(intent, message_side(opening.record)), 0)
            for correlating in state.message_subscriptions.all():
                target = partition_of(correlating.record.process_instance_key)
                if correlating.correlating and target != self.partition_id:
                    command = _command(
                        ProcessMessageSubscriptionIntent.CORRELATE, process_side(correlating.record)
                    )
                    self._track(target, command, 0)
        context.scheduler.schedule_after(0, self._resend)

    def resend_to(self, partition_id: int) -> None:
        """Send what waits for ``partition_id``'s answer now (it just came back)."""
        self._resend_due(lambda due, target: target == partition_id)

    def _resend(self) -> None:
        if self._context is None:
            return
        now = self._context.clock.now_millis()
        self._resend_due(lambda due, target: due <= now)
        self._context.scheduler.schedule_after(RESEND_INTERVAL_MS, self._resend)

    def _resend_due(self, due: Callable[[int, int], bool]) -> None:
        """Forget what was answered meanwhile; send again what ``due(due time, target)`` picks."""
        context, state = self._context, self._state
        if context is None or state is None:
            return
        now = context.clock.now_millis()
        with context.read():
            for slot, (at, target, command) in list(self._pending.items()):
                if not self._still_waiting(state, command):
                    del self._pending[slot]
                elif due(at, target):
                    self._pending[slot] = (now + RESEND_INTERVAL_MS, target, command)
                    self._sender.send(target, command)

    @staticmethod
    def _still_waiting(state: ProcessingState, command: Record[Any]) -> bool:
        value = command.value
        if isinstance(value, ProcessMessageSubscriptionRecordValue):  # CORRELATE
            on_message_side = state.message_subscriptions.get(value.element_instance_key, value.message_name)
            return (
                on_message_side is not None
                and on_message_side.correlating
                and on_message_side.record.message_key == value.message_key
            )
        on_process_side = state.process_message_subscriptions.get(
            value.element_instance_key, value.message_name
        )
        if on_process_side is None:
            return False
        if command.intent == MessageSubscriptionIntent.DELETE:
            return on_process_side.is_closing
        return on_process_side.status == SubscriptionStatus.CREATING

    # -- to the message's partition -----------------------------------------------------------------

    def open_message_subscription(self, writers: Writers, value: MessageSubscriptionRecordValue) -> None:
        self._send(
            writers, self.message_partition(value.correlation_key), MessageSubscriptionIntent.CREATE, value
        )

    def close_message_subscription(self, writers: Writers, value: MessageSubscriptionRecordValue) -> None:
        self._send(
            writers, self.message_partition(value.correlation_key), MessageSubscriptionIntent.DELETE, value
        )

    def acknowledge_correlation(self, writers: Writers, value: MessageSubscriptionRecordValue) -> None:
        """The process instance took the message (MESSAGE_SUBSCRIPTION CORRELATE)."""
        self._send(
            writers, self.message_partition(value.correlation_key), MessageSubscriptionIntent.CORRELATE, value
        )

    def reject_correlation(self, writers: Writers, value: MessageSubscriptionRecordValue) -> None:
        """The process instance could not take the message (MESSAGE_SUBSCRIPTION REJECT)."""
        self._send(
            writers, self.message_partition(value.correlation_key), MessageSubscriptionIntent.REJECT, value
        )

    def migrate_message_subscription(self, writers: Writers, value: MessageSubscriptionRecordValue) -> None:
        """MESSAGE_SUBSCRIPTION MIGRATE to the message's partition (a migrated catch event)."""
        self._send(
            writers, self.message_partition(value.correlation_key), MessageSubscriptionIntent.MIGRATE, value
        )

    # -- to the process instance's partition --------------------------------------------------------

    def _to_process(
        self, writers: Writers, intent: int, value: ProcessMessageSubscriptionRecordValue
    ) -> None:
        self._send(writers, partition_of(value.process_instance_key), intent, value)

    def acknowledge_open(self, writers: Writers, value: ProcessMessageSubscriptionRecordValue) -> None:
        self._to_process(writers, ProcessMessageSubscriptionIntent.CREATE, value)

    def acknowledge_close(self, writers: Writers, value: ProcessMessageSubscriptionRecordValue) -> None:
        self._to_process(writers, ProcessMessageSubscriptionIntent.DELETE, value)

    def correlate(self, writers: Writers, value: ProcessMessageSubscriptionRecordValue) -> None:
        self._to_process(writers, ProcessMessageSubscriptionIntent.CORRELATE, value)


def _command(intent: int, value: Any) -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[type(value)](
        key=-1, record_type=RecordType.COMMAND, intent=intent, value=value
    )


def message_side(value: ProcessMessageSubscriptionRecordValue) -> MessageSubscriptionRecordValue:
    """The message partition's view of a subscription (the value of a MESSAGE_SUBSCRIPTION command)."""
    return MessageSubscriptionRecordValue(
        process_instance_key=value.process_instance_key,
        element_instance_key=value.element_instance_key,
        process_definition_key=value.process_definition_key,
        bpmn_process_id=value.bpmn_process_id,
        message_name=value.message_name,
        correlation_key=value.correlation_key,
        message_key=value.message_key,
        interrupting=value.interrupting,
        tenant_id=value.tenant_id,
    )


def process_side(value: MessageSubscriptionRecordValue) -> ProcessMessageSubscriptionRecordValue:
    """The process partition's view of a subscription (a PROCESS_MESSAGE_SUBSCRIPTION command)."""
    return ProcessMessageSubscriptionRecordValue(
        process_instance_key=value.process_instance_key,
        element_instance_key=value.element_instance_key,
        process_definition_key=value.process_definition_key,
        bpmn_process_id=value.bpmn_process_id,
        message_key=value.message_key,
        message_name=value.message_name,
        correlation_key=value.correlation_key,
        interrupting=value.interrupting,
        variables=value.variables,
        tenant_id=value.tenant_id,
    )
