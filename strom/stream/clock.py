"""The engine's only source of time.

Every timestamp on a record, every due date and deadline comes from a :class:`Clock`, so tests can
move time (time travel) instead of sleeping, the way trio's ``MockClock`` lets tests jump time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Milliseconds since the Unix epoch, as the engine sees them."""

    def now_millis(self) -> int: ...


class SystemClock:
    """Wall-clock time; the default outside tests."""

    def now_millis(self) -> int:
        return time.time_ns() // 1_000_000


class ControlledClock:
    """A clock that moves only when told to (or follows the system clock plus an offset).

    ``advance`` is what tests use for timers, job deadlines and message TTLs: the engine's
    scheduled tasks see the new time at their next run. Safe to call from another thread.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = True) -> None:
        start_millis = int(start.timestamp() * 1000) if start is not None else time.time_ns() // 1_000_000
        self._lock = threading.Lock()
        self._frozen = frozen
        self._offset = start_millis - time.time_ns() // 1_000_000
        self._pinned = start_millis

    def now_millis(self) -> int:
        if self._frozen:
            return self._pinned
        return time.time_ns() // 1_000_000 + self._offset

    def now(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now_millis() / 1000, tz=UTC)

    def advance(self, delta: timedelta | float) -> int:
        """Move time forward by ``delta`` (a timedelta or seconds) and return the new time in ms.

        Raises:
            ValueError: ``delta`` is negative; the engine's clock never goes back.
        """
        millis = int((delta.total_seconds() if isinstance(delta, timedelta) else delta) * 1000)
        if millis < 0:
            raise ValueError(f"`delta` must be non-negative, got {delta!r}")
        with self._lock:
            self._pinned += millis
            self._offset += millis
            return self.now_millis()

    def pin(self, at: datetime) -> None:
        """Stop the clock at ``at`` (must not be earlier than now)."""
        millis = int(at.timestamp() * 1000)
        with self._lock:
            if millis < self.now_millis():
                raise ValueError(f"cannot move the clock back to {at.isoformat()}")
            self._frozen = True
            self._pinned = millis


class PinnableClock:
    """A partition's clock as the engine can control it (Zeebe's controllable stream clock): the
    ``source`` clock's time, or a time a CLOCK PIN command fixed until a RESET.

    Pinning is what a test or a demo asks for over the API (``PUT /v2/clock``) on a broker started
    with a controllable clock; the engine keeps the pinned time in its state, so a restarted
    partition pins its clock again after replay.
    """

    __slots__ = ("_pinned", "source")

    def __init__(self, source: Clock) -> None:
        self.source = source
        self._pinned = -1

    def now_millis(self) -> int:
        pinned = self._pinned
        return self.source.now_millis() if pinned < 0 else pinned

    @property
    def pinned_millis(self) -> int:
        """The pinned time in epoch ms, or -1 while the clock follows its source."""
        return self._pinned

    def pin(self, millis: int) -> None:
        """Stop the clock at ``millis`` (epoch ms) until ``reset``."""
        self._pinned = millis

    def reset(self) -> None:
        """Follow the source clock again."""
        self._pinned = -1
