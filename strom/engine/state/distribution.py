"""Command distribution between partitions, as the partitions involved know it.

On the partition that distributes: one entry per (distribution key, target partition) that has not
acknowledged yet, holding the command to send again (COMMAND_DISTRIBUTION DISTRIBUTING puts it,
ACKNOWLEDGED removes it). On a partition that received a distributed command whose effect must not
happen twice (a signal broadcast): the distribution key, so a retried delivery is only acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.keys import partition_of
from strom.protocol.values.command_distribution import CommandDistributionRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(CommandDistributionRecordValue).decode


class DistributionState(Protocol):
    def pending(self, distribution_key: int) -> Iterator[CommandDistributionRecordValue]:
        """The targets of a distribution that have not acknowledged it yet."""
        ...

    def pending_for(
        self, distribution_key: int, partition_id: int
    ) -> CommandDistributionRecordValue | None: ...

    def all_pending(self) -> Iterator[tuple[int, CommandDistributionRecordValue]]:
        """Every (distribution key, target) not acknowledged yet, oldest distribution first."""
        ...

    def was_received(self, distribution_key: int) -> bool: ...


class MutableDistributionState(DistributionState, Protocol):
    def add_pending(self, distribution_key: int, value: CommandDistributionRecordValue) -> None: ...
    def remove_pending(self, distribution_key: int, partition_id: int) -> None: ...
    def mark_if_received(self, key: int, partition_id: int) -> None: ...


class DbDistributionState:
    def __init__(self, db: Database) -> None:
        self._pending = db.column_family(cf.COMMAND_DISTRIBUTIONS)
        self._received = db.column_family(cf.RECEIVED_DISTRIBUTIONS)

    def pending(self, distribution_key: int) -> Iterator[CommandDistributionRecordValue]:
        for _, raw in list(self._pending.iterate(prefix(distribution_key))):
            yield _decode(raw)

    def pending_for(self, distribution_key: int, partition_id: int) -> CommandDistributionRecordValue | None:
        raw = self._pending.get(pack(distribution_key, partition_id))
        return None if raw is None else _decode(raw)

    def all_pending(self) -> Iterator[tuple[int, CommandDistributionRecordValue]]:
        for key, raw in list(self._pending.iterate(b"")):
            distribution_key = unpack(key, (int, int))[0]
            assert isinstance(distribution_key, int)
            yield distribution_key, _decode(raw)

    def was_received(self, distribution_key: int) -> bool:
        return self._received.get(pack(distribution_key)) is not None

    # -- mutations (appliers only) ---------------------------------------------------------------

    def add_pending(self, distribution_key: int, value: CommandDistributionRecordValue) -> None:
        self._pending.put(pack(distribution_key, value.partition_id), _encode(value))

    def remove_pending(self, distribution_key: int, partition_id: int) -> None:
        self._pending.delete(pack(distribution_key, partition_id))

    def mark_if_received(self, key: int, partition_id: int) -> None:
        """Remember ``key`` when another partition made it: the record keyed by it reached
        ``partition_id`` by distribution, and a repeated delivery must only be acknowledged."""
        if partition_of(key) != partition_id:
            self._received.put(pack(key), b"")
