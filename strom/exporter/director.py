"""The exporter director of a partition: feeds its exporters the durable log, in order.

Each exporter gets every record after its own acknowledged position. Acknowledged positions are
persisted in a small JSON file (replaced atomically), so a restarted partition resumes each
exporter where it acknowledged. An exporter that raises is retried on the same record at the next
call, after a back-off, without holding up the others.

``lag()`` tells how far each exporter is behind the durable log (records, and the timestamp of the
oldest record it has not acknowledged); it may be called from any thread (the metrics endpoint).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from strom.exporter.api import Exporter, ExporterContext
from strom.log import LogError, LogReader
from strom.protocol import codec
from strom.protocol.record import Record

_log = logging.getLogger(__name__)
_RETRY_AFTER_S = 1.0
_MAX_RETRY_AFTER_S = 60.0


@dataclass(frozen=True)
class ExporterLag:
    """How far one exporter is behind the durable log, at one moment."""

    exporter_id: str
    acknowledged: int
    """The last position the exporter acknowledged (its output is stored up to there)."""
    persisted: int
    """The acknowledged position last written to the positions file (where a restart resumes)."""
    records: int
    """Durable records after the acknowledged position (0 when caught up)."""
    oldest_timestamp: int | None
    """Timestamp (epoch ms) of the oldest durable record not acknowledged; None when caught up."""


class DurableLog(Protocol):
    """The part of a log (``strom.log.LogStorage``) the director reads."""

    @property
    def first_position(self) -> int: ...

    @property
    def durable_position(self) -> int: ...

    def reader(self, position: int) -> LogReader: ...


class LagProbe:
    """Reads the timestamp of the oldest record an exporter has not acknowledged, for ``lag()``.

    Remembers, per exporter, the position it looked up last and its answer: an exporter that did not
    move since the last call costs no log read.
    """

    def __init__(self, log: DurableLog) -> None:
        self._log = log
        self._probes: dict[str, tuple[int, int | None]] = {}

    def lags(self, acknowledged: Mapping[str, int], persisted: Mapping[str, int]) -> list[ExporterLag]:
        """How far each exporter (by its acknowledged position) is behind the durable log."""
        durable = self._log.durable_position
        lags: list[ExporterLag] = []
        for exporter_id, position in acknowledged.items():
            behind = max(0, durable - position)
            oldest = self.timestamp_at(exporter_id, position + 1) if behind else None
            lags.append(ExporterLag(exporter_id, position, persisted.get(exporter_id, 0), behind, oldest))
        return lags

    def timestamp_at(self, exporter_id: str, position: int) -> int | None:
        """The timestamp of the durable record at ``position`` (or of the first one after it that
        has one, also if the log was compacted past it); None if it cannot be read."""
        probe = self._probes.get(exporter_id)
        if probe is not None and probe[0] == position:
            return probe[1]
        timestamp: int | None = None
        try:
            with self._log.reader(max(position, self._log.first_position)) as reader:
                for index, (_, data) in enumerate(reader.read_available()):
                    found = codec.decode(data).timestamp
                    if found >= 0:
                        timestamp = found
                        break
                    if index >= 100:  # no timestamped record nearby: give up rather than scan on
                        break
        except (LogError, ValueError):  # closed or compacted meanwhile: no answer this time
            return None
        self._probes[exporter_id] = (position, timestamp)
        return timestamp


def load_positions(positions_file: Path) -> dict[str, int]:
    """The acknowledged positions kept in ``positions_file`` (empty when there is none yet)."""
    try:
        raw = json.loads(positions_file.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise RuntimeError(f"exporter positions file {positions_file} is unreadable: {error}") from error
    return {str(key): int(value) for key, value in raw.items()}


class _Controller:
    __slots__ = ("acknowledged", "director", "exporter_id")

    def __init__(self, director: ExporterDirector, exporter_id: str, acknowledged: int) -> None:
        self.director = director
        self.exporter_id = exporter_id
        self.acknowledged = acknowledged

    def update_last_exported_position(self, position: int) -> None:
        if position > self.acknowledged:
            self.acknowledged = position
            self.director._dirty = True

    @property
    def last_exported_position(self) -> int:
        return self.acknowledged


@dataclass(frozen=True)
class ExporterFailure:
    """An exporter whose last attempt failed: how often in a row, since when, where, and why."""

    exporter_id: str
    failures: int
    seconds: float
    position: int
    error: str


class _Slot:
    __slots__ = (
        "controller",
        "exporter",
        "exporter_id",
        "failed_position",
        "failing_since",
        "failures",
        "fed",
        "last_error",
        "retry_at",
    )

    def __init__(self, exporter_id: str, exporter: Exporter, controller: _Controller) -> None:
        self.exporter_id = exporter_id
        self.exporter = exporter
        self.controller = controller
        self.fed = controller.acknowledged
        self.retry_at = 0.0
        self.failures = 0
        """Failures in a row; the back-off doubles with each, up to ``_MAX_RETRY_AFTER_S``."""
        self.failing_since = 0.0
        self.failed_position = 0
        self.last_error = ""

    def failed(self, now: float, position: int, error: Exception, what: str) -> None:
        """Back off and say so: the first failure with its traceback, then a line per retry."""
        self.failures += 1
        if self.failures == 1:
            self.failing_since = now
            _log.error(
                "exporter '%s' failed %s at position %d; retrying with back-off",
                self.exporter_id,
                what,
                position,
                exc_info=error,
            )
        else:
            _log.warning(
                "exporter '%s' failed %s at position %d again (%d times in a row for %.0f s): %s",
                self.exporter_id,
                what,
                position,
                self.failures,
                now - self.failing_since,
                error,
            )
        self.failed_position = position
        self.last_error = f"{type(error).__name__}: {error}"
        self.retry_at = now + min(_MAX_RETRY_AFTER_S, _RETRY_AFTER_S * 2 ** (self.failures - 1))

    def succeeded(self) -> None:
        if self.failures:
            _log.info("exporter '%s' recovered after %d failures", self.exporter_id, self.failures)
            self.failures = 0
            self.last_error = ""


class ExporterDirector:
    """Runs the exporters of one partition over its log.

    Args:
        positions_file: where acknowledged positions are kept between runs.
        persist_every_s: persist acknowledgements at most this often (and always on close).
    """

    def __init__(
        self,
        log: DurableLog,
        exporters: Mapping[str, Exporter],
        positions_file: Path,
        partition_id: int = 1,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
        persist_every_s: float = 1.0,
    ) -> None:
        self._log = log
        self.partition_id = partition_id
        self._positions_file = positions_file
        self._persist_every = persist_every_s
        self._last_persist = 0.0
        self._dirty = False
        stored = load_positions(positions_file)
        self._persisted: dict[str, int] = dict(stored)
        self._lag_probe = LagProbe(log)
        self._slots: list[_Slot] = []
        for exporter_id, exporter in exporters.items():
            exporter.configure(
                ExporterContext(exporter_id, partition_id, (configs or {}).get(exporter_id, {}))
            )
            controller = _Controller(self, exporter_id, stored.get(exporter_id, 0))
            self._slots.append(_Slot(exporter_id, exporter, controller))
        self._reader: LogReader | None = None
        self._warned_gap = 0
        self._opened = False

    def open(self) -> None:
        for slot in self._slots:
            slot.exporter.open(slot.controller)
        self._opened = True

    @property
    def exporter_ids(self) -> list[str]:
        return [slot.exporter_id for slot in self._slots]

    def positions(self) -> dict[str, int]:
        """Acknowledged position per exporter."""
        return {slot.exporter_id: slot.controller.acknowledged for slot in self._slots}

    def persisted_positions(self) -> dict[str, int]:
        """Acknowledged position per exporter as last written to the positions file."""
        persisted = self._persisted
        return {slot.exporter_id: persisted.get(slot.exporter_id, 0) for slot in self._slots}

    def lag(self) -> list[ExporterLag]:
        """How far each exporter is behind the durable log; safe to call from any thread.

        The timestamp of the oldest unacknowledged record is read from the log (one record, only
        when the acknowledged position moved since the last call).
        """
        return self._lag_probe.lags(self.positions(), self._persisted)

    def min_acknowledged_position(self) -> int | None:
        """The lowest acknowledged position (what compaction must keep above), None without exporters."""
        if not self._slots:
            return None
        return min(slot.controller.acknowledged for slot in self._slots)

    def export_available(self, max_records: int = 10_000) -> int:
        """Feed durable records not yet fed; returns how many records were read."""
        if not self._slots or not self._opened:
            return 0
        now = time.monotonic()
        ready = [slot for slot in self._slots if slot.retry_at <= now]
        if not ready:
            return 0
        start = min(slot.fed for slot in ready) + 1
        first = self._log.first_position
        if start < first:
            if first != self._warned_gap:  # once per gap, not on every call while nothing is new
                self._warned_gap = first
                _log.warning(
                    "partition %d: exporters skip positions %d to %d, compacted before they exported"
                    " them (an exporter added since, or a cluster broker away for longer than"
                    " compaction_hold_s)",
                    self.partition_id,
                    start,
                    first - 1,
                )
            start = first
        reader = self._reader
        if reader is None:
            reader = self._reader = self._log.reader(start)
        elif reader.next_position != start:
            reader.seek(start)
        count = 0
        for position, data in reader.read_available():
            record: Record[Any] | None = None
            for slot in ready:
                if slot.fed >= position or slot.retry_at > now:
                    continue
                if record is None:
                    record = codec.decode(data)
                try:
                    slot.exporter.export(record)
                except Exception as error:  # an exporter's failure must not stop the others; retry later
                    slot.failed(now, position, error, "to export the record")
                    continue
                if slot.failures:
                    slot.succeeded()
                slot.fed = position
            count += 1
            if count >= max_records:
                break
        else:
            # Caught up with the log: let exporters that batch store what they hold (and acknowledge).
            for slot in ready:
                flush = getattr(slot.exporter, "flush", None)
                if flush is not None and slot.retry_at <= now:
                    try:
                        flush()
                    except Exception as error:  # same treatment as a failed export
                        slot.failed(now, slot.fed, error, "to flush")
        if self._dirty and time.monotonic() - self._last_persist >= self._persist_every:
            self.persist_positions()
        return count

    def failing(self) -> list[ExporterFailure]:
        """The exporters failing right now (their last attempt failed), for health and metrics."""
        now = time.monotonic()
        return [
            ExporterFailure(
                slot.exporter_id,
                slot.failures,
                now - slot.failing_since,
                slot.failed_position,
                slot.last_error,
            )
            for slot in self._slots
            if slot.failures
        ]

    def persist_positions(self) -> None:
        positions = self.positions()
        data = json.dumps(positions).encode()
        tmp = self._positions_file.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._positions_file)
        self._persisted = positions
        self._dirty = False
        self._last_persist = time.monotonic()

    def close(self) -> None:
        for slot in self._slots:
            try:
                slot.exporter.close()
            except Exception:  # closing the others matters more than this one's error
                _log.exception("closing exporter '%s' failed", slot.exporter_id)
        if self._slots:
            self.persist_positions()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._opened = False


class ExporterRunner(Protocol):
    """What a partition needs of whatever runs its exporters: an ``ExporterDirector`` on a thread of
    the partition's process, or an ``ExporterProcess`` (``strom.exporter.process``) in a process of
    its own."""

    @property
    def exporter_ids(self) -> list[str]: ...

    def open(self) -> None: ...

    def export_available(self, max_records: int = 10_000) -> int: ...

    def positions(self) -> dict[str, int]: ...

    def persisted_positions(self) -> dict[str, int]: ...

    def min_acknowledged_position(self) -> int | None: ...

    def lag(self) -> list[ExporterLag]: ...

    def failing(self) -> list[ExporterFailure]: ...

    def close(self) -> None: ...
