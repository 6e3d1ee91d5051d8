"""``InMemoryLog``: the ``LogStorage`` contract without files, for fast tests of other layers.

Nothing survives the process. "Durable" still means something here: records appended but not yet
flushed or group-committed are invisible to readers, exactly as with the file journal, so a layer
tested on this log cannot come to rely on seeing its own unflushed writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType

from strom.log import _batch
from strom.log._committer import GroupCommitter
from strom.log.errors import BatchTooLargeError, LogClosedError, LogFailedError, PositionCompactedError

_READ_SLICE = 4096


class InMemoryLog:
    """An in-memory log; implements ``LogStorage``.

    Group commit comes in two flavours:

    * ``threaded_commit=True`` (default): like the file journal, a committer thread makes appended
      batches durable and calls ``on_durable`` from that thread, after ``append`` has returned.
    * ``threaded_commit=False``: no thread; durability advances only in ``flush()``, which calls
      ``on_durable`` synchronously on the caller's thread before returning. Deterministic, for
      tests that want to decide when things become durable. ``on_durable`` is never called from
      inside ``append``, so callers may register what waits for a position after appending it.

    Args:
        max_batch_size: refuse batches whose frame (as the file journal would store it) is larger,
            to exercise ``BatchTooLargeError`` handling; ``None`` for no limit.
        threaded_commit: see above.
    """

    def __init__(self, *, max_batch_size: int | None = None, threaded_commit: bool = True) -> None:
        self._records: list[bytes] = []
        self._first = 1  # position of _records[0]
        self._next = 1
        self._durable = 0
        self._lock = threading.Lock()  # readers may run on other threads than the writer
        self._closed = False
        self._failure: BaseException | None = None
        self._max_batch_size = max_batch_size
        self._threaded = threaded_commit
        self._committer: GroupCommitter | None = None
        self._wake: threading.Event | None = None
        self._on_durable: Callable[[int], None] | None = None  # the synchronous flavour's callback

    @property
    def next_position(self) -> int:
        return self._next

    @property
    def durable_position(self) -> int:
        return self._durable

    @property
    def first_position(self) -> int:
        return self._first

    def append(self, entries: Sequence[bytes]) -> int:
        """Append one batch; see ``LogStorage.append``."""
        self._check_usable()
        if not entries:
            raise ValueError("`entries` must hold at least one record: an empty batch has no position")
        if self._max_batch_size is not None and _batch.frame_size(entries) > self._max_batch_size:
            raise BatchTooLargeError(
                f"a batch of {len(entries)} records needs {_batch.frame_size(entries)} bytes but at most"
                f" {self._max_batch_size} are allowed; split the batch"
            )
        records = [bytes(e) for e in entries]  # a caller's bytearray must not change the log later
        with self._lock:
            first = self._next
            self._records.extend(records)
            self._next = first + len(records)
        wake = self._wake
        if wake is not None and not wake.is_set():
            wake.set()
        return first

    def flush(self) -> int:
        """Make everything appended durable; in the synchronous flavour, report it to ``on_durable``."""
        self._check_usable()
        advanced = self._make_durable()
        if self._wake is not None:
            self._wake.set()
        elif advanced and self._on_durable is not None:
            self._on_durable(self._durable)
        return self._durable

    def _make_durable(self) -> bool:
        with self._lock:
            if self._next - 1 <= self._durable:
                return False
            self._durable = self._next - 1
            return True

    def _sync(self) -> int:
        self._make_durable()
        return self._durable

    def start_group_commit(self, on_durable: Callable[[int], None], max_delay_s: float = 0.0) -> None:
        """Start group commit in the flavour chosen at construction; see the class docstring."""
        self._check_usable()
        if self._committer is not None or self._on_durable is not None:
            raise RuntimeError("group commit is already running; call stop_group_commit() first")
        if not self._threaded:
            self._on_durable = on_durable
            return
        self._committer = GroupCommitter(
            "strom-log-committer[memory]", self._sync, on_durable, max_delay_s, self._fail, self._durable
        )
        self._wake = self._committer.wake
        if self._next - 1 > self._durable:
            self._wake.set()

    def stop_group_commit(self) -> None:
        """Flush, report the final durable position, and stop group commit."""
        if self._on_durable is not None:
            try:
                self.flush()
            finally:
                self._on_durable = None
            return
        committer = self._committer
        if committer is None:
            return
        self._wake = None
        self._committer = None
        committer.stop()
        if self._failure is not None:
            self._check_usable()

    def reader(self, from_position: int | None = None) -> InMemoryReader:
        """A reader of durable records from ``from_position`` (default ``first_position``)."""
        if self._closed:
            raise LogClosedError("the in-memory log is closed")
        return InMemoryReader(self, self._first if from_position is None else from_position)

    def compact(self, below_position: int) -> int:
        """Drop every durable record below ``below_position``; return the new ``first_position``."""
        if self._closed:
            raise LogClosedError("the in-memory log is closed")
        with self._lock:
            cut = min(below_position, self._durable + 1)
            if cut > self._first:
                del self._records[: cut - self._first]
                self._first = cut
            return self._first

    def close(self) -> None:
        """Stop group commit and flush; idempotent."""
        if self._closed:
            return
        try:
            if self._failure is None:
                self.stop_group_commit()
                self.flush()
        finally:
            self._closed = True

    def __enter__(self) -> InMemoryLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _read(self, position: int, limit: int) -> list[bytes]:
        """Up to ``limit`` durable records from ``position`` on, copied out under the lock."""
        with self._lock:
            if position < self._first:
                raise PositionCompactedError(
                    f"cannot read position {position}: it was compacted; the log starts at position"
                    f" {self._first}"
                )
            start = position - self._first
            return self._records[start : min(start + limit, self._durable + 1 - self._first)]

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc

    def _check_usable(self) -> None:
        if self._closed:
            raise LogClosedError("the in-memory log is closed")
        if self._failure is not None:
            raise LogFailedError(
                "the in-memory log failed earlier (its durability callback raised); create a new one"
            ) from self._failure


class InMemoryReader:
    """Reads durable records of an ``InMemoryLog``; implements ``LogReader``."""

    def __init__(self, log: InMemoryLog, position: int) -> None:
        self._log = log
        self._next = position
        self.seek(position)

    @property
    def next_position(self) -> int:
        return self._next

    def seek(self, position: int) -> None:
        """Continue at ``position``; see ``LogReader.seek``."""
        log = self._log
        if position < log.first_position:
            raise PositionCompactedError(
                f"cannot read from position {position}: it was compacted; the log starts at position"
                f" {log.first_position}"
            )
        if position > log.next_position:
            raise ValueError(
                f"cannot read from position {position}: the log's next position is {log.next_position}"
            )
        self._next = position

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return self.read_available()

    def read_available(self) -> Iterator[tuple[int, bytes]]:
        """Yield every durable record from ``next_position`` on, then stop."""
        while True:
            if self._log._closed:
                raise LogClosedError("the in-memory log is closed")
            pos = self._next
            records = self._log._read(pos, _READ_SLICE)
            if not records:
                return
            for record in records:
                self._next = pos + 1
                yield pos, record
                if self._next != pos + 1:  # seek() was called: this iteration is over
                    return
                pos += 1

    def close(self) -> None:
        """Nothing to release; present for the ``LogReader`` protocol."""

    def __enter__(self) -> InMemoryReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
