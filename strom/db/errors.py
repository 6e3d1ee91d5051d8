"""The exceptions of ``strom.db``: one base class, one subclass per kind of mistake or failure."""

from __future__ import annotations


class DbError(Exception):
    """Base of every error raised by ``strom.db``.

    Raised as itself when RocksDB fails underneath us (cannot open the directory, a write or flush
    fails). The runtime database is disposable, so the usual remedy for a failing partition is to
    stop it and start again: restore the newest snapshot and replay the log.
    """


class UnknownColumnFamilyError(DbError):
    """A column family name was used that the database was not opened with.

    Column families are fixed when the :class:`~strom.db.Database` is opened; add the name to the
    list passed there (it is created on open if missing).
    """


class TransactionError(DbError):
    """A transaction was used the wrong way.

    Raised for a second transaction while one is open, for use of a committed or rolled-back
    transaction, for state access through a column family handle while no transaction is open, and
    for a savepoint that was already released or rolled back past. These are bugs in the caller.
    """


class KeyEncodingError(DbError, ValueError):
    """A key part cannot be encoded (wrong type, out of the 64-bit range) or a key cannot be decoded.

    Also a ``ValueError`` so that callers validating user input can catch the usual type.
    """


class SnapshotError(DbError):
    """A snapshot could not be created, read or restored.

    A failed creation never damages older snapshots: the half-written directory has no metadata, so
    :func:`~strom.db.latest_snapshot` ignores it and :func:`~strom.db.prune_snapshots` removes it.
    """
