"""Unique keys for a partition's entities, reproducible by replay.

The counter lives in memory for speed; the stream processor persists it with each committed step
(so a snapshot carries it) and replay raises it past every key seen on the log, so a key is never
handed out twice, even for entities created by records after the snapshot.
"""

from __future__ import annotations

from strom.protocol.keys import KEY_BITS, encode_key, local_key_of, partition_of


class KeyGenerator:
    """Hands out ``partition_id << 51 | n`` for n = 1, 2, …"""

    __slots__ = ("_base", "_next", "partition_id")

    def __init__(self, partition_id: int, next_local: int = 1) -> None:
        self.partition_id = partition_id
        self._base = encode_key(partition_id, 0)
        self._next = next_local

    def next_key(self) -> int:
        """A key never returned before on this partition."""
        local = self._next
        self._next = local + 1
        return self._base | local

    @property
    def next_local(self) -> int:
        """The counter value the next key will carry (what gets persisted)."""
        return self._next

    def reset_to(self, next_local: int) -> None:
        """Return keys handed out since ``next_local`` was read: their command was rolled back."""
        self._next = next_local

    def observe(self, key: int) -> None:
        """Raise the counter past ``key`` if ``key`` belongs to this partition (replay)."""
        if key > 0 and partition_of(key) == self.partition_id:
            local = local_key_of(key)
            if local >= self._next:
                self._next = local + 1


__all__ = ["KEY_BITS", "KeyGenerator"]
