"""The message subscription handshake between partitions (Zeebe's ``SubscriptionCommandSender``).

A message lives on the partition its correlation key hashes to; a process instance on the
partition that created it (the one in its key). Opening, correlating and closing a subscription is
a conversation of commands between the two: MESSAGE_SUBSCRIPTION commands go to the message's
partition, PROCESS_MESSAGE_SUBSCRIPTION commands to the process instance's. Every command is
addressed; one for this partition is written as a follow-up command (as Zeebe does too), one for
another partition needs a partition transport, which Strom does not have yet.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.protocol.intents import MessageSubscriptionIntent, ProcessMessageSubscriptionIntent
from strom.protocol.keys import partition_of
from strom.protocol.values.message import (
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)

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


class PartitionTransportMissingError(RuntimeError):
    """A subscription command is addressed to another partition, and there is no transport."""


class SubscriptionCommands:
    def __init__(self, partition_id: int, partition_count: int) -> None:
        self.partition_id = partition_id
        self.partition_count = partition_count

    def message_partition(self, correlation_key: str) -> int:
        return partition_for_correlation_key(correlation_key, self.partition_count)

    def _send(self, writers: Writers, partition_id: int, intent: int, value: Any) -> None:
        if partition_id != self.partition_id:
            raise PartitionTransportMissingError(
                f"Expected to send {type(value).__name__} to partition {partition_id}, but this "
                "version of Strom has no transport between partitions"
            )
        writers.append_command(-1, intent, value)

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
