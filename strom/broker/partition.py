"""A partition: its log, its state, its engine, its stream processor and its exporters, together.

Opening a partition restores the newest snapshot into a fresh runtime database (the runtime copy
is disposable: RocksDB's WAL is off and the log is the write-ahead log), then replays the log.
Driven synchronously (``run_until_idle``, for tests and tools) or by its own threads (``start``:
a processing thread, the log's group-commit thread and an exporter thread).

Clients outside the process (the gateway) enter through ``try_submit``, which applies backpressure;
``submit`` is for in-process clients, tools and internal commands and always accepts.

A partition owns its directory while it is open (``strom.broker.data_dir``): ``open`` takes an
exclusive lock before it writes or deletes anything, and refuses a directory another process holds
or that Strom did not write. ``phase`` and ``failure`` tell the health endpoints what it is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from strom.broker.batch_items import SecondaryStorageItems
from strom.broker.data_dir import DirectoryLock, claim
from strom.broker.disk import DiskSettings, PartitionDiskGuard
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.loop_driver import LoopDriver
from strom.broker.record_observer import RecordObserver
from strom.broker.requests import RequestRegistry, ResponseCallback
from strom.db import Database, SnapshotInfo, latest_snapshot, restore_snapshot
from strom.engine import ENGINE_COLUMN_FAMILIES, Engine, JobStreams
from strom.engine.partitions import InterPartitionSender, SinglePartition
from strom.exporter import Exporter, ExporterDirector, ExporterProcess, ExporterRunner
from strom.log import FileJournal, LogStorage
from strom.protocol.enums import ValueType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.stream.backpressure import EXEMPT_COMMANDS, BackpressureSettings, RequestLimiter, build_limiter
from strom.stream.clock import Clock, PinnableClock, SystemClock
from strom.stream.flow_control import FlowControl, FlowControlSettings
from strom.stream.processor import DEFAULT_MAX_BATCH_BYTES, STREAM_COLUMN_FAMILIES, ReadScope, StreamProcessor
from strom.stream.result import Response, ResultBuilder

_log = logging.getLogger(__name__)


PHASES = ("new", "replaying", "open", "processing", "stopped", "closed")
"""``Partition.phase``: created; restoring + replaying in ``open``; open, driven by ``run_until_idle``
(not by its own threads); processing on its threads or an event loop (``start``); ``stop``ped;
``close``d (or ``open`` failed)."""


@dataclass
class PartitionSettings:
    """How a partition runs. ``group_commit`` and threads go together (``start``)."""

    data_dir: Path
    partition_id: int = 1
    partition_count: int = 1
    """How many partitions the broker has (routing of messages, distribution of deployments)."""
    group_commit: bool = True
    snapshot_period_s: float = 300.0
    snapshot_every_records: int = 200_000
    """Also snapshot once the log grew this much since the last snapshot: a broker restarted more
    often than its snapshot period would otherwise replay an ever longer log."""
    segment_size: int = 128 * 1024 * 1024
    max_commands_in_batch: int = 100
    exporters: Mapping[str, Exporter] = field(default_factory=dict)
    exporter_configs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    exporter_process: bool = False
    """Run the exporters in a process of their own (``strom.exporter.process``; file journal only):
    ``strom broker`` does by default. Off: on a thread of this process (tests, embedded use)."""
    backpressure: BackpressureSettings = field(default_factory=BackpressureSettings)
    flow_control: FlowControlSettings = field(default_factory=FlowControlSettings)
    log_servers: tuple[str, ...] = ()
    """NATS servers: the log is a JetStream stream there (``strom.log.JetStreamLog``) instead of
    the file journal in the data directory; state and snapshots stay local."""
    replication_factor: int = 1
    """Replicas of the JetStream stream (with ``log_servers``)."""
    disk: DiskSettings | None = None
    """Watch the data directory's free space (``strom.broker.disk``): refuse commands below the
    watermark, reopen by itself after a full disk stopped processing. None: not watched."""
    secondary_storage_url: str | None = None
    """The read model batch operations resolve their filters against (None: they fail, saying so)."""
    authorizations: bool = True
    """Check the permissions of commands that name their caller (``Engine``)."""
    multi_tenancy: bool = False
    """Check that such a caller is assigned to the tenant it acts in (``Engine``)."""
    follow: bool = False
    """Open as a cluster follower: replay, but do not begin processing (``strom.broker.cluster_member``
    replays what the leader appends and switches the partition to processing when it takes over)."""


class Partition:
    def __init__(
        self,
        settings: PartitionSettings,
        *,
        clock: Clock | None = None,
        job_streams: JobStreams | None = None,
        sender: InterPartitionSender | None = None,
    ) -> None:
        self.settings = settings
        self.sender: InterPartitionSender = sender if sender is not None else SinglePartition()
        self.clock = PinnableClock(clock or SystemClock())
        """The partition's clock: ``clock`` (system time by default), unless a CLOCK PIN command fixed it."""
        self.directory = Path(settings.data_dir) / f"partition-{settings.partition_id}"
        self.job_streams: JobStreams = job_streams if job_streams is not None else JobStreamRegistry()
        self.limiter: RequestLimiter = build_limiter(settings.backpressure)
        self._requests = RequestRegistry(self.limiter)
        self.flow_control = FlowControl(settings.flow_control, self._exporter_backlog)
        self.refusal: str | None = None
        """Why the last refused ``try_submit`` was refused by flow control (None: backpressure)."""
        self.disk: PartitionDiskGuard | None = None
        self.disk_refusal: str | None = None
        """Set by the disk guard while every client command is refused (short of disk space)."""
        self.latency_observers: list[Callable[[int], None]] = []
        self.step_observers: list[Callable[[float], None]] = []
        self.record_observer = RecordObserver(settings.partition_id)
        """Zeebe's per-event counts and the incident / rejection log lines, from what each step wrote."""
        self._metered: _MeteredEngine | None = None
        self._driver: LoopDriver | None = None
        self._exporter_thread: threading.Thread | None = None
        self._exporter_wakeup = threading.Condition()
        self._running = False
        self._last_snapshot = time.monotonic()
        self._snapshot_position = 0
        self.log: LogStorage
        self.db: Database
        self.engine: Engine
        self.processor: StreamProcessor
        self.director: ExporterRunner
        self.replayed_events = 0
        self.replay_seconds = 0.0
        self.phase = "new"
        self._lock: DirectoryLock | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> Partition:
        """Claim the directory, restore the newest snapshot, replay the log, open the exporters.

        Raises:
            strom.broker.data_dir.DataDirectoryLockedError: another process (or another open
                partition here) owns the directory; nothing was written.
            strom.broker.data_dir.DataDirectoryFormatError: the data directory is not Strom's, or
                a newer Strom wrote it; nothing was written.
        """
        self._lock = claim(Path(self.settings.data_dir), self.directory)
        try:
            self._open_owned()
        except BaseException:
            self._release_after_failed_open()
            raise
        disk = self.settings.disk
        if disk is not None and disk.enable_monitoring:
            self.disk = PartitionDiskGuard.watch(self, disk)
        return self

    def reopen(self) -> None:
        """Close log, state and exporters and open them again, keeping the directory: restore the
        newest snapshot, replay the durable log, then process as before (threads or event loop).

        For a partition whose processing stopped on a failure it can recover from (a full disk,
        ``strom.broker.disk``); what was not durable is gone, and requests in flight are not
        answered (the requester times out). Call it on the thread that drives the partition.
        """
        driver = self._driver
        loop = driver.loop if driver is not None else None
        running = self._running
        self._halt_after_failure()
        self._open_owned()
        if running:
            self.start(loop)

    def _halt_after_failure(self) -> None:
        """Stop the threads and close the files of a failed partition, whatever else fails."""
        driver, self._driver = self._driver, None
        processor = self.__dict__.get("processor")
        with contextlib.suppress(Exception):
            if driver is not None:
                driver.stop()
                if self.settings.group_commit:
                    self.log.stop_group_commit()
            elif processor is not None:
                processor.stop()
        self._running = False
        if self._exporter_thread is not None:
            with self._exporter_wakeup:
                self._exporter_wakeup.notify()
            self._exporter_thread.join(10)
            self._exporter_thread = None
        for name in ("director", "log", "db"):
            resource = self.__dict__.get(name)
            if resource is not None:
                with contextlib.suppress(Exception):
                    resource.close()

    def _open_owned(self) -> None:
        self.phase = "replaying"
        settings = self.settings
        if settings.log_servers:
            from strom.log import JetStreamLog

            self.log = JetStreamLog(
                list(settings.log_servers), settings.partition_id, num_replicas=settings.replication_factor
            )
            max_batch_bytes = min(DEFAULT_MAX_BATCH_BYTES, self.log.max_batch_size)
        else:
            self.log = FileJournal(self.directory / "log", segment_size=settings.segment_size)
            # A step's records are one log batch, and a batch must fit in a segment.
            max_batch_bytes = min(DEFAULT_MAX_BATCH_BYTES, settings.segment_size // 4)
        column_families = list(STREAM_COLUMN_FAMILIES + ENGINE_COLUMN_FAMILIES)
        runtime = self.directory / "runtime"
        snapshot = latest_snapshot(self.snapshots_dir)
        if snapshot is not None:
            self.db = restore_snapshot(snapshot, runtime, column_families)
        else:
            shutil.rmtree(runtime, ignore_errors=True)
            self.db = Database(runtime, column_families)
        self.engine = Engine(
            self.db,
            partition_id=self.settings.partition_id,
            job_streams=self.job_streams,
            partition_count=self.settings.partition_count,
            sender=self.sender,
            clock=self.clock,
            authorizations=settings.authorizations,
            multi_tenancy=settings.multi_tenancy,
            batch_items=(
                SecondaryStorageItems(self.settings.secondary_storage_url)
                if self.settings.secondary_storage_url
                else None
            ),
        )
        self._metered = _MeteredEngine(self.engine)
        self.processor = StreamProcessor(
            log=self.log,
            db=self.db,
            processor=self._metered,
            clock=self.clock,
            partition_id=self.settings.partition_id,
            responder=self._respond,
            key_generator=self.engine.key_generator,
            group_commit=self.settings.group_commit,
            max_commands_in_batch=self.settings.max_commands_in_batch,
            max_batch_bytes=max_batch_bytes,
        )
        started = time.perf_counter()
        self.replayed_events = self.processor.recover(processing=not settings.follow)
        # Log growth counts from the restored snapshot (a restart does not reset it), or from the start.
        self._snapshot_position = 0 if snapshot is None else self.processor.replay_start_position
        self.replay_seconds = time.perf_counter() - started
        self.director = self._exporter_runner()
        self.director.open()
        with ReadScope(self.db):  # incidents open before a restart are pending still
            self.record_observer.pending_at_open = self.engine.state.incidents.count()
        self.processor.add_records_listener(self.record_observer.observe)
        self.processor.add_step_listener(self._after_step)
        self.phase = "open"

    def _exporter_runner(self) -> ExporterRunner:
        settings = self.settings
        if settings.exporter_process and settings.exporters and not settings.log_servers:
            return ExporterProcess(
                self.log,
                self.directory / "log",
                settings.exporters,
                self.directory / "exporters.json",
                self.directory / "exporter.lock",
                settings.partition_id,
                settings.exporter_configs,
            )
        return ExporterDirector(
            self.log,
            settings.exporters,
            self.directory / "exporters.json",
            settings.partition_id,
            settings.exporter_configs,
        )

    def _release_after_failed_open(self) -> None:
        """Close what a failed ``open`` opened (best effort) and give the directory up."""
        for name in ("director", "log", "db"):
            resource = self.__dict__.get(name)
            if resource is not None:
                with contextlib.suppress(Exception):
                    resource.close()
        self._release_directory()

    @property
    def failure(self) -> BaseException | None:
        """What stopped processing (e.g. the disk is full), if something did; else ``None``."""
        processor = self.__dict__.get("processor")
        failure = processor.failure if processor is not None else None
        if failure is None and self._driver is not None:
            failure = self._driver.failure
        return failure

    @property
    def running(self) -> bool:
        """Whether the partition runs on its own threads (else it is driven by ``run_until_idle``)."""
        return self._running

    @property
    def snapshots_dir(self) -> Path:
        return self.directory / "snapshots"

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Run processing, group commit and exporting on their own threads.

        With ``loop`` (call from that loop's thread), steps are processed on the event loop instead
        of a processing thread (see ``strom.broker.loop_driver``); responses and pushed jobs then
        arrive on the loop's thread.
        """
        self._running = True
        self.phase = "processing"
        if self.settings.exporters:
            self.processor.add_durable_listener(self._wake_exporters)
            self._exporter_thread = threading.Thread(
                target=self._export_loop, daemon=True, name=f"exporter-{self.settings.partition_id}"
            )
            self._exporter_thread.start()
        if loop is None:
            self.processor.start()
            return
        driver = self._driver = LoopDriver(self.processor, loop)
        if self.settings.group_commit:
            self.processor.add_durable_listener(driver.on_durable)
            self.log.start_group_commit(self.processor.on_durable)
        driver.start()

    @property
    def driver(self) -> LoopDriver | None:
        """The event-loop driver when the partition processes on an event loop."""
        return self._driver

    def stop(self) -> None:
        """Stop taking commands, finish the current step, flush, export what is durable."""
        self.phase = "stopped"
        driver = self._driver
        if driver is not None:
            driver.stop()
            self._driver = None
            if self.settings.group_commit:
                self.log.stop_group_commit()
            self.processor.on_durable(self.log.flush())
            self.processor.deliver_durable()
        else:
            self.processor.stop()
        self._running = False
        if self._exporter_thread is not None:
            with self._exporter_wakeup:
                self._exporter_wakeup.notify()
            self._exporter_thread.join(10)
            self._exporter_thread = None
        self.director.export_available(max_records=1 << 62)

    def close(self, snapshot: bool = True) -> None:
        """Stop (if running), take a final snapshot, release files, then the directory.

        Every file is closed and the directory released even when a step fails (the error is
        raised, with any later one chained).
        """
        if self.disk is not None:
            self.disk.stop()
        with contextlib.ExitStack() as closing:  # runs the callbacks last-in first-out
            closing.callback(self._release_directory)
            closing.callback(self.db.close)
            closing.callback(self.log.close)
            closing.callback(self.director.close)
            if self._running:
                self.stop()
            if snapshot:
                self.snapshot()

    def _release_directory(self) -> None:
        self.phase = "closed"
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # -- commands --------------------------------------------------------------------------------

    def submit(self, command: Record[Any], on_response: ResponseCallback | None = None) -> int:
        """Queue ``command``; ``on_response`` gets the answering record (from the processing thread)."""
        request_id = self._requests.next_id()
        self._enqueue(request_id, command, on_response)
        return request_id

    def try_submit(self, command: Record[Any], on_response: ResponseCallback | None = None) -> int | None:
        """``submit`` under backpressure: None (nothing queued) when the in-flight limit is reached.

        For clients outside the process. Commands that finish work are always accepted; the slot
        is freed when the answer is sent (or the client gives up, ``forget_request``).
        """
        if self.disk_refusal is not None:  # short of disk space: nothing is written
            self.refusal = self.disk_refusal
            return None
        request_id = self._requests.next_id()
        value_type = command.value_type
        awaits_result = (
            value_type is ValueType.PROCESS_INSTANCE_CREATION
            and command.intent == ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT
        )
        exempt = (value_type, command.intent) in EXEMPT_COMMANDS
        if self.flow_control.enabled:  # taking work out (job activation) is never throttled
            self.refusal = self.flow_control.refusal(exempt or value_type is ValueType.JOB_BATCH)
            if self.refusal is not None:
                return None
        if not self.limiter.try_acquire(request_id, exempt, sample=not awaits_result):
            return None
        self._enqueue(request_id, command, on_response)
        return request_id

    def _enqueue(self, request_id: int, command: Record[Any], on_response: ResponseCallback | None) -> None:
        self._requests.register(request_id, on_response)
        self.processor.submit(
            msgspec.structs.replace(
                command,
                request_id=request_id,
                request_stream_id=self.settings.partition_id,
                partition_id=self.settings.partition_id,
            )
        )
        if self._driver is not None:
            self._driver.wake()

    def call_soon(self, task: Callable[[], None]) -> None:
        """Run ``task`` between steps, on the thread that processes (thread-safe)."""
        self.processor.call_soon(task)
        if self._driver is not None:
            self._driver.wake()

    def _exporter_backlog(self) -> int:
        """Durable records the slowest exporter has not acknowledged yet (0 without exporters)."""
        director = getattr(self, "director", None)
        acknowledged = director.min_acknowledged_position() if director is not None else None
        return 0 if acknowledged is None else max(0, self.log.durable_position - acknowledged)

    def supports(self, value_type: ValueType, intent: int) -> bool:
        """Whether the engine has a processor for this command."""
        return self.engine.supports(value_type, intent)

    def _respond(self, response: Response) -> None:
        callback, rtt = self._requests.answered(response.request_id)
        if rtt is not None:
            for observer in self.latency_observers:
                observer(rtt)
        if callback is not None:
            callback(response.record)

    def forget_request(self, request_id: int) -> None:
        """The requester gave up (timeout, disconnect): drop its callback and its in-flight slot."""
        self._requests.forget(request_id)

    @property
    def commands_processed(self) -> int:
        """Commands the engine processed since the partition opened (replay not included)."""
        return self._metered.commands if self._metered is not None else 0

    # -- synchronous driving ---------------------------------------------------------------------

    def run_until_idle(self) -> int:
        steps = self.processor.run_until_idle()
        self.director.export_available(max_records=1 << 62)
        return steps

    # -- snapshots and compaction --------------------------------------------------------------------

    def snapshot(self) -> SnapshotInfo:
        """Snapshot the state now (on the processing thread when running) and compact the log."""
        driver = self._driver
        if driver is not None and driver.on_loop_thread():
            return self._snapshot_now()  # between steps already: the loop runs one thing at a time
        if self._running:
            done = threading.Event()
            holder: list[SnapshotInfo] = []

            def take() -> None:
                holder.append(self._snapshot_now())
                done.set()

            self.processor.call_soon(take)
            if driver is not None:
                driver.wake()
            if not done.wait(60):
                raise TimeoutError("the partition did not take the snapshot within 60 s")
            return holder[0]
        return self._snapshot_now()

    def _snapshot_now(self) -> SnapshotInfo:
        info = self.processor.take_snapshot(
            self.snapshots_dir, {"exporter_positions": self.director.positions()}
        )
        self._last_snapshot = time.monotonic()
        self._snapshot_position = self.log.next_position
        if self.settings.log_servers:
            # A shared log is what another broker rebuilds from; snapshots are local to this one
            # (not yet shared through a JetStream object store), so nothing may be compacted away.
            return info
        keep_from = self.processor.replay_start_position
        exported = persisted_export_position(self.director)
        if exported is not None:
            keep_from = min(keep_from, exported + 1)
        self.log.compact(keep_from)
        return info

    def _after_step(self) -> None:
        metered = self._metered
        if metered is not None and metered.step_started:
            duration = time.perf_counter() - metered.step_started
            metered.step_started = 0.0
            for observer in self.step_observers:
                observer(duration)
        if (
            time.monotonic() - self._last_snapshot >= self.settings.snapshot_period_s
            or self.log.next_position - self._snapshot_position >= self.settings.snapshot_every_records
        ):
            try:
                self._snapshot_now()
            except Exception:  # a failed snapshot must not stop processing; the next one retries
                _log.exception("periodic snapshot of partition %d failed", self.settings.partition_id)
                self._last_snapshot = time.monotonic()
                self._snapshot_position = self.log.next_position

    # -- exporting -----------------------------------------------------------------------------

    def _wake_exporters(self, position: int) -> None:
        with self._exporter_wakeup:
            self._exporter_wakeup.notify()

    def _export_loop(self) -> None:
        while self._running:
            try:
                exported = self.director.export_available()
            except Exception:  # keep the exporter thread alive; the director logs per exporter
                _log.exception("exporting failed")
                exported = 0
            if exported == 0:
                with self._exporter_wakeup:
                    self._exporter_wakeup.wait(0.5)


def persisted_export_position(director: ExporterRunner) -> int | None:
    """The lowest position the exporters acknowledged *and persisted* (None without exporters):
    where they resume after a crash, so compaction must keep everything after it."""
    persisted = director.persisted_positions()
    return min(persisted.values()) if persisted else None


class _MeteredEngine:
    """The engine as the stream processor sees it, counting commands and timing steps (metrics)."""

    __slots__ = ("_process", "commands", "on_processing_error", "on_recovered", "replay", "step_started")

    def __init__(self, engine: Engine) -> None:
        self._process = engine.process
        self.replay = engine.replay
        self.on_processing_error = engine.on_processing_error
        self.on_recovered = engine.on_recovered
        self.commands = 0
        self.step_started = 0.0

    def process(self, command: Record[Any], result: ResultBuilder) -> None:
        if not self.step_started:
            self.step_started = time.perf_counter()
        self.commands += 1
        self._process(command, result)
