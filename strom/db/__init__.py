"""strom.db: the partition's state in RocksDB. Internal: used by ``strom.stream`` and ``strom.engine``.

One RocksDB per partition, one column family per kind of entity or index, bytes keys
(:mod:`strom.db.keys`) and msgpack values encoded by the engine. All changes go through a
:class:`Transaction` that commits as one atomic write batch with RocksDB's WAL off: the record log
is the write-ahead log, the runtime database is disposable, and a restart restores the newest
snapshot (:func:`create_snapshot` / :func:`restore_snapshot`) and replays the log from there.
:func:`digest` checks that replay rebuilds the same state. See ``docs/db.md``.

This package imports nothing from other strom packages.
"""

from strom.db import keys
from strom.db.database import Database, DbOptions
from strom.db.digest import digest
from strom.db.errors import (
    DbError,
    KeyEncodingError,
    SnapshotError,
    TransactionError,
    UnknownColumnFamilyError,
)
from strom.db.snapshot import (
    SnapshotInfo,
    create_snapshot,
    latest_snapshot,
    list_snapshots,
    pack_snapshot,
    prune_snapshots,
    restore_snapshot,
    unpack_snapshot,
)
from strom.db.transaction import ColumnFamily, Savepoint, Transaction

__all__ = [
    "ColumnFamily",
    "Database",
    "DbError",
    "DbOptions",
    "KeyEncodingError",
    "Savepoint",
    "SnapshotError",
    "SnapshotInfo",
    "Transaction",
    "TransactionError",
    "UnknownColumnFamilyError",
    "create_snapshot",
    "digest",
    "keys",
    "latest_snapshot",
    "list_snapshots",
    "pack_snapshot",
    "prune_snapshots",
    "restore_snapshot",
    "unpack_snapshot",
]
