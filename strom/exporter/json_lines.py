"""A JSON-lines exporter: one Zeebe-shaped JSON object per record, appended to a file.

Lines are kept in memory and each flush appends them with one ``write`` of complete lines, so a
reader (``tail -f records.jsonl | jq``) never sees half a record between flushes; only a crash in
the middle of that write can leave the last line unterminated, and a reader skips a last line
without its newline (the next flush after a restart starts on a fresh line).

Positions are acknowledged only after the lines are written to the file (and fsynced when
``fsync`` is set), so after a crash the file holds every acknowledged record; records after the
last acknowledgement may appear twice, each line carries its ``position`` to tell.

With several partitions each partition's exporter appends to the file: ``{partition}`` in the path
gives each its own file (``records-{partition}.jsonl``); without it they share one, each flush one
``O_APPEND`` write of whole lines, so lines of different partitions interleave but never mix (each
line carries its ``partitionId`` and ``position``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from strom.exporter.api import Controller, ExporterConfigurationError, ExporterContext
from strom.protocol import codec
from strom.protocol.record import Record


class JsonLinesExporter:
    """Config: ``path`` (required; ``{partition}`` in it is the partition id), ``flush_every``
    records (default 100), ``fsync`` (default false)."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._flush_every = 100
        self._fsync = False
        self._fd = -1
        self._controller: Controller | None = None
        self._pending: list[bytes] = []
        self._last_position = 0

    def configure(self, context: ExporterContext) -> None:
        path = context.config.get("path")
        if not path:
            raise ExporterConfigurationError(
                f"exporter '{context.exporter_id}': the setting `path` (the file to write) is required"
            )
        self._path = Path(str(path).replace("{partition}", str(context.partition_id)))
        flush_every = context.config.get("flush_every", 100)
        if not isinstance(flush_every, int) or flush_every < 1:
            raise ExporterConfigurationError(
                f"exporter '{context.exporter_id}': `flush_every` must be a positive integer, "
                f"got {flush_every!r}"
            )
        self._flush_every = flush_every
        self._fsync = bool(context.config.get("fsync", False))

    def open(self, controller: Controller) -> None:
        assert self._path is not None
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        if _ends_without_newline(self._fd):  # a crash tore the last line: start on a fresh one
            os.write(self._fd, b"\n")
        self._controller = controller

    def export(self, record: Record[Any]) -> None:
        self._pending.append(codec.to_json(record))
        self._last_position = record.position
        if len(self._pending) >= self._flush_every:
            self.flush()

    def flush(self) -> None:
        if self._fd < 0 or not self._pending:
            return
        self._pending.append(b"")  # the join ends the last line too
        data = memoryview(b"\n".join(self._pending))
        self._pending.clear()
        while data:  # a regular file takes it in one write; loop for the rare short write
            written = os.write(self._fd, data)
            data = data[written:]
        if self._fsync:
            os.fsync(self._fd)
        if self._controller is not None:
            self._controller.update_last_exported_position(self._last_position)

    def close(self) -> None:
        self.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _ends_without_newline(fd: int) -> bool:
    size = os.fstat(fd).st_size
    return size > 0 and os.pread(fd, 1, size - 1) != b"\n"
