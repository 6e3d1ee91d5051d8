"""The ``LogStorage`` protocol: what the stream platform needs from a partition's log.

Kept small on purpose so that a replicated implementation (one NATS JetStream stream per partition,
with the single writer fenced by optimistic concurrency) can replace the file journal without the
engine noticing.

Threading contract: one **writer** thread calls ``append``, ``flush``, ``compact``,
``start_group_commit``, ``stop_group_commit`` and ``close``. Readers may live on other threads, one
thread per reader. ``on_durable`` is called from the committer thread.

What a caller may rely on:

* Positions are consecutive integers starting at 1; a batch's records get consecutive positions and
  ``append`` returns the first one, which always equals ``next_position`` before the call.
* A batch is all or nothing, also across a crash: after recovery either all of its records are
  there or none, and nothing after a missing batch.
* A position reported durable (by ``flush``, ``durable_position`` or ``on_durable``) survives a
  crash of the process or the machine. Only durable records are visible to readers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Protocol


class LogReader(Protocol):
    """Reads durable records in position order; poll it again later for newer ones.

    Iterating (or ``read_available()``) yields ``(position, record bytes)`` until the durable end
    and then stops; calling it again continues where the last call stopped, including in the middle
    of a batch. Stopping an iteration early (``break``) loses nothing: ``next_position`` is the
    position after the last record handed out.
    """

    @property
    def next_position(self) -> int:
        """The position the next record read will have."""
        ...

    def seek(self, position: int) -> None:
        """Continue reading at ``position`` (any position from ``first_position`` to ``next_position``).

        Raises:
            PositionCompactedError: ``position`` is below the log's ``first_position``.
            ValueError: ``position`` is beyond the log's ``next_position``.
        """
        ...

    def read_available(self) -> Iterator[tuple[int, bytes]]:
        """Yield every durable record from ``next_position`` on, then stop."""
        ...

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        """Same as ``read_available()``."""
        ...

    def close(self) -> None:
        """Release the reader's file handles; idempotent."""
        ...

    def __enter__(self) -> LogReader: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class LogStorage(Protocol):
    """An append-only log of opaque records for one partition: the write-ahead log of the system."""

    @property
    def next_position(self) -> int:
        """The position the next appended record gets."""
        ...

    @property
    def durable_position(self) -> int:
        """The highest position that is durable; 0 while nothing is."""
        ...

    @property
    def first_position(self) -> int:
        """The lowest position still stored (it rises only through ``compact``)."""
        ...

    def append(self, entries: Sequence[bytes]) -> int:
        """Append one batch of records, all or nothing, and return the position of its first record.

        Buffers or writes; does not make durable (see ``flush`` and ``start_group_commit``).

        Raises:
            ValueError: ``entries`` is empty.
            BatchTooLargeError: the batch cannot be stored as one unit; nothing was appended.
            LogFailedError: an earlier write or sync failed; reopen the log.
            LogClosedError: the log was closed.
        """
        ...

    def flush(self) -> int:
        """Make everything appended so far durable (one sync) and return the durable position."""
        ...

    def start_group_commit(self, on_durable: Callable[[int], None], max_delay_s: float = 0.0) -> None:
        """Make appended records durable in the background, many batches per sync.

        Whenever records are appended but not durable, the committer syncs everything appended so
        far, then calls ``on_durable(new_durable_position)`` from its own thread; positions passed
        strictly increase. ``max_delay_s`` lets the committer wait that long for more batches before
        syncing. Appends never wait for a sync in progress.
        """
        ...

    def stop_group_commit(self) -> None:
        """Flush, report the final durable position to ``on_durable``, and stop the committer."""
        ...

    def reader(self, from_position: int | None = None) -> LogReader:
        """A new reader starting at ``from_position`` (default: ``first_position``)."""
        ...

    def compact(self, below_position: int) -> int:
        """Delete stored records below ``below_position`` where the storage unit allows it.

        Never deletes a record at or above ``below_position``, nor records that are not durable.
        How much is deleted is up to the implementation (the file journal deletes whole segments
        only). Returns the new ``first_position``.
        """
        ...

    def close(self) -> None:
        """Stop group commit, flush, and release resources; idempotent."""
        ...
