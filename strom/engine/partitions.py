"""The engine's view of the other partitions: where a command for partition P goes.

A command for another partition (a distributed deployment, an acknowledgement, a message
subscription handshake) is sent as a side effect, after the step that decided it is durable. The
sender is best effort: a command may be lost with the target down, so every conversation between
partitions is retried by its sender until it is acknowledged and handled idempotently by its
receiver (``processing/distribution``, the pending-subscription checkers). The broker implements
the sender (local: between partition processes; cluster: over NATS).
"""

from __future__ import annotations

from typing import Any, Protocol

from strom.protocol.record import Record


class InterPartitionSender(Protocol):
    def send(self, partition_id: int, command: Record[Any]) -> None:
        """Write ``command`` on partition ``partition_id``'s log (best effort, never blocks)."""


class SinglePartition:
    """A partition with no others: nothing is ever addressed elsewhere."""

    def send(self, partition_id: int, command: Record[Any]) -> None:
        raise RuntimeError(
            f"Expected no command for another partition on a single-partition broker, got one for "
            f"partition {partition_id}: {command.value_type.name} {command.intent}"
        )
