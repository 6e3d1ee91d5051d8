"""Errors raised by the log.

Every error the log raises on purpose is a ``LogError``; catch that to stop a partition cleanly.
Plain ``ValueError`` is kept for calls that are wrong whatever is on disk (an empty batch, a reader
seeking past the end), i.e. bugs in the caller.
"""

from __future__ import annotations

import os


class LogError(Exception):
    """Base class of the log's errors: the log cannot do what was asked.

    A partition that gets one from its log should stop processing; what to do next depends on the
    subclass.
    """


class LogCorruptionError(LogError):
    """Stored data failed verification somewhere other than the torn tail.

    Raised on open (a bad batch followed by valid data, a position gap, a missing segment in the
    middle, a bad segment header) and by readers that find a batch whose checksum no longer matches.
    Records that were acknowledged as durable may be affected, so the log never repairs this by
    itself: stop the partition, keep the files for inspection, and restore the partition from a
    replica or a backup. ``segment``, ``offset`` and ``position`` say where it was detected.
    """

    def __init__(self, message: str, *, segment: str | os.PathLike[str], offset: int, position: int) -> None:
        self.segment = os.fspath(segment)
        self.offset = offset
        self.position = position
        super().__init__(f"{message} (segment {self.segment}, byte offset {offset}, position {position})")


class LogClosedError(LogError):
    """The log (or the log a reader belongs to) was closed; this is a lifecycle bug in the caller.

    Close readers and stop writers before closing the log; open a new log object to go on.
    """


class LogFailedError(LogError):
    """An earlier write, sync or durability callback failed, so the log refuses further work.

    After a failed ``write`` or ``fdatasync`` nobody knows which bytes reached the disk (a retried
    fsync may report success for data that was dropped), so carrying on could acknowledge lost
    records. Close the log and open it again: recovery reads what is really on disk. The original
    failure is chained as ``__cause__``.
    """


class PositionCompactedError(LogError):
    """A reader asked for a position below ``first_position``: those records were compacted away.

    The log is only compacted below positions that snapshots and exporters no longer need, so this
    means the caller's idea of where to start is stale: restart from a snapshot at or after
    ``first_position``.
    """


class BatchTooLargeError(LogError):
    """A batch does not fit into one segment (a batch never spans segments).

    Nothing was written. The stream processor should reject the command that produced it
    (``EXCEEDED_BATCH_RECORD_SIZE``) or split the work; raising the segment size also helps.
    """
