"""``FileJournal``: the embedded default log, a directory of segment files with group commit.

Durability invariants (recovery relies on every one of them):

* A batch is one frame with a checksum over all of it, written with one ``pwrite``; it is either
  complete and valid after a crash or it is the torn tail.
* ``durable_position`` only moves after an ``fdatasync`` that started after the covered batches were
  written (the sync of an fd covers everything written to it before the sync began).
* Before a new segment is created the old one is synced, so every segment but the last is fully
  durable: a bad batch in any other segment is corruption, never a torn write.
* Segment creation, truncation and deletion are made durable (file and directory sync) before
  anything depends on them.

Threads: one writer thread calls ``append``, ``flush``, ``compact``, ``start_group_commit``,
``stop_group_commit`` and ``close``; the committer thread only syncs and reports; readers open their
own file descriptors and may run on any thread. ``_lock`` guards the segment list, the durable mark
and the active segment's descriptor; ``append`` takes no lock.
"""

from __future__ import annotations

import logging
import os
import threading
from bisect import bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from strom.log import _batch
from strom.log._committer import GroupCommitter
from strom.log._reader import JournalReader
from strom.log._segment import (
    SEGMENT_HEADER_SIZE,
    TMP_SUFFIX,
    Segment,
    fsync_directory,
    parse_segment_name,
)
from strom.log.errors import (
    BatchTooLargeError,
    LogClosedError,
    LogCorruptionError,
    LogFailedError,
    PositionCompactedError,
)

DEFAULT_SEGMENT_SIZE = 128 * 1024 * 1024
DEFAULT_INDEX_INTERVAL = 64 * 1024
MIN_SEGMENT_SIZE = 4096

_log = logging.getLogger(__name__)


