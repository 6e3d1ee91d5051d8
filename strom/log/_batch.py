"""The on-disk frame of one batch (see ``docs/log.md``).

Little-endian::

    0   magic            4 bytes  b5 7a 0c 01  (lets recovery look for valid data after a bad frame)
    4   crc32c           u32      of every byte from offset 8 to the end of the frame
    8   length           u32      bytes after this field's end; the frame is 12 + length bytes
    12  first position   u64
    20  record count     u32      at least 1
    24  record lengths   u32 x count
    ..  records          concatenated, as given to ``append``

The checksum covers the length, the position and the count, so a frame only counts as written when
every byte of it arrived. All record lengths come first so that a reader slices the records out of
one buffer with a single ``unpack`` per batch instead of one per record.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import lru_cache

from crc32c import crc32c

MAGIC = b"\xb5\x7a\x0c\x01"
HEADER = struct.Struct("<4sIIQI")
"""magic, crc32c, length, first position, record count."""
HEADER_SIZE = HEADER.size
CRC_START = 8
"""The checksum covers the frame from this offset (the length field) to its end."""
LENGTH_BASE = HEADER_SIZE - 12
"""What ``length`` counts besides the record lengths and the records: the position and the count."""
MAX_RECORDS = 0xFFFF_FFFF

_ZERO_HEADER = bytes(HEADER_SIZE)
_MAGIC_CRC = struct.Struct("<4sI")
_LENGTH_FIRST_COUNT = struct.Struct("<IQI")


@lru_cache(maxsize=1024)
def lengths_struct(count: int) -> struct.Struct:
    """The ``struct`` that packs or unpacks the record-length table of a ``count``-record batch."""
    return struct.Struct(f"<{count}I")


def encode(first_position: int, entries: Sequence[bytes]) -> bytearray:
    """Frame ``entries`` as one batch whose first record has ``first_position``."""
    count = len(entries)
    parts = [_ZERO_HEADER, lengths_struct(count).pack(*[len(e) for e in entries]), *entries]
    frame = bytearray().join(parts)
    _LENGTH_FIRST_COUNT.pack_into(frame, CRC_START, len(frame) - 12, first_position, count)
    _MAGIC_CRC.pack_into(frame, 0, MAGIC, crc32c(memoryview(frame)[CRC_START:]))
    return frame


def frame_size(entries: Sequence[bytes]) -> int:
    """The size ``encode`` would give ``entries``, without encoding them."""
    return HEADER_SIZE + 4 * len(entries) + sum(len(e) for e in entries)


def check(buf: bytes, rel: int, available: int) -> tuple[int, int, int] | str:
    """Validate the frame at ``buf[rel:]``; ``available`` bytes of the file start at ``rel``.

    Returns ``(first position, record count, frame size)`` for a valid frame, else a short reason.
    ``buf`` must hold the whole frame when ``available`` says the file does.
    """
    if available < HEADER_SIZE:
        return f"incomplete batch header ({available} bytes)"
    magic, crc, length, first, count = HEADER.unpack_from(buf, rel)
    if magic != MAGIC:
        return "no batch marker"
    if count == 0 or length < LENGTH_BASE + 4 * count:
        return f"implausible batch header (length {length}, record count {count})"
    size = 12 + length
    if size > available:
        return f"incomplete batch ({available} of {size} bytes)"
    if crc32c(memoryview(buf)[rel + CRC_START : rel + size]) != crc:
        return "checksum mismatch"
    if sum(lengths_struct(count).unpack_from(buf, rel + HEADER_SIZE)) != length - LENGTH_BASE - 4 * count:
        return "record lengths do not add up to the batch length"
    return first, count, size
