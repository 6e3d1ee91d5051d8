"""``LogFiles``: reads a ``FileJournal``'s segment files without owning them.

For readers outside the partition that writes the log (the gateway's record log explorer, while
the partition runs in this or another process): nothing is opened for writing, nothing is
truncated or locked, and the writer is never waited for. What that costs:

* The tail may be **torn** (a batch being written): a frame that is incomplete or fails its
  checksum in the newest segment ends the read there, as the end of the log; a later read goes on
  from there. In an older segment it is corruption (``LogCorruptionError``).
* Records are read once **written**, which is a little before they are durable: a crash of the
  machine (not of the process) could still take the newest away.
* The writer may **compact** meanwhile: a segment deleted before it was opened raises
  ``PositionCompactedError``; an open one stays readable to the end.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Generator, Iterator
from pathlib import Path

from strom.log._batch import HEADER, HEADER_SIZE, MAGIC, check, lengths_struct
from strom.log._segment import SEGMENT_HEADER_SIZE, parse_segment_name
from strom.log.errors import LogCorruptionError, PositionCompactedError

_CHUNK = 1024 * 1024
_INDEX_EVERY = 64 * 1024
"""Bytes between the batch offsets remembered per segment, so a later read seeks instead of scans."""


class LogFiles:
    """The segment files in ``directory`` (a partition's ``log/``), read-only.

    Safe to use from one thread at a time; keeps a sparse index of the batches it has seen.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._index: dict[int, tuple[list[int], list[int]]] = {}
        """Per segment (by first position): ascending batch first positions and their offsets."""

    def segments(self) -> list[int]:
        """The first positions of the segments there now, ascending (empty when there is no log)."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        firsts = sorted(first for name in names if (first := parse_segment_name(name)) is not None)
        for gone in set(self._index) - set(firsts):
            del self._index[gone]
        return firsts

    @property
    def first_position(self) -> int:
        """The lowest position still stored (1 unless compacted; 1 for an empty log too)."""
        firsts = self.segments()
        return firsts[0] if firsts else 1

    def read(self, position: int) -> Iterator[tuple[int, bytes]]:
        """Yield ``(position, record bytes)`` from ``position`` on, up to the written end.

        Raises:
            PositionCompactedError: ``position`` is below the first stored position.
            LogCorruptionError: a bad batch before the newest segment's end.
        """
        firsts = self.segments()
        if not firsts:
            return
        if position < firsts[0]:
            raise PositionCompactedError(
                f"cannot read from position {position}: it was compacted; the log starts at position"
                f" {firsts[0]}"
            )
        while True:
            i = bisect_right(firsts, position) - 1
            end = yield from self._read_segment(firsts[i], position, last=i == len(firsts) - 1)
            if end is None:  # the torn or unfinished tail of the newest segment
                return
            position = end
            firsts = self.segments()
            if firsts and position < firsts[0]:
                raise PositionCompactedError(
                    f"cannot read position {position}: it was compacted while reading; the log now"
                    f" starts at position {firsts[0]}"
                )
            if position not in firsts:  # the written end: no segment after this one (yet)
                return

    def _read_segment(
        self, first: int, position: int, last: bool
    ) -> Generator[tuple[int, bytes], None, int | None]:
        """Records of one segment from ``position``; returns the position after its last batch, or
        None when it ended in a torn tail (only allowed for the newest segment)."""
        path = self.directory / f"segment-{first:020d}.log"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise PositionCompactedError(
                f"cannot read position {position}: its segment {path} was compacted"
            ) from None
        try:
            positions, offsets = self._index.setdefault(first, ([first], [SEGMENT_HEADER_SIZE]))
            k = bisect_right(positions, position) - 1
            batch_first, offset = positions[k], offsets[k]
            size = os.fstat(fd).st_size
            buf, base = b"", offset
            while offset < size:
                rel = offset - base
                if rel + HEADER_SIZE > len(buf) or rel + 12 + HEADER.unpack_from(buf, rel)[2] > len(buf):
                    head = os.pread(fd, HEADER_SIZE, offset)
                    want = _CHUNK
                    if len(head) == HEADER_SIZE and head[:4] == MAGIC:
                        want = max(want, 12 + HEADER.unpack(head)[2])
                    buf, base, rel = os.pread(fd, min(want, size - offset), offset), offset, 0
                checked = check(buf, rel, size - offset)
                if isinstance(checked, str):
                    if last:
                        return None
                    raise LogCorruptionError(checked, segment=path, offset=offset, position=batch_first)
                frame_first, count, frame_size = checked
                if frame_first != batch_first:
                    raise LogCorruptionError(
                        f"batch starts at position {frame_first}, expected {batch_first}",
                        segment=path,
                        offset=offset,
                        position=batch_first,
                    )
                if offset - offsets[-1] >= _INDEX_EVERY and frame_first > positions[-1]:
                    positions.append(frame_first)
                    offsets.append(offset)
                if frame_first + count > position:
                    yield from _records(buf, rel, frame_first, count, position)
                    position = frame_first + count
                batch_first = frame_first + count
                offset += frame_size
            return batch_first
        finally:
            os.close(fd)


def _records(buf: bytes, rel: int, first: int, count: int, position: int) -> Iterator[tuple[int, bytes]]:
    """The records of the (checked) batch at ``buf[rel:]`` from ``position`` on."""
    lengths = lengths_struct(count).unpack_from(buf, rel + HEADER_SIZE)
    p = rel + HEADER_SIZE + 4 * count
    for n, length in enumerate(lengths):
        if first + n >= position:
            yield first + n, buf[p : p + length]
        p += length


__all__ = ["LogFiles"]
