"""A JSON-lines exporter: one Zeebe-shaped JSON object per record, appended to a file.

Positions are acknowledged only after the lines are flushed to the file (and fsynced when
``fsync`` is set), so after a crash the file holds every acknowledged record; records after the
last acknowledgement may appear twice, each line carries its ``position`` to tell.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from strom.exporter.api import Controller, ExporterConfigurationError, ExporterContext
from strom.protocol import codec
from strom.protocol.record import Record


class JsonLinesExporter:
    """Config: ``path`` (required), ``flush_every`` records (default 100), ``fsync`` (default false)."""

    def __init__(self) -> None:
        self._path: Path | None = None
        self._flush_every = 100
        self._fsync = False
        self._file: IO[bytes] | None = None
        self._controller: Controller | None = None
        self._pending = 0
        self._last_position = 0

    def configure(self, context: ExporterContext) -> None:
        path = context.config.get("path")
        if not path:
            raise ExporterConfigurationError(
                f"exporter '{context.exporter_id}': the setting `path` (the file to write) is required"
            )
        self._path = Path(path)
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
        self._file = open(self._path, "ab")  # noqa: SIM115 - kept open for the exporter's lifetime
        self._controller = controller

    def export(self, record: Record[Any]) -> None:
        assert self._file is not None
        self._file.write(codec.to_json(record) + b"\n")
        self._last_position = record.position
        self._pending += 1
        if self._pending >= self._flush_every:
            self.flush()

    def flush(self) -> None:
        if self._file is None or self._pending == 0:
            return
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        self._pending = 0
        if self._controller is not None:
            self._controller.update_last_exported_position(self._last_position)

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None
