"""strom.log: the append-only log of a partition (internal package; no stability promise).

Records are opaque bytes here: the single writer (the stream processor) knows ``next_position`` and
encodes positions inside its records itself. ``LogStorage`` is the contract the stream platform
codes against; ``FileJournal`` is the embedded default (segment files, group commit, crash
recovery) and ``InMemoryLog`` the fast stand-in for tests. The format and durability rules are in
``docs/log.md``.

Layout: ``storage`` (the protocols), ``journal`` (``FileJournal``), ``memory`` (``InMemoryLog``),
``errors``; modules starting with ``_`` are private to this package.
"""

from typing import TYPE_CHECKING

from strom.log._reader import JournalReader
from strom.log.errors import (
    BatchTooLargeError,
    LogClosedError,
    LogCorruptionError,
    LogError,
    LogFailedError,
    PositionCompactedError,
)
from strom.log.journal import DEFAULT_SEGMENT_SIZE, FileJournal
from strom.log.memory import InMemoryLog, InMemoryReader
from strom.log.storage import LogReader, LogStorage

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "BatchTooLargeError",
    "FileJournal",
    "InMemoryLog",
    "InMemoryReader",
    "JournalReader",
    "LogClosedError",
    "LogCorruptionError",
    "LogError",
    "LogFailedError",
    "LogReader",
    "LogStorage",
    "PositionCompactedError",
]

if TYPE_CHECKING:  # mypy proves both implementations satisfy the protocols

    def _conforms(journal: FileJournal, memory: InMemoryLog) -> tuple[LogStorage, LogStorage]:
        return journal, memory
