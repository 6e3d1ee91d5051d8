"""CLOCK state: the time a CLOCK PIN command fixed the partition's clock at, until a RESET.

Kept in the state (not only in the live clock) so that replay and a restarted partition pin their
clock again: the engine reads ``pinned_millis`` once it has recovered.
"""

from __future__ import annotations

from typing import Protocol

from strom.db import Database
from strom.db.keys import pack, pack_long, unpack_long
from strom.engine.state import column_families as cf

_PINNED = pack("pinned")


class ClockState(Protocol):
    def pinned_millis(self) -> int:
        """The pinned time in epoch ms, or -1 while the clock follows the system clock."""
        ...


class MutableClockState(ClockState, Protocol):
    def pin(self, millis: int) -> None: ...
    def reset(self) -> None: ...


class DbClockState:
    def __init__(self, db: Database) -> None:
        self._clock = db.column_family(cf.CLOCK)

    def pinned_millis(self) -> int:
        raw = self._clock.get(_PINNED)
        return -1 if raw is None else unpack_long(raw)

    def pin(self, millis: int) -> None:
        self._clock.put(_PINNED, pack_long(millis))

    def reset(self) -> None:
        self._clock.delete(_PINNED)
