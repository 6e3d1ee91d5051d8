"""The partition processes of a broker: started, connected, restarted when they die, stopped.

``strom broker --partitions N`` runs each partition in its own OS process
(``strom.broker.partition_host``) so that N partitions use N cores; the main process keeps the
gateways. The supervisor is the main process's side:

- the hub, a Unix socket the children connect to (in a short temporary directory: AF_UNIX paths
  are limited to 108 bytes and data directories can be long);
- one ``RemotePartition`` endpoint per partition, attached when its child says Hello;
- routing between children: a command one partition sends another (``Send``) is delivered to the
  target if it is connected, else dropped (the engine retries its conversations);
- job streams: every stream of the main's ``JobStreamRegistry`` is mirrored into every child; a job
  a child pushes goes to the real stream, or back (JOB YIELD) when the stream is gone; a child's
  "jobs available" wakes the main's long polls;
- supervision: a child that exits unexpectedly is restarted after a back-off (0.5 s doubling to
  30 s, reset once it ran 60 s); it replays from its snapshot and says Hello again while the others
  keep serving;
- metrics: the children's latest expositions merged, plus restarts and up per partition.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families

import strom
from strom.broker.config import BrokerConfig, ConfigError
from strom.broker.data_dir import DataDirectoryError, check_format, write_marker
from strom.broker.frames import (
    Answer,
    Deliver,
    Frame,
    FrameConnection,
    Hello,
    JobPushed,
    JobsAvailable,
    PartitionUp,
    Refused,
    Send,
    Status,
    Stop,
    StreamAdded,
    StreamRemoved,
    Submit,
    config_to_json,
)
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.remote_partition import RemotePartition
from strom.engine import JobStream
from strom.protocol import codec
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue

_log = logging.getLogger(__name__)

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 30.0
HEALTHY_RESET_S = 60.0
"""A child that ran this long before dying restarts after the first back-off again."""

_decode_job = msgspec.msgpack.Decoder(JobRecordValue).decode
_JOB = RECORD_CLASS_FOR_VALUE[JobRecordValue]


@dataclass
class _Child:
    partition_id: int
    endpoint: RemotePartition
    process: asyncio.subprocess.Process | None = None
    connection: FrameConnection | None = None
    hello: asyncio.Future[Hello] | None = None
    connected_at: float = 0.0
    restarts: int = 0
    backoff_s: float = FIRST_BACKOFF_S
    watcher: asyncio.Task[None] | None = field(default=None, repr=False)


class PartitionSupervisor:
    def __init__(self, config: BrokerConfig, partition_count: int, job_streams: JobStreamRegistry) -> None:
        if partition_count < 1:
            raise ConfigError(f"partitions must be 1 or more, got {partition_count}")
        self.config = config
        self.partition_count = partition_count
        self.job_streams = job_streams
        self.endpoints: dict[int, RemotePartition] = {
            pid: RemotePartition(pid) for pid in range(1, partition_count + 1)
        }
        self._children = {pid: _Child(pid, endpoint) for pid, endpoint in self.endpoints.items()}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._directory: Path | None = None
        self._socket = ""
        self._config_file = ""
        self._stopping = False
        self._stream_counter = itertools.count(1)
        self._stream_ids: dict[tuple[str, int], int] = {}
        self._streams: dict[int, tuple[str, JobStream]] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start every partition process and wait until each said Hello (opened and replayed).

        Raises:
            ConfigError: the data directory or the secondary storage cannot be used, or a child
                exited before it was ready (it printed why on stderr); the others are stopped.
        """
        loop = self._loop = asyncio.get_running_loop()
        for endpoint in self.endpoints.values():
            endpoint.bind(loop)
        await asyncio.to_thread(self._prepare_storage)
        self._directory = Path(tempfile.mkdtemp(prefix="strom-"))
        self._socket = str(self._directory / "hub.sock")
        config_file = self._directory / "config.json"
        config_file.write_bytes(config_to_json(self.config))
        self._config_file = str(config_file)
        self._server = await loop.create_unix_server(
            lambda: FrameConnection(self._on_frame, self._on_close), self._socket
        )
        self.job_streams.add_stream_observer(self._on_stream_added, self._on_stream_removed)
        try:
            for child in self._children.values():
                await self._spawn(child)
            for child in self._children.values():
                await self._await_hello(child)
        except BaseException:
            await self.stop(grace_s=10.0)
            raise
        for child in self._children.values():
            child.watcher = loop.create_task(self._watch(child), name=f"partition-{child.partition_id}-watch")
        _log.info("%d partition processes ready", self.partition_count)

    def _prepare_storage(self) -> None:
        """Mark the data directory and create the read model once, before N children race on it."""
        data_dir = Path(self.config.data_dir)
        try:
            check_format(data_dir)
            data_dir.mkdir(parents=True, exist_ok=True)
            write_marker(data_dir)
        except DataDirectoryError as error:
            raise ConfigError(str(error)) from None
        url = self.config.secondary_storage_url
        if url is None:
            return
        from strom.search import schema

        try:
            engine = schema.create_engine(url)
            try:
                schema.create_schema(engine)
            finally:
                engine.dispose()
        except Exception as error:
            raise ConfigError(f"the secondary storage cannot be used: {error}") from error

    async def _spawn(self, child: _Child) -> None:
        assert self._loop is not None
        child.hello = self._loop.create_future()
        env = dict(os.environ)
        # The children import the strom this process runs, wherever it comes from.
        source = str(Path(strom.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
        child.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "strom.broker.partition_host",
            "--hub",
            self._socket,
            "--partition",
            str(child.partition_id),
            "--count",
            str(self.partition_count),
            "--config",
            self._config_file,
            env=env,
        )
        _log.debug("partition %d: process %d started", child.partition_id, child.process.pid)

    async def _await_hello(self, child: _Child) -> None:
        assert child.hello is not None and child.process is not None
        exited = asyncio.ensure_future(child.process.wait())
        try:
            waiting: set[asyncio.Future[Any]] = {child.hello, exited}
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
        if not child.hello.done():
            code = child.process.returncode
            raise ConfigError(
                f"partition {child.partition_id} exited ({_describe_exit(code)}) before it was ready; "
                f"its error is above"
            )

    async def _watch(self, child: _Child) -> None:
        """Restart the child whenever it exits while the supervisor runs."""
        while True:
            process = child.process
            assert process is not None
            code = await process.wait()
            if self._stopping:
                return
            ran_s = time.monotonic() - child.connected_at if child.connected_at else 0.0
            child.connected_at = 0.0
            self._mark_down(child, "restarting")
            if ran_s >= HEALTHY_RESET_S:
                child.backoff_s = FIRST_BACKOFF_S
            delay = child.backoff_s
            child.backoff_s = min(delay * 2, MAX_BACKOFF_S)
            _log.warning(
                "partition %d (process %d) exited unexpectedly (%s); restarting it in %.1f s",
                child.partition_id,
                process.pid,
                _describe_exit(code),
                delay,
            )
            await asyncio.sleep(delay)
            if self._stopping:
                return
            child.restarts += 1
            try:
                await self._spawn(child)
            except OSError:
                _log.exception("restarting partition %d failed", child.partition_id)
                child.process = process  # exited already: the next turn backs off further

    def _mark_down(self, child: _Child, phase: str) -> None:
        connection, child.connection = child.connection, None
        if connection is not None:
            connection.close()
        child.endpoint.detach(phase)

    async def stop(self, grace_s: float = 30.0) -> None:
        """Stop every child (each stops, flushes, snapshots and exits); SIGKILL those still alive
        after ``grace_s``; close the hub."""
        self._stopping = True
        self.job_streams.remove_stream_observer(self._on_stream_added, self._on_stream_removed)
        watchers = [child.watcher for child in self._children.values() if child.watcher is not None]
        for task in watchers:
            task.cancel()
        for task in watchers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        alive = [c for c in self._children.values() if c.process is not None and c.process.returncode is None]
        for child in alive:
            assert child.process is not None
            if child.connection is not None:
                child.connection.send(Stop())
            else:  # not connected yet (starting): SIGTERM closes it gracefully too
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)
        if alive:
            waits = [asyncio.ensure_future(c.process.wait()) for c in alive if c.process is not None]
            _, late = await asyncio.wait(waits, timeout=grace_s)
            for waiting in late:
                waiting.cancel()
            for child in alive:
                process = child.process
                if process is not None and process.returncode is None:
                    _log.warning(
                        "partition %d did not stop within %.0f s: killing it", child.partition_id, grace_s
                    )
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
                    await process.wait()
        for child in self._children.values():
            self._mark_down(child, "dead")
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    # -- the hub ---------------------------------------------------------------------------------

    def _on_frame(self, connection: FrameConnection, frame: Frame) -> None:
        child: _Child | None = connection.peer
        if child is None:
            if isinstance(frame, Hello):
                self._on_hello(connection, frame)
            else:
                _log.warning("a %s frame before Hello: closing the connection", type(frame).__name__)
                connection.close()
            return
        if isinstance(frame, Answer | Refused | Status):
            child.endpoint.on_frame(frame)
        elif isinstance(frame, Send):
            target = self._children.get(frame.target)
            target_connection = target.connection if target is not None else None
            if target_connection is not None:
                target_connection.send(Deliver(frame.record))
            else:
                _log.debug("partition %d is unavailable: dropped a command for it", frame.target)
        elif isinstance(frame, JobPushed):
            entry = self._streams.get(frame.stream_id)
            if entry is None:  # the stream is gone: the job goes back
                _log.debug("stream %d is gone: giving job %d back", frame.stream_id, frame.job_key)
                yield_job = _JOB(
                    key=frame.job_key,
                    record_type=RecordType.COMMAND,
                    intent=JobIntent.YIELD,
                    value=JobRecordValue(),
                )
                connection.send(Submit(codec.encode(yield_job)))
            else:
                entry[1].push(frame.job_key, _decode_job(frame.job))
        elif isinstance(frame, JobsAvailable):
            self.job_streams.notify_available(frame.job_type)
        else:
            _log.warning("unexpected frame from partition %d: %s", child.partition_id, type(frame).__name__)

    def _on_hello(self, connection: FrameConnection, hello: Hello) -> None:
        child = self._children.get(hello.partition_id)
        process = child.process if child is not None else None
        if child is None or process is None or process.pid != hello.pid or self._stopping:
            _log.warning(
                "Hello from an unknown process (partition %d, pid %d)", hello.partition_id, hello.pid
            )
            connection.close()
            return
        connection.peer = child
        child.connection = connection
        child.connected_at = time.monotonic()
        child.endpoint.attach(connection, hello)
        for stream_id, (job_type, stream) in self._streams.items():
            connection.send(_stream_added(stream_id, job_type, stream))
        if child.hello is not None and not child.hello.done():
            child.hello.set_result(hello)
        for other in self._children.values():  # what the others wait for from it goes out now
            if other is not child and other.connection is not None:
                other.connection.send(PartitionUp(hello.partition_id))
        _log.info(
            "partition %d ready (process %d, %d events replayed)",
            hello.partition_id,
            hello.pid,
            hello.replayed_events,
        )

    def _on_close(self, connection: FrameConnection) -> None:
        child: _Child | None = connection.peer
        if child is not None and child.connection is connection:
            child.connection = None
            child.endpoint.detach("dead" if self._stopping else "restarting")

    def _broadcast(self, frame: Frame) -> None:
        for child in self._children.values():
            if child.connection is not None:
                child.connection.send(frame)

    # -- job streams -----------------------------------------------------------------------------

    def _on_stream_added(self, job_type: str, stream: JobStream) -> None:
        # Always through the loop, even from its own thread: adds and removes keep their order.
        self._call_on_loop(self._stream_added, job_type, stream)

    def _on_stream_removed(self, job_type: str, stream: JobStream) -> None:
        self._call_on_loop(self._stream_removed, job_type, stream)

    def _stream_added(self, job_type: str, stream: JobStream) -> None:
        key = (job_type, id(stream))
        if key in self._stream_ids:
            return
        stream_id = self._stream_ids[key] = next(self._stream_counter)
        self._streams[stream_id] = (job_type, stream)
        self._broadcast(_stream_added(stream_id, job_type, stream))

    def _stream_removed(self, job_type: str, stream: JobStream) -> None:
        stream_id = self._stream_ids.pop((job_type, id(stream)), None)
        if stream_id is not None:
            del self._streams[stream_id]
            self._broadcast(StreamRemoved(stream_id))

    def _call_on_loop(self, callback: Any, *args: Any) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: shutting down
                loop.call_soon_threadsafe(callback, *args)

    # -- observation -----------------------------------------------------------------------------

    @property
    def hub_path(self) -> str:
        """The hub's Unix socket (in a temporary directory ``stop`` removes; a killed main leaves it)."""
        return self._socket

    def pids(self) -> dict[int, int]:
        """Partition id -> pid of its running process."""
        return {
            pid: child.process.pid
            for pid, child in self._children.items()
            if child.process is not None and child.process.returncode is None
        }

    @property
    def restarts(self) -> dict[int, int]:
        """Partition id -> how often its process was restarted."""
        return {pid: child.restarts for pid, child in self._children.items()}

    def collect_metrics(self) -> Iterable[Metric]:
        """The children's latest metrics, one family per name, plus restarts and up per partition."""
        families: dict[str, Metric] = {}
        for endpoint in self.endpoints.values():
            text = endpoint.metrics_text
            if not text:
                continue
            try:
                parsed = list(text_string_to_metric_families(text))
            except ValueError:
                _log.warning("partition %d sent metrics that do not parse", endpoint.partition_id)
                continue
            for family in parsed:
                merged = families.get(family.name)
                if merged is None:
                    merged = families[family.name] = Metric(
                        family.name, family.documentation, family.type, family.unit
                    )
                merged.samples.extend(family.samples)
        yield from families.values()
        restarts = CounterMetricFamily(
            "strom_partition_restarts",
            "Times a partition's process was restarted after it exited unexpectedly.",
            labels=["partition"],
        )
        up = GaugeMetricFamily(
            "strom_partition_up",
            "1 while the partition's process is connected, else 0.",
            labels=["partition"],
        )
        for pid, child in self._children.items():
            restarts.add_metric([str(pid)], child.restarts)
            up.add_metric([str(pid)], 1 if child.connection is not None else 0)
        yield restarts
        yield up


def _stream_added(stream_id: int, job_type: str, stream: JobStream) -> StreamAdded:
    return StreamAdded(
        stream_id,
        job_type,
        stream.worker,
        stream.timeout,
        list(stream.fetch_variables),
        dict(stream.authorizations),
        list(stream.tenant_ids),
    )


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit code {code}"
