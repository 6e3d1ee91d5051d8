"""Entity keys: 64-bit integers with the partition id in the upper 13 bits, as Zeebe encodes them.

Partition 1's first key is ``1 << 51 | 1 == 2251799813685249``. A key tells which partition owns the
entity, which is how a command finds its partition without a lookup.
"""

from __future__ import annotations

PARTITION_BITS = 13
KEY_BITS = 64 - PARTITION_BITS  # 51
_LOCAL_MASK = (1 << KEY_BITS) - 1
MAX_PARTITION_ID = (1 << PARTITION_BITS) - 1


def encode_key(partition_id: int, local_key: int) -> int:
    """Compose a key from its partition and its per-partition counter value."""
    if not 0 <= partition_id <= MAX_PARTITION_ID:
        raise ValueError(f"partition id must be in 0..{MAX_PARTITION_ID}, got {partition_id}")
    if not 0 <= local_key <= _LOCAL_MASK:
        raise ValueError(f"local key must be in 0..{_LOCAL_MASK}, got {local_key}")
    return (partition_id << KEY_BITS) | local_key


def partition_of(key: int) -> int:
    """The partition that owns ``key``."""
    return key >> KEY_BITS


def local_key_of(key: int) -> int:
    """The per-partition counter part of ``key``."""
    return key & _LOCAL_MASK


def first_key(partition_id: int) -> int:
    """The first key a partition generates (the counter starts at 1)."""
    return encode_key(partition_id, 1)