class FileJournal:
    """A partition's log as segment files in ``directory``; implements ``LogStorage``.

    Opening recovers: every segment is verified, a torn tail is truncated (and logged), anything
    else that is wrong raises ``LogCorruptionError``; then the tail is synced, so everything found on
    disk counts as durable.

    A batch never spans segments. A batch larger than what one segment can hold
    (``max_batch_size``) is rejected with ``BatchTooLargeError`` rather than given an oversized
    segment of its own, so every segment stays within ``segment_size``.

    Args:
        directory: the partition's log directory; created if missing.
        segment_size: the largest a segment file may grow, in bytes.
        index_interval: bytes between sparse index entries; a seek reads at most this much extra.

    Raises:
        LogCorruptionError: see above; the message names the segment file, byte offset and position.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        index_interval: int = DEFAULT_INDEX_INTERVAL,
    ) -> None:
        if segment_size < MIN_SEGMENT_SIZE:
            raise ValueError(f"`segment_size` must be at least {MIN_SEGMENT_SIZE} bytes, got {segment_size}")
        self._dir = Path(directory)
        self._segment_size = segment_size
        self._index_interval = index_interval
        self._lock = threading.Lock()
        # Appends only frame and queue a batch; whoever makes data durable (the committer, `flush`,
        # a segment roll) writes the queued frames and syncs, holding `_io_lock`, so the writer
        # thread never blocks on the file while a sync is in progress.
        self._pending: list[tuple[Segment, int, bytearray]] = []
        self._pending_lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._closed = False
        self._failure: BaseException | None = None
        self._wake: threading.Event | None = None
        self._committer: GroupCommitter | None = None

        self._segments, self._next = self._recover()
        self._firsts = [s.first_position for s in self._segments]
        active = self._segments[-1]
        self._active = active
        self._tail: tuple[Segment, int, int] = (active, self._next, active.size)
        # What `fdatasync` has covered: everything on disk now, after this sync.
        os.fdatasync(active.fd)
        self._durable = self._next - 1
        self._durable_end: tuple[Segment, int, int] = (active, self._durable, active.size)

    # ------------------------------------------------------------------ recovery

    def _recover(self) -> tuple[list[Segment], int]:
        """Open and verify the segments; return them and the next position."""
        created = not self._dir.exists()
        self._dir.mkdir(parents=True, exist_ok=True)
        if created:
            fsync_directory(self._dir.parent)
        found: list[tuple[int, Path]] = []
        removed_tmp = False
        for entry in os.scandir(self._dir):
            unfinished = entry.name.endswith(TMP_SUFFIX)
            if unfinished and parse_segment_name(entry.name[: -len(TMP_SUFFIX)]) is not None:
                # A segment whose creation did not finish: it never held a batch.
                _log.warning("removing unfinished segment file %s", entry.path)
                os.unlink(entry.path)
                removed_tmp = True
                continue
            first = parse_segment_name(entry.name)
            if first is not None:
                found.append((first, Path(entry.path)))
        if removed_tmp:
            fsync_directory(self._dir)
        found.sort()
        if not found:
            return [Segment.create(self._dir, 1, self._index_interval)], 1

        segments: list[Segment] = []
        expected: int | None = None
        try:
            for i, (first, path) in enumerate(found):
                last = i == len(found) - 1
                if expected is not None and first != expected:
                    raise LogCorruptionError(
                        f"segment starts at position {first} but the previous segment ends before"
                        f" position {expected}: a segment is missing or was replaced",
                        segment=path,
                        offset=0,
                        position=expected,
                    )
                segment = Segment.open(path, first, self._index_interval)
                segments.append(segment)
                result = segment.scan()
                if result.problem is not None:
                    self._handle_bad_batch(
                        segment,
                        result.end_offset,
                        result.next_position,
                        result.file_size,
                        result.problem,
                        last,
                    )
                segment.size = result.end_offset
                expected = result.next_position
                if not last:
                    segment.close_fd()
        except BaseException:
            for segment in segments:
                segment.close_fd()
            raise
        assert expected is not None
        return segments, expected

    def _handle_bad_batch(
        self, segment: Segment, offset: int, position: int, file_size: int, problem: str, last: bool
    ) -> None:
        """Truncate a torn tail; raise if the bad batch is not the tail."""
        if not last:
            raise LogCorruptionError(
                f"invalid batch ({problem}) in a segment that is not the last one; sealed segments are"
                " synced before the next is created, so this is not a torn write",
                segment=segment.path,
                offset=offset,
                position=position,
            )
        later = segment.find_valid_frame_after(offset, file_size)
        if later is not None:
            raise LogCorruptionError(
                f"invalid batch ({problem}) followed by a valid batch at byte offset {later}",
                segment=segment.path,
                offset=offset,
                position=position,
            )
        _log.warning(
            "log recovery: truncating torn tail of segment %s at byte offset %d (position %d): %s;"
            " %d bytes dropped",
            segment.path,
            offset,
            position,
            problem,
            file_size - offset,
        )
        segment.truncate(offset)

    # ------------------------------------------------------------------ properties

    @property
    def directory(self) -> Path:
        return self._dir

    @property
    def next_position(self) -> int:
        return self._next

    @property
    def durable_position(self) -> int:
        return self._durable

    @property
    def first_position(self) -> int:
        return self._firsts[0]

    @property
    def failure(self) -> BaseException | None:
        """What made the log refuse further work (a failed write or sync, e.g. the disk is full),
        also when only the committer thread has seen it yet; None while it works."""
        return self._failure

    @property
    def max_batch_size(self) -> int:
        """The largest batch a segment can hold, framed: 24 bytes + 4 per record + the records."""
        return self._segment_size - SEGMENT_HEADER_SIZE

    @property
    def segment_paths(self) -> list[Path]:
        """The segment files, oldest first (for operators and tests)."""
        with self._lock:
            return [s.path for s in self._segments]

    # ------------------------------------------------------------------ writing

    def append(self, entries: Sequence[bytes]) -> int:
        """Append one batch; see ``LogStorage.append``. Writes to the file, never waits for a sync."""
        if self._closed or self._failure is not None:
            self._raise_unusable()
        count = len(entries)
        if count == 0:
            raise ValueError("`entries` must hold at least one record: an empty batch has no position")
        if count > _batch.MAX_RECORDS:
            raise BatchTooLargeError(f"a batch holds at most {_batch.MAX_RECORDS} records, got {count}")
        first = self._next
        frame = _batch.encode(first, entries)
        size = len(frame)
        segment = self._active
        if segment.size + size > self._segment_size:
            if size > self._segment_size - SEGMENT_HEADER_SIZE:
                raise BatchTooLargeError(
                    f"a batch of {count} records needs {size} bytes but a segment holds at most"
                    f" {self._segment_size - SEGMENT_HEADER_SIZE}; split the batch or raise `segment_size`"
                )
            segment = self._roll()
        offset = segment.size
        segment.index.add(first, offset)
        segment.size = end = offset + size
        self._next = nxt = first + count
        with self._pending_lock:
            self._pending.append((segment, offset, frame))
            self._tail = (segment, nxt, end)
        wake = self._wake
        if wake is not None and not wake.is_set():
            wake.set()
        return first

    def _roll(self) -> Segment:
        old = self._active
        try:
            # Sealed segments are fully durable before a later one exists (recovery relies on it).
            with self._io_lock:
                self._write_pending()
                os.fdatasync(old.fd)
            new = Segment.create(self._dir, self._next, self._index_interval)
        except OSError as exc:
            self._fail(exc)
            raise LogFailedError(
                f"rolling from {old.path} to a new segment at position {self._next} failed;"
                " close and reopen the log"
            ) from exc
        with self._lock:
            self._segments.append(new)
            self._firsts.append(new.first_position)
            self._active = new
            self._tail = (new, self._next, new.size)
            self._set_durable(old, self._next - 1, old.size)
            old.close_fd()
        return new

    def flush(self) -> int:
        """Sync everything appended so far with one ``fdatasync``; return the durable position."""
        if self._closed or self._failure is not None:
            self._raise_unusable()
        segment, nxt, end = self._tail
        if nxt - 1 > self._durable:
            try:
                with self._io_lock:
                    segment, nxt, end = self._write_pending()
                    os.fdatasync(segment.fd)
            except OSError as exc:
                self._fail(exc)
                raise LogFailedError(f"syncing {segment.path} failed; close and reopen the log") from exc
            with self._lock:
                self._set_durable(segment, nxt - 1, end)
            wake = self._wake
            if wake is not None:
                wake.set()  # the committer reports the new durable position
        return self._durable

    def _set_durable(self, segment: Segment, position: int, end: int) -> None:
        # Caller holds `_lock`. Syncs may finish out of order (writer and committer); keep the max.
        if position > self._durable:
            self._durable = position
            self._durable_end = (segment, position, end)

    # ------------------------------------------------------------------ group commit

    def start_group_commit(self, on_durable: Callable[[int], None], max_delay_s: float = 0.0) -> None:
        """Start the committer thread; see ``LogStorage.start_group_commit``.

        The committer syncs the active segment's file (a duplicate of its descriptor, so a concurrent
        segment roll never closes it mid-sync); the writer keeps writing meanwhile because
        ``fdatasync`` releases the GIL. If a sync or ``on_durable`` raises, the committer stops and
        the log fails: the next ``append`` or ``flush`` raises ``LogFailedError``.
        """
        if self._closed or self._failure is not None:
            self._raise_unusable()
        if self._committer is not None:
            raise RuntimeError("group commit is already running; call stop_group_commit() first")
        self._committer = GroupCommitter(
            f"strom-log-committer[{self._dir}]",
            self._sync_tail,
            on_durable,
            max_delay_s,
            self._fail,
            self._durable,
        )
        self._wake = self._committer.wake
        if self._tail[1] - 1 > self._durable:
            self._wake.set()

    def stop_group_commit(self) -> None:
        """Flush, let ``on_durable`` see the final position, and stop the committer.

        Raises:
            LogFailedError: the committer had failed (its error is the cause).
        """
        committer = self._committer
        if committer is None:
            return
        self._wake = None
        self._committer = None
        committer.stop()
        if self._failure is not None:
            self._raise_unusable()

    def _sync_tail(self) -> int:
        """The committer's step: write what was appended, sync it once; returns the durable position."""
        with self._io_lock:
            segment, nxt, end = self._write_pending()
            if nxt - 1 <= self._durable:
                return self._durable
            with self._lock:
                fd = os.dup(segment.fd)
            try:
                os.fdatasync(fd)
            finally:
                os.close(fd)
        with self._lock:
            self._set_durable(segment, nxt - 1, end)
            return self._durable

    def _write_pending(self) -> tuple[Segment, int, int]:
        """Write the queued batches (caller holds ``_io_lock``); returns the tail they end at.

        Consecutive batches of one segment go out in one ``pwrite``.
        """
        with self._pending_lock:
            pending, self._pending = self._pending, []
            tail = self._tail
        index = 0
        while index < len(pending):
            segment, offset, frame = pending[index]
            chunk = [frame]
            end = offset + len(frame)
            index += 1
            while index < len(pending) and pending[index][0] is segment and pending[index][1] == end:
                chunk.append(pending[index][2])
                end += len(pending[index][2])
                index += 1
            data = chunk[0] if len(chunk) == 1 else bytearray(b"".join(chunk))
            try:
                segment.write(data, offset)
            except OSError as exc:
                self._fail(exc)
                raise LogFailedError(
                    f"writing at offset {offset} of {segment.path} failed; close and reopen the log"
                ) from exc
        return tail

    # ------------------------------------------------------------------ reading

    def reader(self, from_position: int | None = None) -> JournalReader:
        """A reader of durable records from ``from_position`` (default ``first_position``)."""
        if self._closed:
            raise LogClosedError(f"the log in {self._dir} is closed")
        return JournalReader(self, self.first_position if from_position is None else from_position)

    def _segment_for(self, position: int) -> tuple[Segment, int | None]:
        """The segment holding ``position`` and the first position of the one after it (if any)."""
        with self._lock:
            firsts = self._firsts
            if position < firsts[0]:
                raise PositionCompactedError(
                    f"position {position} was compacted; the log starts at position {firsts[0]}"
                )
            i = bisect_right(firsts, position) - 1
            return self._segments[i], firsts[i + 1] if i + 1 < len(firsts) else None

    # ------------------------------------------------------------------ compaction and lifecycle

    def compact(self, below_position: int) -> int:
        """Delete the oldest segments whose records are all below ``below_position``.

        The active segment is never deleted, and sealed segments are always durable. Readers already
        reading a deleted segment finish it (they hold their own descriptor); seeking into it raises
        ``PositionCompactedError``. Returns the new ``first_position``.
        """
        if self._closed:
            raise LogClosedError(f"the log in {self._dir} is closed")
        removed: list[Segment] = []
        with self._lock:
            while len(self._segments) > 1 and self._firsts[1] <= below_position:
                removed.append(self._segments.pop(0))
                self._firsts.pop(0)
        for segment in removed:
            os.unlink(segment.path)
        if removed:
            fsync_directory(self._dir)
            _log.info(
                "log compaction: deleted %d segment(s) below position %d; the log starts at position %d",
                len(removed),
                below_position,
                self.first_position,
            )
        return self.first_position

    def close(self) -> None:
        """Stop group commit, flush, close the files; idempotent.

        Raises:
            LogFailedError: the log had failed; files are closed anyway.
        """
        if self._closed:
            return
        try:
            if self._committer is not None:
                self.stop_group_commit()
            elif self._failure is None:
                self.flush()
        finally:
            with self._lock:
                self._closed = True
                self._active.close_fd()

    def __enter__(self) -> FileJournal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _fail(self, exc: BaseException) -> None:
        if self._failure is None:
            self._failure = exc

    def _raise_unusable(self) -> None:
        if self._closed:
            raise LogClosedError(f"the log in {self._dir} is closed")
        raise LogFailedError(
            f"the log in {self._dir} failed earlier and refuses further work; close and reopen it"
        ) from self._failure

    def __repr__(self) -> str:
        return (
            f"FileJournal({str(self._dir)!r}, first_position={self.first_position},"
            f" durable_position={self._durable}, next_position={self._next})"
        )
