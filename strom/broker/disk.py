"""Disk watermarks: a partition stops taking commands before its file system is full, and comes back.

A broker that runs out of disk space cannot write its log, its snapshots or its state, and one that
cannot snapshot cannot compact its log either. Like Zeebe (``zeebe.broker.data.disk.freeSpace.
processing``), Strom watches the free space of the data directory's file system and, below a
watermark, refuses every client command with RESOURCE_EXHAUSTED naming the directory, the free
space and the watermark, while reads (searches, topology) and the exporters go on, so exporting
and compaction can free space again. Above the watermark plus a margin (hysteresis, so a partition
near the line does not flap) it takes commands again by itself.

The watermark can be missed (another process fills the disk within a check interval). A step whose
log write fails with ENOSPC stops the partition's processing; what the client was told before is
on the durable log, because answers wait for durability. ``PartitionDiskGuard`` then refuses
commands like above, and once there is room again it reopens the partition in place (restores the
newest snapshot, replays the durable log), so nothing acknowledged is lost and nobody restarts the
broker by hand.

``DiskSpaceMonitor`` is the watch (one per broker process; ``usage`` is injectable for tests);
``PartitionDiskGuard`` connects one to a ``Partition`` (refusals, readiness, recovery).
"""

from __future__ import annotations

import errno
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from strom.broker.partition import Partition

_log = logging.getLogger(__name__)

REOPEN_BACKOFF_S = (1.0, 60.0)
"""A partition stopped by a full disk again soon after it reopened waits longer before the next
reopen (doubling from 1 s up to 60 s): the free space the monitor sees may not be what the log can
use (a quota), and each reopen replays the log."""

SNAPSHOT_WHILE_PAUSED_S = 30.0
"""While commands are refused for lack of space, a snapshot (and so log compaction below what the
exporters acknowledged) is taken this often: a partition that takes no commands takes no steps,
and snapshots otherwise follow steps."""

RESUME_MARGIN = 0.1
"""Commands are taken again once the free space is 10% above the watermark (2 GB -> 2.2 GB)."""

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
    "t": 1024**4,
    "tb": 1024**4,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z%]*)\s*$")


class DiskUsage(NamedTuple):
    total: int
    free: int


Usage = Callable[[Path], DiskUsage]


def _disk_usage(directory: Path) -> DiskUsage:
    while not directory.exists() and directory.parent != directory:
        directory = directory.parent  # not created yet: the file system it will be on
    usage = shutil.disk_usage(directory)
    return DiskUsage(usage.total, usage.free)


@dataclass
class DiskSettings:
    """``[disk]``: Zeebe's ``zeebe.broker.data.disk.*`` settings, in Strom's names."""

    enable_monitoring: bool = True
    """Watch the free space (Zeebe: ``enableMonitoring``). Off: nothing is refused before a write
    fails, and a partition stopped by a full disk is not reopened by itself."""
    monitoring_interval_s: float = 1.0
    """How often the free space is checked (Zeebe: ``monitoringInterval``, 1 s)."""
    free_space_processing: str = "1GB"
    """Below this much free space client commands are refused (Zeebe: ``freeSpace.processing``):
    bytes (``1073741824``, ``512MB``, ``2GB``; units of 1024) or a share of the file system
    (``5%``). Zeebe's 2 GB default is its 1 GB replication floor plus 1 GB; Strom replicates no log
    into the data directory, so the 1 GB that processing keeps free remains: room for a snapshot,
    a log segment (128 MB) per partition and the exporters catching up."""

    def validate(self) -> None:
        if not self.monitoring_interval_s > 0:
            raise ValueError(
                f"disk.monitoring_interval_s must be positive, got {self.monitoring_interval_s:g}"
            )
        parse_free_space(self.free_space_processing)


def parse_free_space(text: str) -> tuple[int, float]:
    """``"2GB"`` -> ``(2147483648, 0.0)``; ``"5%"`` -> ``(0, 0.05)``.

    Raises:
        ValueError: not a size or a percentage; the message says what is accepted.
    """
    match = _SIZE.match(str(text))
    unit = match.group(2).lower() if match else ""
    if match is None or (unit not in _UNITS and unit != "%"):
        raise ValueError(
            "disk.free_space_processing must be bytes (e.g. 1073741824, 512MB, 2GB) or a share "
            f"of the file system (e.g. 5%), got {text!r}"
        )
    number = float(match.group(1))
    if unit == "%":
        if not 0 <= number < 100:
            raise ValueError(f"disk.free_space_processing must be a percentage below 100, got {text!r}")
        return 0, number / 100
    return int(number * _UNITS[unit]), 0.0


