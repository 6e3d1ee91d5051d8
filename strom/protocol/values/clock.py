"""CLOCK values: pinning the engine clock, for tests and demos."""

from __future__ import annotations

import msgspec


class ClockRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """``time`` is the epoch ms to pin the clock at (PIN/PINNED); RESET ignores it."""

    time: int = 0
