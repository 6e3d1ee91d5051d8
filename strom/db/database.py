"""The partition's RocksDB: column families, write options, lifecycle.

RocksDB's write-ahead log is off for every write: the record log is the write-ahead log. A crash
therefore loses whatever was still in the memtables, and the runtime directory is disposable: the
engine starts from the newest snapshot and replays the log. Two options follow from that:

* ``atomic_flush``: without a WAL, a background flush of one column family's memtable while
  another's is still in memory could persist half of a write batch; atomic flush keeps the
  on-disk state a prefix of committed batches, so a snapshot (flush + checkpoint) is consistent.
* :meth:`Database.close` flushes every column family before closing, so a cleanly closed database
  can be reopened with all its data (used by tools and tests; the engine restores a snapshot anyway).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, final

from rocksdict import BlockBasedOptions, Cache, Options, Rdict, WriteOptions

from strom.db.errors import DbError, TransactionError, UnknownColumnFamilyError
from strom.db.transaction import NO_TRANSACTION_OPEN, ColumnFamily, Transaction

__all__ = ["Database", "DbOptions"]

_MIB: Final = 1024 * 1024
_DEFAULT_CF: Final = "default"


@dataclass(frozen=True, kw_only=True)
class DbOptions:
    """RocksDB tuning for a small machine; the defaults suit one partition on two cores.

    Attributes:
        block_cache_bytes: one LRU block cache shared by all column families (index and filter
            blocks are charged to it too, so it bounds read memory).
        write_buffer_bytes: total memtable memory across all column families; exceeding it
            triggers a flush. Without this cap each column family could hold 64 MiB by default.
        column_family_write_buffer_bytes: memtable size of one column family before it is flushed.
        background_jobs: threads for flushes and compactions.
        bloom_bits_per_key: bloom filter size; makes lookups of absent keys skip SST reads.
    """

    block_cache_bytes: int = 64 * _MIB
    write_buffer_bytes: int = 32 * _MIB
    column_family_write_buffer_bytes: int = 8 * _MIB
    background_jobs: int = 2
    bloom_bits_per_key: int = 10

    def __post_init__(self) -> None:
        for name in ("block_cache_bytes", "write_buffer_bytes", "column_family_write_buffer_bytes"):
            if getattr(self, name) < _MIB:
                raise ValueError(f"`{name}` must be at least 1 MiB, got {getattr(self, name)}")
        if self.background_jobs < 1:
            raise ValueError(f"`background_jobs` must be at least 1, got {self.background_jobs}")
        if self.bloom_bits_per_key < 0:
            raise ValueError(f"`bloom_bits_per_key` must not be negative, got {self.bloom_bits_per_key}")


@final
class Database:
    """One RocksDB with a fixed set of column families, written only through :class:`Transaction`.

    Column families named in ``column_families`` are created if missing; ones that exist on disk but
    are not named are opened too (RocksDB requires it) and listed in :attr:`column_families`.

    The database belongs to one thread (its partition's stream processor). RocksDB itself is
    thread-safe, but transactions and handles here are not.

    Raises:
        DbError: RocksDB cannot open the directory (e.g. another ``Database`` in this process still
            holds it: close it, and drop every unfinished iterator, first).
    """

    __deletable__ = ("_rdict",)  # mypyc: ``close`` deletes the handle so later use fails loudly

    def __init__(
        self,
        path: str | os.PathLike[str],
        column_families: Iterable[str],
        options: DbOptions | None = None,
    ) -> None:
        self._path = Path(path)
        self._options = options or DbOptions()
        requested = list(dict.fromkeys(column_families))
        existing = self._existing_column_families()
        names = requested + [n for n in existing if n not in requested and n != _DEFAULT_CF]
        rocks_options = _rocks_options(self._options)
        try:
            self._rdict = Rdict(
                str(self._path),
                rocks_options,
                column_families={n: rocks_options for n in names if n != _DEFAULT_CF},
            )
        except Exception as exc:  # rocksdict raises bare Exception for RocksDB statuses
            raise DbError(f"cannot open RocksDB at {self._path}: {exc}") from exc
        self._names: tuple[str, ...] = tuple(names)
        self._readers: dict[str, Rdict] = {n: self._rdict.get_column_family(n) for n in names}
        self._name_set: frozenset[str] = frozenset(self._readers)
        self._encoders: dict[str, Callable[[Any], bytes]] = {}
        self._rollback_listeners: list[Callable[[], None]] = []
        self._handles = {n: self._rdict.get_column_family_handle(n) for n in names}
        self._write_options = WriteOptions()
        # A property in rocksdict 0.3.29, although its stub declares a method.
        self._write_options.disable_wal = True  # type: ignore[method-assign,assignment]
        self._idle = Transaction(self, refuse=NO_TRANSACTION_OPEN)
        self._active: Transaction = self._idle
        self._bound: dict[str, ColumnFamily] = {}
        self._closed = False

    @property
    def path(self) -> Path:
        """The database directory."""
        return self._path

    @property
    def options(self) -> DbOptions:
        """The tuning the database was opened with."""
        return self._options

    @property
    def column_families(self) -> tuple[str, ...]:
        """Names of all open column families: the requested ones first, then others found on disk."""
        return self._names

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def transaction(self) -> Transaction:
        """Open the transaction for the next processing step; at most one is open at a time.

        Raises:
            TransactionError: a transaction is already open (commit or roll it back first).
        """
        self._check_open()
        if self._active is not self._idle:
            raise TransactionError(
                "a transaction is already open on this database; commit or roll it back first "
                "(one transaction per processing step)"
            )
        txn = Transaction(self)
        self._active = txn
        return txn

    @property
    def current_transaction(self) -> Transaction | None:
        """The open transaction, if any."""
        return None if self._active is self._idle else self._active

    def column_family(self, name: str) -> ColumnFamily:
        """A handle on column family ``name`` bound to the open transaction; one object per name.

        Raises:
            UnknownColumnFamilyError: the database was not opened with ``name``.
        """
        handle = self._bound.get(name)
        if handle is None:
            if name not in self._readers:
                raise self._unknown(name)
            handle = self._bound[name] = ColumnFamily(self, name, self._readers[name])
        return handle

    def add_rollback_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever a transaction's writes are rolled back (wholly or to a
        savepoint): in-memory caches of state drop what they may have learnt from those writes."""
        self._rollback_listeners.append(listener)

    def register_encoder(self, name: str, encode: Callable[[Any], bytes]) -> None:
        """Let transactions hold objects for column family ``name``, encoded once at commit.

        A state class that changes the same entity several times in one step then encodes it
        once instead of per change; reads through the transaction return the object as put.
        Objects must be immutable (they are kept by reference until the commit).
        """
        if name not in self._readers:
            raise self._unknown(name)
        self._encoders[name] = encode

    def flush(self) -> None:
        """Write every column family's memtable to SST files and wait; needed before a checkpoint.

        With the WAL off, data only in memtables is in no file at all: a checkpoint taken without
        flushing would miss it.
        """
        self._check_open()
        try:
            for reader in self._readers.values():
                reader.flush(True)
        except Exception as exc:  # rocksdict raises bare Exception for RocksDB statuses
            raise DbError(f"flushing {self._path} failed: {exc}") from exc

    def committed_items(self, cf: str) -> Iterator[tuple[bytes, bytes]]:
        """All committed ``(key, value)`` pairs of ``cf`` in key order, ignoring any open transaction."""
        self._check_open()
        reader = self._readers.get(cf)
        if reader is None:
            raise self._unknown(cf)
        return reader.items()  # type: ignore[return-value]

    def close(self) -> None:
        """Roll back an open transaction, flush, and release RocksDB; closing twice is harmless.

        rocksdict keeps RocksDB (and its directory lock) alive while any column family object,
        handle or iterator exists, so this drops all of ours; an unfinished iterator obtained from
        :meth:`Transaction.iterate` keeps it open until it is garbage collected.
        """
        if self._closed:
            return
        self._active.rollback()
        try:
            self.flush()
        finally:
            self._closed = True
            for reader in self._readers.values():
                reader.close()
            self._handles.clear()
            self._rdict.close()
            del self._rdict  # later use fails loudly, not on a closed handle

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self._names)} column families"
        return f"<Database {str(self._path)!r} {state}>"

    # -- package-internal --------------------------------------------------------------------------

    def _end(self, txn: Transaction) -> None:
        if self._active is txn:
            self._active = self._idle

    def _unknown(self, name: str) -> UnknownColumnFamilyError:
        return UnknownColumnFamilyError(
            f"unknown column family {name!r}; this database has {list(self._names)} "
            "(add it to the list the Database is opened with)"
        )

    def _check_open(self) -> None:
        if self._closed:
            raise DbError(f"the database at {self._path} is closed")

    def _existing_column_families(self) -> list[str]:
        if not (self._path / "CURRENT").exists():
            return []
        try:
            return list(Rdict.list_cf(str(self._path)))
        except Exception as exc:  # rocksdict raises bare Exception for RocksDB statuses
            raise DbError(f"cannot list column families of {self._path}: {exc}") from exc


def _rocks_options(tuning: DbOptions) -> Options:
    options = Options(raw_mode=True)
    options.create_if_missing(True)
    options.create_missing_column_families(True)
    options.set_atomic_flush(True)
    options.set_max_background_jobs(tuning.background_jobs)
    options.set_db_write_buffer_size(tuning.write_buffer_bytes)
    options.set_write_buffer_size(tuning.column_family_write_buffer_bytes)
    options.set_keep_log_file_num(2)
    options.set_max_log_file_size(4 * _MIB)
    table = BlockBasedOptions()
    table.set_block_cache(Cache(tuning.block_cache_bytes))
    table.set_bloom_filter(tuning.bloom_bits_per_key, False)
    table.set_cache_index_and_filter_blocks(True)
    table.set_pin_l0_filter_and_index_blocks_in_cache(True)
    options.set_block_based_table_factory(table)
    return options
