"""``JournalReader``: reads durable records of a ``FileJournal`` in position order.

A reader reads a region of a segment with one ``pread`` (up to ``chunk_size``, never past the
durable end) and slices records out of it, so sequential reading costs a few Python operations per
record and one system call per chunk. It verifies every batch's checksum it hands out, so
corruption that happens after the log was opened is reported, not returned as data.

What a reader may assume: positions come in order without gaps; a record is only returned once its
batch is durable; the log's writer and committer never block on a reader.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import accumulate
from types import TracebackType
from typing import TYPE_CHECKING

from crc32c import crc32c

from strom.log._batch import HEADER, HEADER_SIZE, MAGIC, lengths_struct
from strom.log._segment import SEGMENT_HEADER_SIZE, Segment
from strom.log.errors import LogClosedError, LogCorruptionError, PositionCompactedError

if TYPE_CHECKING:
    from strom.log.journal import FileJournal

DEFAULT_CHUNK_SIZE = 1024 * 1024


class JournalReader:
    """Iterates ``(position, record bytes)`` of durable records; implements ``LogReader``.

    Use from one thread. ``seek`` ends an iteration in progress (its generator stops); start a new
    one after seeking.
    """

    __slots__ = (
        "_batch_first",
        "_chunk_size",
        "_fd",
        "_fd_segment",
        "_journal",
        "_need",
        "_next",
        "_offset",
        "_segment",
        "_segment_end",
    )

    def __init__(self, journal: FileJournal, position: int, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self._journal = journal
        self._chunk_size = chunk_size
        self._fd = -1
        self._fd_segment: Segment | None = None
        # Where the batch holding `_next` starts; valid while `_segment` is not None.
        self._segment: Segment | None = None
        self._segment_end: int | None = None
        self._offset = 0
        self._batch_first = 0
        self._need = 0
        self._next = position
        self.seek(position)

    @property
    def next_position(self) -> int:
        return self._next

    def seek(self, position: int) -> None:
        """Continue at ``position``; see ``LogReader.seek``."""
        journal = self._journal
        if journal._closed:
            raise LogClosedError(f"the log in {journal.directory} is closed")
        if position < journal.first_position:
            raise PositionCompactedError(
                f"cannot read from position {position}: it was compacted; the log starts at position"
                f" {journal.first_position}"
            )
        if position > journal.next_position:
            raise ValueError(
                f"cannot read from position {position}: the log's next position is {journal.next_position}"
            )
        self._next = position
        self._segment = None

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return self.read_available()

    def read_available(self) -> Iterator[tuple[int, bytes]]:
        """Yield every durable record from ``next_position`` on, then stop.

        Raises:
            LogCorruptionError: a batch failed its checksum or the file lacks durable data.
            PositionCompactedError: the records to read next were compacted meanwhile.
            LogClosedError: the log was closed.
        """
        for first, records in self.read_batches():
            position = first
            for data in records:
                following = position + 1
                self._next = following
                yield position, data
                if self._next != following:  # seek() was called: this iteration is over
                    return
                position = following

    def read_batches(self) -> Iterator[tuple[int, list[bytes]]]:
        """Yield ``(position of the first, records)`` per batch (from ``next_position`` on: the
        first batch may be cut), every durable record once, then stop: for a reader of the whole
        log (replay), which then pays per batch what ``read_available`` pays per record.

        Raises:
            as :meth:`read_available`.
        """
        journal = self._journal
        unpack_header = HEADER.unpack_from
        while True:
            if journal._closed:
                raise LogClosedError(f"the log in {journal.directory} is closed")
            mark_segment, durable, durable_end = journal._durable_end
            nxt = self._next
            if nxt > durable:
                return
            segment = self._segment
            if segment is None or (self._segment_end is not None and nxt >= self._segment_end):
                segment = self._locate(nxt)
            offset = self._offset
            want = max(self._chunk_size, self._need)
            if segment is mark_segment and durable_end - offset < want:
                want = durable_end - offset
            buf = os.pread(self._fd, want, offset) if want > 0 else b""
            n = len(buf)
            view = memoryview(buf)
            rel = 0
            batch_first = self._batch_first
            while batch_first <= durable and rel + HEADER_SIZE <= n:
                magic, crc, length, first, count = unpack_header(buf, rel)
                end = rel + 12 + length
                if end > n:
                    break
                if magic != MAGIC or first != batch_first:
                    raise self._corrupt("batch header does not match", offset + rel, batch_first)
                batch_first = first + count
                if batch_first > nxt:
                    if crc32c(view[rel + 8 : end]) != crc:
                        raise self._corrupt("batch checksum mismatch on read", offset + rel, first)
                    lens = lengths_struct(count).unpack_from(buf, rel + HEADER_SIZE)
                    p = rel + HEADER_SIZE + 4 * count
                    pos = first
                    if nxt > first:  # started in the middle of this batch
                        skip = nxt - first
                        p += sum(lens[:skip])
                        lens = lens[skip:]
                        pos = nxt
                    ends = list(accumulate(lens, initial=p))
                    # the records sliced out in C: no Python step per record
                    records = list(map(buf.__getitem__, map(slice, ends, ends[1:])))
                    self._next = batch_first
                    yield pos, records
                    if self._next != batch_first:  # seek() was called: this iteration is over
                        return
                    nxt = batch_first
                rel = end
                self._offset = offset + rel
                self._batch_first = batch_first
            if rel:
                self._need = 0
                continue
            # Nothing could be consumed from this read.
            if n >= HEADER_SIZE:
                size = 12 + unpack_header(buf, 0)[2]
                if size > n == want:
                    self._need = size  # a batch larger than one chunk
                    continue
            if journal._segment_for(nxt)[0] is not segment:
                self._segment = None  # the writer rolled on after we located this segment
                continue
            raise self._corrupt(f"durable records missing: only {n} bytes readable", offset, nxt)

    def _locate(self, position: int) -> Segment:
        segment, self._segment_end = self._journal._segment_for(position)
        if segment is not self._fd_segment:
            self._close_fd()
            try:
                self._fd = os.open(segment.path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                raise PositionCompactedError(
                    f"cannot read position {position}: its segment {segment.path} was compacted"
                ) from None
            self._fd_segment = segment
        try:
            self._batch_first, self._offset = segment.index.floor(position)
        except LookupError:
            self._batch_first, self._offset = segment.first_position, SEGMENT_HEADER_SIZE
        self._need = 0
        self._segment = segment
        return segment

    def _corrupt(self, message: str, offset: int, position: int) -> LogCorruptionError:
        assert self._fd_segment is not None
        return LogCorruptionError(message, segment=self._fd_segment.path, offset=offset, position=position)

    def _close_fd(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            self._fd_segment = None
            os.close(fd)

    def close(self) -> None:
        """Release the open segment file; idempotent. Reading again reopens it."""
        self._close_fd()
        self._segment = None

    def __enter__(self) -> JournalReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self._close_fd()