def format_bytes(size: float) -> str:
    """``1536 * 1024**2`` -> ``'1.5 GB'`` (units of 1024, as the setting reads them)."""
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def is_disk_full(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is the file system running out of space or quota."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "No space left on device" in str(error):  # RocksDB reports it as text
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class DiskSpaceMonitor:
    """Checks the free space of ``directory``'s file system and says whether processing must pause.

    ``check()`` looks once (and tells the listeners); ``start()`` checks every
    ``settings.monitoring_interval_s`` on a daemon thread until ``stop()``. Paused below the
    watermark; resumed at the watermark plus ``RESUME_MARGIN``. A failing look (the directory
    vanished) keeps the last state and is logged once.
    """

    def __init__(self, directory: Path, settings: DiskSettings, usage: Usage | None = None) -> None:
        settings.validate()
        self.directory = Path(directory)
        self.settings = settings
        self._usage = usage or _disk_usage
        self._bytes, self._fraction = parse_free_space(settings.free_space_processing)
        self.total_bytes = 0
        self.free_bytes = -1
        """Free bytes at the last check (-1 before the first)."""
        self.paused = False
        """Whether client commands are refused (the free space is below the watermark)."""
        self._listeners: list[Callable[[DiskSpaceMonitor], None]] = []
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    @property
    def watermark_bytes(self) -> int:
        """The free space below which commands are refused (a percentage of the last total size)."""
        return self._bytes or int(self.total_bytes * self._fraction)

    @property
    def resume_bytes(self) -> int:
        """The free space at which commands are taken again."""
        return int(self.watermark_bytes * (1 + RESUME_MARGIN))

    def add_listener(self, listener: Callable[[DiskSpaceMonitor], None]) -> None:
        """Call ``listener(monitor)`` after every check (on the monitor's thread)."""
        self._listeners.append(listener)

    def check(self) -> bool:
        """Look at the free space now, update ``paused``, tell the listeners; returns ``paused``."""
        try:
            usage = self._usage(self.directory)
        except OSError as error:
            if not self._failing:
                _log.warning("cannot read the free space of %s: %s", self.directory, error)
            self._failing = True
        else:
            self._failing = False
            self.total_bytes, self.free_bytes = usage.total, usage.free
            if not self.paused and usage.free < self.watermark_bytes:
                self.paused = True
                _log.error(
                    "out of disk space: %s has %s free, less than disk.free_space_processing (%s); client "
                    "commands are refused with RESOURCE_EXHAUSTED, reads and exporters go on, and "
                    "commands are taken again by themselves once %s are free. Free space on that file "
                    "system or give it more",
                    self.directory,
                    format_bytes(usage.free),
                    format_bytes(self.watermark_bytes),
                    format_bytes(self.resume_bytes),
                )
            elif self.paused and usage.free >= self.resume_bytes:
                self.paused = False
                _log.warning(
                    "disk space is back: %s has %s free; client commands are taken again",
                    self.directory,
                    format_bytes(usage.free),
                )
        for listener in self._listeners:
            try:
                listener(self)
            except Exception:  # a listener must not end the watch
                _log.exception("a disk space listener failed")
        return self.paused

    def reason(self) -> str:
        """Why commands are refused now (meaningful while ``paused``)."""
        return (
            f"the broker is out of disk space: {self.directory} has {format_bytes(self.free_bytes)} free, "
            f"less than disk.free_space_processing ({format_bytes(self.watermark_bytes)}); commands are "
            f"taken again once {format_bytes(self.resume_bytes)} are free"
        )

    def start(self) -> DiskSpaceMonitor:
        """Check now, then every interval on a daemon thread."""
        self.check()
        if self._thread is None:
            self._stopped.clear()
            self._thread = threading.Thread(target=self._run, name="disk-space-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)

    def _run(self) -> None:
        while not self._stopped.wait(self.settings.monitoring_interval_s):
            self.check()


class PartitionDiskGuard:
    """A partition's side of the watch: refusals while the disk is short, and the way back after a
    full disk stopped processing (reopen in place once the monitor no longer pauses).

    Sets ``partition.disk_refusal`` (read by ``Partition.try_submit``) after every check.
    """

    def __init__(self, partition: Partition, monitor: DiskSpaceMonitor) -> None:
        self._partition = partition
        self.monitor = monitor
        self._reopen_scheduled = False
        self._needs_reopen = False
        """A reopen began and did not finish (it raised): the partition is in pieces until one does."""
        self._reported: BaseException | None = None
        self._reopen_delay = REOPEN_BACKOFF_S[0]
        self._reopen_after = 0.0
        """``time.monotonic()`` before which no reopen is tried (back-off)."""
        self._last_snapshot = 0.0
        self.reopened = 0
        """How often the partition was reopened after a full disk stopped it."""
        monitor.add_listener(self._on_check)

    @classmethod
    def watch(
        cls, partition: Partition, settings: DiskSettings, usage: Usage | None = None
    ) -> PartitionDiskGuard:
        guard = cls(partition, DiskSpaceMonitor(Path(partition.settings.data_dir), settings, usage))
        guard.monitor.start()
        return guard

    def stop(self) -> None:
        self.monitor.stop()

    @property
    def failure(self) -> BaseException | None:
        """What stopped the partition, or what failed its log: with group commit a write fails on
        the committer thread, and processing only notices at its next append."""
        partition = self._partition
        failure = partition.failure
        if failure is None:
            failure = getattr(partition.__dict__.get("log"), "failure", None)
        return failure

    def _on_check(self, monitor: DiskSpaceMonitor) -> None:
        partition = self._partition
        if partition.phase == "closed":
            return
        failure = self.failure
        if self._needs_reopen or (failure is not None and is_disk_full(failure)):
            pid = partition.settings.partition_id
            if failure is not None and self._reported is not failure:
                self._reported = failure
                _log.error(
                    "partition %d stopped processing: writing to %s failed because the disk is full (%s). "
                    "Nothing acknowledged is lost: a command is answered only once it is on the durable "
                    "log. Client commands are refused with RESOURCE_EXHAUSTED; %s. Free space on that "
                    "file system (%s free now)",
                    pid,
                    partition.directory,
                    _root_cause(failure),
                    "the cluster member reopens it as a follower"
                    if partition.settings.log_servers
                    else f"once {format_bytes(monitor.resume_bytes)} are free the partition reopens by "
                    "itself (restores its newest snapshot and replays the log)",
                    format_bytes(monitor.free_bytes),
                )
            if partition.settings.log_servers:  # a cluster member reopens its partition itself
                partition.disk_refusal = f"partition {pid} stopped processing because the disk is full"
                return
            if monitor.paused:
                partition.disk_refusal = (
                    f"partition {pid} stopped processing because the disk is full; "
                    + monitor.reason().replace("commands are taken again", "it reopens by itself")
                )
                return
            partition.disk_refusal = f"partition {pid} is recovering from a full disk (reopening)"
            if time.monotonic() >= self._reopen_after:
                self._schedule_reopen()
            return
        if time.monotonic() - self._reopen_after > REOPEN_BACKOFF_S[1]:
            self._reopen_delay = REOPEN_BACKOFF_S[0]  # it has run a while since: start over
        partition.disk_refusal = monitor.reason() if monitor.paused else None
        if monitor.paused and failure is None and partition.running:
            self._compact_while_paused()

    def _compact_while_paused(self) -> None:
        """Snapshot now and then, so the log is compacted below what the exporters acknowledged."""
        now = time.monotonic()
        if now - self._last_snapshot < SNAPSHOT_WHILE_PAUSED_S:
            return
        self._last_snapshot = now
        try:
            self._partition.snapshot()  # a RocksDB checkpoint: hard links, little new space
        except Exception as error:  # the next period tries again
            _log.warning(
                "snapshot of partition %d while out of disk space failed: %s",
                self._partition.settings.partition_id,
                error,
            )

    def _schedule_reopen(self) -> None:
        if self._reopen_scheduled:
            return
        self._reopen_scheduled = True
        driver = self._partition.driver
        if driver is None:
            self._reopen()
            return
        try:
            driver.loop.call_soon_threadsafe(self._reopen)  # the loop drives the partition
        except RuntimeError:  # the loop is closed: the broker is shutting down
            self._reopen_scheduled = False

    def _reopen(self) -> None:
        partition = self._partition
        try:
            if partition.phase == "closed" or not (self._needs_reopen or is_disk_full(self.failure)):
                return
            _log.warning("partition %d: disk space is back, reopening", partition.settings.partition_id)
            self._needs_reopen = True
            self._reopen_after = time.monotonic() + self._reopen_delay
            self._reopen_delay = min(self._reopen_delay * 2, REOPEN_BACKOFF_S[1])
            partition.reopen()
            self._needs_reopen = False
        except Exception:  # the next check tries again
            _log.exception("reopening partition %d after a full disk failed", partition.settings.partition_id)
        else:
            self.reopened += 1
            partition.disk_refusal = self.monitor.reason() if self.monitor.paused else None
            _log.warning(
                "partition %d resumed after a full disk: %d events replayed in %.2f s",
                partition.settings.partition_id,
                partition.replayed_events,
                partition.replay_seconds,
            )
        finally:
            self._reopen_scheduled = False


def _root_cause(error: BaseException) -> str:
    for _ in range(10):  # a chain is short; a cycle is not followed forever
        cause = error.__cause__ or error.__context__
        if cause is None:
            break
        error = cause
    return f"{type(error).__name__}: {error}"
