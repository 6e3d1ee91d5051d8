"""Batch operations in progress on this partition: the operation as created, how far resolving its
filter got (the search cursor), whether it is suspended, the items whose command is still to be
written, in the order the filter found them, and — on the partition that created it — which
partitions finished their part.

An operation leaves the state when it completes, is canceled or fails; what became of each item is
secondary storage's to tell (the exporter follows the item commands' records).
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack_long
from strom.engine.state import column_families as cf
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationItemValue,
)

_encode = msgspec.msgpack.Encoder().encode
_decode_operation = msgspec.msgpack.Decoder(BatchOperationCreationRecordValue).decode
_decode_item = msgspec.msgpack.Decoder(BatchOperationItemValue).decode
_decode_progress = msgspec.msgpack.Decoder(
    tuple[bool, bool, str, int, list[int], list[tuple[int, str, str]]]
).decode


class BatchOperationProgress:
    """Where an operation stands on this partition: ``suspended``; ``initialized`` once every item
    is known; ``cursor`` after the last page of items read; ``next_item`` the sequence number of
    the next item added. On the operation's own partition (the lead) also the partitions that
    finished their part (``finished``) and the errors of those that failed (partition, type,
    message)."""

    __slots__ = ("cursor", "errors", "finished", "initialized", "next_item", "suspended")

    def __init__(
        self,
        suspended: bool,
        initialized: bool,
        cursor: str,
        next_item: int,
        finished: list[int],
        errors: list[tuple[int, str, str]],
    ) -> None:
        self.suspended = suspended
        self.initialized = initialized
        self.cursor = cursor
        self.next_item = next_item
        self.finished = finished
        self.errors = errors

    def encode(self) -> bytes:
        return _encode(
            (self.suspended, self.initialized, self.cursor, self.next_item, self.finished, self.errors)
        )


class BatchOperationState(Protocol):
    def get(self, key: int) -> BatchOperationCreationRecordValue | None:
        """The operation as created, or None when it is not (or no longer) in progress here."""
        ...

    def progress(self, key: int) -> BatchOperationProgress | None: ...

    def operation_keys(self) -> list[int]:
        """Every operation in progress, oldest first."""
        ...

    def next_items(self, key: int, limit: int) -> list[BatchOperationItemValue]:
        """Up to ``limit`` items whose command is still to be written, in the order found."""
        ...

    def has_items(self, key: int) -> bool: ...


class MutableBatchOperationState(BatchOperationState, Protocol):
    def create(self, key: int, operation: BatchOperationCreationRecordValue) -> None: ...
    def add_items(self, key: int, items: list[BatchOperationItemValue], cursor: str) -> None: ...
    def finish_initialization(self, key: int) -> None: ...
    def remove_items(self, key: int, item_keys: list[int]) -> None: ...
    def set_suspended(self, key: int, suspended: bool) -> None: ...
    def finish_partition(self, key: int, partition_id: int, error: tuple[int, str, str] | None) -> None: ...
    def remove(self, key: int) -> None: ...


class DbBatchOperationState:
    def __init__(self, db: Database) -> None:
        self._operations = db.column_family(cf.BATCH_OPERATIONS)
        self._progress = db.column_family(cf.BATCH_OPERATION_PROGRESS)
        self._items = db.column_family(cf.BATCH_OPERATION_ITEMS)

    def get(self, key: int) -> BatchOperationCreationRecordValue | None:
        raw = self._operations.get(pack_long(key))
        return None if raw is None else _decode_operation(raw)

    def progress(self, key: int) -> BatchOperationProgress | None:
        raw = self._progress.get(pack_long(key))
        if raw is None:
            return None
        suspended, initialized, cursor, next_item, finished, errors = _decode_progress(raw)
        return BatchOperationProgress(suspended, initialized, cursor, next_item, finished, errors)

    def operation_keys(self) -> list[int]:
        return [unpack_long(key) for key, _ in self._operations.iterate()]

    def next_items(self, key: int, limit: int) -> list[BatchOperationItemValue]:
        items: list[BatchOperationItemValue] = []
        if limit <= 0:
            return items
        for _, raw in self._items.iterate(prefix(key)):
            items.append(_decode_item(raw))
            if len(items) >= limit:
                break
        return items

    def has_items(self, key: int) -> bool:
        for _ in self._items.iterate(prefix(key)):
            return True
        return False

    # -- mutations (appliers only) ---------------------------------------------------------------

    def create(self, key: int, operation: BatchOperationCreationRecordValue) -> None:
        self._operations.put(pack_long(key), _encode(operation))
        self._progress.put(pack_long(key), BatchOperationProgress(False, False, "", 0, [], []).encode())

    def add_items(self, key: int, items: list[BatchOperationItemValue], cursor: str) -> None:
        progress = self.progress(key)
        if progress is None:
            return
        for item in items:
            self._items.put(pack(key, progress.next_item), _encode(item))
            progress.next_item += 1
        progress.cursor = cursor
        self._progress.put(pack_long(key), progress.encode())

    def finish_initialization(self, key: int) -> None:
        progress = self.progress(key)
        if progress is not None:
            progress.initialized = True
            self._progress.put(pack_long(key), progress.encode())

    def remove_items(self, key: int, item_keys: list[int]) -> None:
        wanted = set(item_keys)
        if not wanted:
            return
        found: list[bytes] = []
        for stored, raw in self._items.iterate(prefix(key)):
            if _decode_item(raw).item_key in wanted:
                found.append(stored)
                if len(found) >= len(wanted):
                    break
        for stored in found:
            self._items.delete(stored)

    def set_suspended(self, key: int, suspended: bool) -> None:
        progress = self.progress(key)
        if progress is not None:
            progress.suspended = suspended
            self._progress.put(pack_long(key), progress.encode())

    def finish_partition(self, key: int, partition_id: int, error: tuple[int, str, str] | None) -> None:
        progress = self.progress(key)
        if progress is None or partition_id in progress.finished:
            return
        progress.finished.append(partition_id)
        if error is not None:
            progress.errors.append(error)
        self._progress.put(pack_long(key), progress.encode())

    def remove(self, key: int) -> None:
        self._operations.delete(pack_long(key))
        self._progress.delete(pack_long(key))
        for stored, _ in list(self._items.iterate(prefix(key))):
            self._items.delete(stored)


__all__ = [
    "BatchOperationProgress",
    "BatchOperationState",
    "DbBatchOperationState",
    "MutableBatchOperationState",
]
