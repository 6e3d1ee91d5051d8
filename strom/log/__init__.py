"""strom.log: the append-only log of a partition (internal package; no stability promise).

Records are opaque bytes here: the single writer (the stream processor) knows ``next_position`` and
encodes positions inside its records itself. ``LogStorage`` is the contract the stream platform
codes against; ``FileJournal`` is the embedded default (segment files, group commit, crash
recovery) and ``InMemoryLog`` the fast stand-in for tests. The format and durability rules are in
``docs/log.md``.

Layout: ``storage`` (the protocols), ``journal`` (``FileJournal``), ``memory`` (``InMemoryLog``),
``jetstream`` (``JetStreamLog``, the cluster log on NATS JetStream), ``errors``; modules starting
with ``_`` are private to this package.

``JetStreamLog`` and ``WriterFencedError`` are importable from here but only imported on first use
(they need nats-py, the ``cluster`` extra): importing ``strom.log`` never imports ``nats``.
"""

from typing import TYPE_CHECKING, Any

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

_LAZY = {"JetStreamLog", "JetStreamReader", "WriterFencedError"}
_LAZY_LEASE = {"Lease", "LeaseError", "LeaseManager"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from strom.log import jetstream

        return getattr(jetstream, name)
    if name in _LAZY_LEASE:
        from strom.log import lease

        return getattr(lease, name)
    raise AttributeError(f"module 'strom.log' has no attribute {name!r}")


if TYPE_CHECKING:  # mypy proves the implementations satisfy the protocols
    from strom.log.jetstream import JetStreamLog as JetStreamLog
    from strom.log.jetstream import JetStreamReader as JetStreamReader
    from strom.log.jetstream import WriterFencedError as WriterFencedError
    from strom.log.lease import Lease as Lease
    from strom.log.lease import LeaseError as LeaseError
    from strom.log.lease import LeaseManager as LeaseManager

    def _conforms(
        journal: FileJournal, memory: InMemoryLog, jetstream: JetStreamLog
    ) -> tuple[LogStorage, LogStorage, LogStorage]:
        return journal, memory, jetstream

    def _reads(reader: JetStreamReader) -> LogReader:
        return reader
