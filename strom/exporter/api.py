"""The exporter API: how records leave a partition for other systems.

An exporter is configured with its id and settings, opened with a controller, fed every record
of the durable log in order, and tells the controller the position up to which its output is
stored. After a restart it is fed again from just after that position, so an exporter that
acknowledges only stored output loses nothing (it may see a record twice; ``record.position`` lets
it skip what it already has). The log is compacted only below every exporter's acknowledgement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from strom.protocol.record import Record


@dataclass(frozen=True)
class ExporterContext:
    """What an exporter is configured with."""

    exporter_id: str
    partition_id: int
    config: Mapping[str, Any] = field(default_factory=dict)


class Controller(Protocol):
    def update_last_exported_position(self, position: int) -> None:
        """Acknowledge everything up to ``position`` as stored; never call it for unstored records."""

    @property
    def last_exported_position(self) -> int:
        """The position acknowledged before (after a restart: the persisted one)."""


class Exporter(Protocol):
    def configure(self, context: ExporterContext) -> None:
        """Read settings; raise ``ExporterConfigurationError`` for bad ones (the broker will not start)."""

    def open(self, controller: Controller) -> None:
        """Acquire resources (files, connections) before the first record."""

    def export(self, record: Record[Any]) -> None:
        """Take one record; raising makes the director retry the same record later."""

    def close(self) -> None:
        """Flush and release resources."""


# An exporter may also define ``flush()``: the director calls it whenever it has caught up with
# the log, so an exporter that batches writes can store and acknowledge what it holds.


class ExporterError(Exception):
    """Base class of exporter errors."""


class ExporterConfigurationError(ExporterError):
    """An exporter's configuration is invalid; the message names the exporter and the setting."""
