"""Distributing a command to the other partitions and acknowledging one received.

The distributing partition writes COMMAND_DISTRIBUTION STARTED, then DISTRIBUTING per target (the
pending entry holds the command), and sends the command after the step is durable. A target
processes it as a *distributed* command — it carries the key the distributing partition made, so
``is_distributed`` tells it apart from a client's — and answers with COMMAND_DISTRIBUTION
ACKNOWLEDGE. Until then ``CommandRedistributor`` sends it again, so a command lost with a crashed
target (or a crashed sender) arrives; a target handles a repeated delivery idempotently.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec

from strom.engine.partitions import InterPartitionSender
from strom.engine.processing.writers import Writers
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import CommandDistributionIntent
from strom.protocol.keys import partition_of
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE, RECORD_CLASSES, VALUE_CLASSES
from strom.protocol.values.command_distribution import CommandDistributionRecordValue

_DistributionRecord = RECORD_CLASS_FOR_VALUE[CommandDistributionRecordValue]


class CommandDistributionBehavior:
    def __init__(self, partition_id: int, partition_count: int, sender: InterPartitionSender) -> None:
        self.partition_id = partition_id
        self.partition_count = partition_count
        self._sender = sender

    @property
    def distributes(self) -> bool:
        """Whether there are other partitions to distribute to."""
        return self.partition_count > 1

    def is_distributed(self, command: Record[Any]) -> bool:
        """Whether ``command`` came from another partition's distribution (its key was made there)."""
        return command.key > 0 and partition_of(command.key) != self.partition_id

    def distribute(
        self,
        writers: Writers,
        key: int,
        value_type: ValueType,
        intent: int,
        value: Any,
        to_partitions: Collection[int] | None = None,
    ) -> None:
        """Send the command (``value_type``, ``intent``, ``value``) with ``key`` to every other
        partition (or only to ``to_partitions``), until each acknowledged it."""
        if not self.distributes:
            return
        command_value = msgspec.to_builtins(value)
        writers.append_event(
            key,
            CommandDistributionIntent.STARTED,
            CommandDistributionRecordValue(
                partition_id=self.partition_id,
                value_type=value_type,
                intent=intent,
                command_value=command_value,
            ),
        )
        targets = []
        for partition_id in range(1, self.partition_count + 1):
            if partition_id == self.partition_id or (
                to_partitions is not None and partition_id not in to_partitions
            ):
                continue
            target = CommandDistributionRecordValue(
                partition_id=partition_id, value_type=value_type, intent=intent, command_value=command_value
            )
            writers.append_event(key, CommandDistributionIntent.DISTRIBUTING, target)
            targets.append(target)
        command = RECORD_CLASSES[value_type](
            key=key, record_type=RecordType.COMMAND, intent=intent, value=value
        )
        sender = self._sender

        def send() -> None:
            for target in targets:
                sender.send(target.partition_id, command)

        writers.side_effect(send)

    def resend(self, key: int, pending: CommandDistributionRecordValue) -> None:
        """Send a distributed command again (``CommandRedistributor``; outside any step)."""
        record_class = RECORD_CLASSES[pending.value_type]
        value = msgspec.convert(pending.command_value, VALUE_CLASSES[pending.value_type])
        self._sender.send(
            pending.partition_id,
            record_class(key=key, record_type=RecordType.COMMAND, intent=pending.intent, value=value),
        )

    def acknowledge(self, writers: Writers, command: Record[Any]) -> None:
        """Tell the distributing partition that this one processed ``command`` (after it is durable)."""
        origin = partition_of(command.key)
        ack = _DistributionRecord(
            key=command.key,
            record_type=RecordType.COMMAND,
            intent=CommandDistributionIntent.ACKNOWLEDGE,
            value=CommandDistributionRecordValue(
                partition_id=self.partition_id, value_type=command.value_type, intent=command.intent
            ),
        )
        sender = self._sender
        writers.side_effect(lambda: sender.send(origin, ack))
