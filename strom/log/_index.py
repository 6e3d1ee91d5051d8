"""Sparse in-memory index of one segment: batch first position -> byte offset.

Not stored on disk: it is rebuilt while recovery scans the segment, so it can never disagree with
the data. Only one batch per ``interval`` bytes is recorded; a seek finds the nearest indexed batch
at or before the wanted position and reads forward from there, which costs at most ``interval``
bytes of headers and never a full scan.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right


class SparseIndex:
    """Batch start positions and their offsets, ascending; safe to read while the writer adds.

    The writer appends the offset before the position, so a reader that found ``i`` through
    ``positions`` always finds ``offsets[i]``.
    """

    __slots__ = ("_next_offset", "interval", "offsets", "positions")

    def __init__(self, interval: int) -> None:
        if interval < 1:
            raise ValueError(f"`interval` must be at least 1 byte, got {interval}")
        self.interval = interval
        self.positions: array[int] = array("Q")
        self.offsets: array[int] = array("Q")
        self._next_offset = 0

    def add(self, position: int, offset: int) -> None:
        """Record the batch starting at ``offset`` if it is ``interval`` bytes past the last entry.

        Must be called for every batch in order; the first batch is always recorded.
        """
        if offset >= self._next_offset:
            self.offsets.append(offset)
            self.positions.append(position)
            self._next_offset = offset + self.interval

    def floor(self, position: int) -> tuple[int, int]:
        """The ``(first position, offset)`` of the last indexed batch starting at or before ``position``.

        Raises:
            LookupError: the index is empty or ``position`` is before its first entry.
        """
        i = bisect_right(self.positions, position) - 1
        if i < 0:
            raise LookupError(f"no indexed batch at or before position {position}")
        return self.positions[i], self.offsets[i]

    def __len__(self) -> int:
        return len(self.positions)
