"""Transactions: pending writes in a dict overlay, made durable-in-memory by one atomic write batch.

The stream processor opens one transaction per processing step; processors read through it and
appliers write through it, so every later step of a command sees the events applied before it
(read-your-writes). Nothing reaches RocksDB until :meth:`Transaction.commit`, which writes all
pending changes of all column families as one ``WriteBatch``: RocksDB applies a batch atomically, so
state never shows half a command. The batch is written with RocksDB's WAL off (the record log is
the write-ahead log): after a crash the runtime database is discarded and rebuilt from a snapshot
plus the log, so a commit needs no fsync.

Savepoints make rolling back one failed command inside a batch cheap: while one is open, every
write records the overlay entry it replaced, and :meth:`Transaction.rollback_to` undoes back to it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, final

from rocksdict import ReadOptions, WriteBatch

from strom.db.errors import DbError, TransactionError

if TYPE_CHECKING:
    from rocksdict import Rdict

    from strom.db.database import Database

__all__ = ["ColumnFamily", "Savepoint", "Transaction"]


class _Missing:
    """Marks 'this transaction has not touched the key' (``None`` in an overlay means deleted)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


class _Overlay(dict[bytes, Any]):
    """One column family's pending writes (``None`` marks a delete): ``bytes``, or an object a state
    class put to be encoded once at commit by its column family's registered encoder.

    ``ordered`` is a sorted list of the keys, built by the first prefix scan of the column family
    in the transaction and kept sorted from then on, so a scan costs a bisection and the matching
    range instead of a pass over every pending key (a replay transaction holds thousands).
    """

    __slots__ = ("ordered",)

    def __init__(self) -> None:
        super().__init__()
        self.ordered: list[bytes] | None = None

    def set(self, key: bytes, value: object) -> None:
        ordered = self.ordered
        if ordered is not None and key not in self:
            insort(ordered, key)
        self[key] = value

    def forget(self, key: bytes) -> None:
        del self[key]
        ordered = self.ordered
        if ordered is not None:
            index = bisect_left(ordered, key)
            if index < len(ordered) and ordered[index] == key:
                del ordered[index]

    def keys_with_prefix(self, prefix: bytes) -> list[bytes]:
        """Pending keys starting with ``prefix``, ascending."""
        ordered = self.ordered
        if ordered is None:
            ordered = self.ordered = sorted(self)
        index = bisect_left(ordered, prefix)
        end = index
        count = len(ordered)
        while end < count and ordered[end].startswith(prefix):
            end += 1
        return ordered[index:end]


_UndoEntry = tuple[_Overlay, bytes, bytes | _Missing | None]


class _Overlays(dict[str, _Overlay]):
    """The overlays of one transaction, created on first use: a step touches a handful of the
    engine's many column families, and building all of them per transaction costs more than it saves."""

    __slots__ = ("_names",)

    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self._names = names

    def __missing__(self, name: str) -> _Overlay:
        if name not in self._names:
            raise KeyError(name)
        overlay = self[name] = _Overlay()
        return overlay


class _Refuse:
    """Stands in for the overlays of a closed transaction, so the hot path needs no 'is open' check."""

    __slots__ = ("_message",)

    def __init__(self, message: str) -> None:
        self._message = message

    def __getitem__(self, name: str) -> _Overlay:
        raise TransactionError(self._message)

    def items(self) -> Iterator[tuple[str, _Overlay]]:
        raise TransactionError(self._message)


_CLOSED: Final = _Refuse(
    "the transaction was already committed or rolled back; open a new one with db.transaction()"
)


@final
class Savepoint:
    """A point inside a transaction to roll back to; see :meth:`Transaction.savepoint`."""

    __slots__ = ("_mark",)

    def __init__(self, mark: int) -> None:
        self._mark = mark

    def __repr__(self) -> str:
        return f"<Savepoint after {self._mark} undo entries>"


@final
class Transaction:
    """The unit of atomic state change: one per processing step, at most one open per database.

    Obtain one with :meth:`Database.transaction`; use it as a context manager (commits on normal
    exit, rolls back on an exception) or call :meth:`commit` / :meth:`rollback`. Not thread-safe:
    the database belongs to its partition's single processing thread.
    """

    __slots__ = ("_db", "_new_high", "_new_low", "_savepoints", "_undo", "_writes")

    def __init__(self, db: Database, refuse: str | None = None) -> None:
        self._db = db
        # Entity keys made in this transaction (see ``new_keys``); empty: ``b"" <= k < b""`` never holds.
        self._new_low = b""
        self._new_high = b""
        # ``refuse``: a permanently closed transaction, the database's "active" one while none is
        # open, whose every use raises with that message.
        self._writes: dict[str, _Overlay] | _Refuse = (
            _Overlays(db._name_set) if refuse is None else _Refuse(refuse)
        )
        self._undo: list[_UndoEntry] = []
        self._savepoints: list[Savepoint] = []

    # -- reads -------------------------------------------------------------------------------------

    def get(self, cf: str, key: bytes) -> Any:
        """The value of ``key`` as this transaction sees it (its own writes first), or ``None``:
        ``bytes``, or the object put in this transaction if its column family has an encoder."""
        try:
            value = self._writes[cf].get(key, _MISSING)
        except KeyError:
            raise self._db._unknown(cf) from None
        if value is _MISSING:
            return self._db._readers[cf].get(key)
        return value

    def exists(self, cf: str, key: bytes) -> bool:
        """Whether ``key`` has a value as this transaction sees it."""
        return self.get(cf, key) is not None

    def iterate(
        self, cf: str, prefix: bytes = b"", start: bytes | None = None, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Yield ``(key, value)`` for keys starting with ``prefix``, in order, as this transaction sees them.

        Lazy: stopping early (``break``) costs nothing for the rest. Pending puts and deletes are
        merged with the stored data, so the iteration shows exactly what :meth:`get` would.

        Args:
            prefix: only keys starting with these bytes (build it with :func:`strom.db.keys.prefix`).
            start: begin at this key instead of the first (last, if ``reverse``): the first key
                ``>= start`` (``<= start`` if ``reverse``). Use it to resume a bounded scan.
            reverse: descending key order.

        A key written by this transaction while the iteration runs shows its current value and a key
        deleted meanwhile is skipped; a key added meanwhile in the part not yet visited may or may
        not be yielded.
        """
        try:
            overlay = self._writes[cf]
        except KeyError:
            raise self._db._unknown(cf) from None
        return _merge(self._db._readers[cf], overlay, prefix, start, reverse)

    # -- writes ------------------------------------------------------------------------------------

    def put(self, cf: str, key: bytes, value: object) -> None:
        """Set ``key`` to ``value`` in this transaction (visible to its reads at once): ``bytes``, or
        an object that the column family's encoder (:meth:`Database.register_encoder`) turns into
        bytes at commit."""
        try:
            overlay = self._writes[cf]
        except KeyError:
            raise self._db._unknown(cf) from None
        if self._savepoints:
            self._undo.append((overlay, key, overlay.get(key, _MISSING)))
        overlay.set(key, value)

    def delete(self, cf: str, key: bytes) -> None:
        """Delete ``key`` in this transaction; deleting a missing key is not an error."""
        try:
            overlay = self._writes[cf]
        except KeyError:
            raise self._db._unknown(cf) from None
        if self._savepoints:
            self._undo.append((overlay, key, overlay.get(key, _MISSING)))
        overlay.set(key, None)

    # -- savepoints --------------------------------------------------------------------------------

    def savepoint(self) -> Savepoint:
        """Mark the current state of the transaction; savepoints nest.

        The stream processor takes one before each command of a batch so that a command whose
        processor raises can be undone without losing the commands before it.
        """
        self._check_open()
        point = Savepoint(len(self._undo))
        self._savepoints.append(point)
        return point

    def rollback_to(self, savepoint: Savepoint) -> None:
        """Undo every write made after ``savepoint``; it stays valid, savepoints inside it are dropped.

        Raises:
            TransactionError: the savepoint was released, rolled back past, or is from another
                transaction.
        """
        index = self._find(savepoint)
        del self._savepoints[index + 1 :]
        undo = self._undo
        mark = savepoint._mark
        if len(undo) > mark:
            for listener in self._db._rollback_listeners:
                listener()
        while len(undo) > mark:
            overlay, key, previous = undo.pop()
            if previous is _MISSING:
                overlay.forget(key)
            else:
                overlay[key] = previous

    def release(self, savepoint: Savepoint) -> None:
        """Forget ``savepoint`` (and those inside it), keeping its writes; ends the undo bookkeeping."""
        index = self._find(savepoint)
        del self._savepoints[index:]
        if not self._savepoints:
            self._undo.clear()

    # -- end ---------------------------------------------------------------------------------------

    def commit(self) -> None:
        """Write all pending changes as one atomic RocksDB write batch (WAL off) and close.

        Either every change becomes visible or none does; on any error the transaction is rolled
        back and closed before the error is raised.

        Raises:
            TransactionError: the transaction is already closed.
            DbError: a key or value is not ``bytes``, or RocksDB refused the write.
        """
        writes = self._writes
        if isinstance(writes, _Refuse):
            raise TransactionError(_CLOSED._message)
        db = self._db
        self._close()
        batch = WriteBatch(raw_mode=True)
        handles = db._handles
        encoders = db._encoders
        for cf, overlay in writes.items():
            if not overlay:
                continue
            handle = handles[cf]
            encode = encoders.get(cf)
            try:
                for key, value in overlay.items():
                    if value is None:
                        batch.delete(key, handle)
                    elif encode is not None and value.__class__ is not bytes:
                        batch.put(key, encode(value), handle)
                    else:
                        batch.put(key, value, handle)
            except (KeyError, ValueError, TypeError) as exc:  # rocksdict: "raw mode only support bytes"
                raise DbError(
                    f"cannot commit: column family {cf!r} got a key or value that is not bytes "
                    f"({exc}); the transaction was rolled back"
                ) from exc
        if batch.is_empty():
            return
        try:
            db._rdict.write(batch, db._write_options)
        except Exception as exc:  # rocksdict raises bare Exception for RocksDB statuses
            raise DbError(f"RocksDB refused the commit of {batch.len()} writes: {exc}") from exc

    def rollback(self) -> None:
        """Discard all pending changes and close. Rolling back a closed transaction does nothing."""
        writes = self._writes
        if not isinstance(writes, _Refuse):
            if any(writes.values()):
                for listener in self._db._rollback_listeners:
                    listener()
            self._close()

    @property
    def is_open(self) -> bool:
        """Whether the transaction can still be used."""
        return not isinstance(self._writes, _Refuse)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> None:
        if exc_type is None:
            if self.is_open:
                self.commit()
        else:
            self.rollback()

    def new_keys(self, low: bytes, high: bytes) -> None:
        """Entity keys (packed with :func:`strom.db.keys.pack_long`) in ``[low, high)`` are made
        in this transaction: nothing is stored under them before it. A read of such a key in a
        column family keyed by entity (:meth:`ColumnFamily.keyed_by_entity`) that this transaction
        did not write is answered "absent" without asking RocksDB.

        Why: a step reads many keys of the instances it has just created (an element's event
        scope, its variables, its taken flows) that do not exist yet. The stream processor knows
        which keys are new: those its key generator hands out from the step's start on.
        """
        self._new_low = low
        self._new_high = high

    def _close(self) -> None:
        self._writes = _CLOSED
        self._undo = []
        self._savepoints = []
        self._db._end(self)

    def _check_open(self) -> None:
        if isinstance(self._writes, _Refuse):
            raise TransactionError(_CLOSED._message)

    def _find(self, savepoint: Savepoint) -> int:
        self._check_open()
        stack = self._savepoints
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] is savepoint:
                return index
        raise TransactionError(
            f"{savepoint!r} is not active in this transaction: it was released, rolled back past, "
            f"or belongs to another transaction"
        )

    def __repr__(self) -> str:
        if isinstance(self._writes, _Refuse):
            return "<Transaction closed>"
        pending = sum(len(o) for o in self._writes.values())
        return f"<Transaction open, {pending} pending writes, {len(self._savepoints)} savepoints>"


@final
class ColumnFamily:
    """One column family, bound to whatever transaction is open on its database.

    State classes keep these (``self._jobs = db.column_family("jobs")``) and call
    ``self._jobs.get(key)``: the call goes to the transaction the stream processor opened, with
    the same semantics as :class:`Transaction`'s methods and less per-call overhead. Using a handle
    while no transaction is open raises :class:`TransactionError`.
    """

    __slots__ = ("_by_entity", "_db", "_name", "_reader")

    def __init__(self, db: Database, name: str, reader: Rdict) -> None:
        self._db = db
        self._name = name
        self._reader = reader
        self._by_entity = False

    def keyed_by_entity(self) -> ColumnFamily:
        """Declare that every key of this column family starts with an entity key packed with
        :func:`strom.db.keys.pack_long` (an element instance's key, …): reads of keys the open
        transaction made (:meth:`Transaction.new_keys`) then skip RocksDB. Returns the handle."""
        self._by_entity = True
        return self

    @property
    def name(self) -> str:
        """The column family's name."""
        return self._name

    def get(self, key: bytes) -> Any:
        """See :meth:`Transaction.get`."""
        txn = self._db._active
        value = txn._writes[self._name].get(key, _MISSING)
        if value is _MISSING:
            if self._by_entity and txn._new_low <= key < txn._new_high:
                return None  # an entity made in this transaction: nothing stored under it yet
            return self._reader.get(key)
        return value

    def exists(self, key: bytes) -> bool:
        """See :meth:`Transaction.exists`."""
        return self.get(key) is not None

    def put(self, key: bytes, value: object) -> None:
        """See :meth:`Transaction.put`."""
        txn = self._db._active
        overlay = txn._writes[self._name]
        if txn._savepoints:
            txn._undo.append((overlay, key, overlay.get(key, _MISSING)))
        if overlay.ordered is not None and key not in overlay:
            insort(overlay.ordered, key)
        overlay[key] = value

    def delete(self, key: bytes) -> None:
        """See :meth:`Transaction.delete`."""
        txn = self._db._active
        overlay = txn._writes[self._name]
        if txn._savepoints:
            txn._undo.append((overlay, key, overlay.get(key, _MISSING)))
        if overlay.ordered is not None and key not in overlay:
            insort(overlay.ordered, key)
        overlay[key] = None

    def iterate(
        self, prefix: bytes = b"", start: bytes | None = None, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """See :meth:`Transaction.iterate`."""
        return _merge(self._reader, self._db._active._writes[self._name], prefix, start, reverse)

    def __repr__(self) -> str:
        return f"<ColumnFamily {self._name!r}>"


NO_TRANSACTION_OPEN: Final = (
    "no transaction is open: state is read and written inside db.transaction(), which the "
    "stream processor opens for each processing step"
)


def prefix_upper_bound(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with ``prefix``; ``None`` if there is none."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes((stripped[-1] + 1,))


def _merge(
    reader: Rdict, overlay: _Overlay, prefix: bytes, start: bytes | None, reverse: bool
) -> Iterator[tuple[bytes, bytes]]:
    # Eager part (runs at call time, so a bad argument fails where the caller made it).
    upper = prefix_upper_bound(prefix)
    options = ReadOptions()
    if upper is not None:
        # Only the upper bound: rocksdict 0.3.29's set_iterate_lower_bound sets the upper bound.
        # The lower end is a seek (forward) or a prefix check (reverse).
        options.set_iterate_upper_bound(upper)
    # rocksdict 0.3.29's iterator borrows the bound from `options` without holding it: `options`
    # must outlive the iterator, or iteration ends early. _merged keeps it in its frame.
    if reverse:
        stored = reader.items(backwards=True, from_key=start, read_opt=options)
        pending = [k for k in overlay.keys_with_prefix(prefix) if start is None or k <= start]
        pending.reverse()
    else:
        seek = prefix if start is None or start < prefix else start
        stored = reader.items(from_key=seek or None, read_opt=options)
        pending = overlay.keys_with_prefix(prefix)
        if start is not None:
            pending = [k for k in pending if k >= start]
    return _merged(reader, overlay, stored, pending, prefix if reverse else b"", reverse, options)  # type: ignore[arg-type]


def _merged(
    reader: Rdict,
    overlay: _Overlay,
    stored: Iterator[tuple[bytes, bytes]],
    pending: list[bytes],
    stop_below: bytes,
    reverse: bool,
    keepalive: ReadOptions,
) -> Iterator[tuple[bytes, bytes]]:
    missing = _MISSING
    get = overlay.get
    index = 0
    count = len(pending)
    for key, value in stored:
        if stop_below and not key.startswith(stop_below):
            break  # reverse scan ran below the prefix
        # Pending keys that come before this stored key.
        while index < count:
            candidate = pending[index]
            if candidate == key or (candidate > key) != reverse:
                break
            index += 1
            current = get(candidate, missing)
            if current is missing:  # rolled back meanwhile: the stored value (if any) counts
                current = reader.get(candidate)
            if current is not None:
                yield candidate, current
        if index < count and pending[index] == key:
            index += 1
        current = get(key, missing)
        if current is missing:
            yield key, value
        elif current is not None:
            yield key, current
    while index < count:
        candidate = pending[index]
        index += 1
        current = get(candidate, missing)
        if current is missing:
            current = reader.get(candidate)
        if current is not None:
            yield candidate, current
