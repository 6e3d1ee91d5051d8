"""A partition process: one partition of a broker in its own OS process, so N partitions use N cores.

``python -m strom.broker.partition_host --hub SOCKET --partition ID --count N --config FILE``

The broker's main process (``strom.broker.partition_supervisor``) starts one per partition. The
child connects to the main's hub (a Unix socket) first, then opens its partition (restore +
replay), starts it on its own event loop (or its processing thread) and says ``Hello``. From then
on it serves the frames of ``strom.broker.frames``: requests from the gateways, commands other
partitions send, job streams mirrored from the gateways; it reports its status and metrics every
second. It never outlives the main process: when the hub connection closes (the main exited or
was killed) it closes the partition gracefully and exits. It ignores SIGINT (Ctrl-C reaches the
whole process group; the main sends ``Stop``) and closes gracefully on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
from prometheus_client import generate_latest

from strom.broker.broker import partition_settings, tune_garbage_collector
from strom.broker.config import ConfigError
from strom.broker.data_dir import DataDirectoryError
from strom.broker.frames import (
    Answer,
    Deliver,
    Forget,
    Frame,
    FrameConnection,
    Hello,
    JobPushed,
    JobsAvailable,
    PartitionUp,
    Refused,
    Request,
    Send,
    Status,
    Stop,
    StreamAdded,
    StreamRemoved,
    Submit,
    config_from_json,
)
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.logs import configure_logging
from strom.broker.metrics import BrokerMetrics
from strom.broker.partition import Partition
from strom.exporter import ExporterError
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import INTENTS, JobIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue

_log = logging.getLogger("strom.broker.partition_host")  # not __main__ under -m

STATUS_INTERVAL_S = 1.0
"""How often the status (with the metrics text) goes to the main process."""
PHASE_CHECK_INTERVAL_S = 0.1
"""How often a change of phase or failure is looked for (reported at once, without metrics)."""

_encode_job = msgspec.msgpack.Encoder().encode
_JOB = RECORD_CLASS_FOR_VALUE[JobRecordValue]


def yield_job_command(job_key: int) -> Record[Any]:
    """JOB YIELD: give an activated job back (its stream is gone); it becomes activatable again."""
    return _JOB(key=job_key, record_type=RecordType.COMMAND, intent=JobIntent.YIELD, value=JobRecordValue())


def supported_commands(partition: Partition) -> list[int]:
    """``value_type << 8 | intent`` of every command the partition's engine processes."""
    return [
        value_type << 8 | intent
        for value_type, intents in INTENTS.items()
        for intent in intents
        if partition.supports(ValueType(value_type), int(intent))
    ]


class HubSender:
    """The engine's ``InterPartitionSender``: a command for another partition goes to the hub,
    which delivers it (best effort: dropped while the target is down; the engine retries)."""

    def __init__(self, host: PartitionHost) -> None:
        self._host = host

    def send(self, partition_id: int, command: Record[Any]) -> None:
        self._host.send_frame(Send(partition_id, codec.encode(command)))


class ProxyJobStream:
    """A job stream of the main process (a gateway's StreamActivatedJobs call, a worker), as the
    child's engine sees it: pushing sends the job to the main, which hands it to the real stream."""

    __slots__ = (
        "_authorizations",
        "_fetch",
        "_host",
        "_tenant_ids",
        "_timeout",
        "_worker",
        "job_type",
        "stream_id",
    )

    def __init__(self, host: PartitionHost, frame: StreamAdded) -> None:
        self._host = host
        self.stream_id = frame.stream_id
        self.job_type = frame.job_type
        self._worker = frame.worker
        self._timeout = frame.timeout
        self._fetch = list(frame.fetch_variables)
        self._authorizations = dict(frame.authorizations)
        self._tenant_ids = list(frame.tenant_ids)

    @property
    def worker(self) -> str:
        return self._worker

    @property
    def authorizations(self) -> dict[str, Any]:
        return self._authorizations

    @property
    def tenant_ids(self) -> list[str]:
        return self._tenant_ids

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def fetch_variables(self) -> list[str]:
        return self._fetch

    def push(self, job_key: int, job: JobRecordValue) -> None:
        self._host.push_job(self.stream_id, job_key, job)


class PartitionHost:
    """Runs one partition and serves the hub connection on the running event loop."""

    def __init__(self, hub: str, partition_id: int, partition_count: int, config_path: Path) -> None:
        self.hub = hub
        self.partition_id = partition_id
        self.partition_count = partition_count
        self.config = config_from_json(config_path.read_bytes())
        self.job_streams = JobStreamRegistry()
        self.partition: Partition | None = None
        self.metrics: BrokerMetrics | None = None
        self._proxies: dict[int, ProxyJobStream] = {}
        self._requests: dict[int, int] = {}
        """The main's request id -> the partition's (for ``Forget``)."""
        self._connection: FrameConnection | None = None
        self._loop: asyncio.AbstractEventLoop
        self._loop_thread = 0
        self._stopping: asyncio.Event
        self._available: set[str] = set()
        self._available_scheduled = False
        self._status_sent: tuple[str, bool, str] | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def run(self) -> int:
        """Serve until Stop, SIGTERM or the hub closing; then close the partition. The exit code."""
        loop = self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._stopping = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, self._stopping.set)
        _, connection = await loop.create_unix_connection(
            lambda: FrameConnection(self._on_frame, self._on_hub_closed), self.hub
        )
        self._connection = connection
        settings = partition_settings(self.config, self.partition_id, self.partition_count)
        partition = Partition(settings, job_streams=self.job_streams, sender=HubSender(self))
        # Replaying may take a while: off the loop, so a closed hub is noticed meanwhile.
        await asyncio.to_thread(partition.open)
        self.partition = partition
        _log.info(
            "partition %d open: %d events replayed in %.2f s",
            self.partition_id,
            partition.replayed_events,
            partition.replay_seconds,
        )
        if self._stopping.is_set():  # the hub went away (or SIGTERM) while replaying
            partition.close()
            return 0
        self.metrics = BrokerMetrics(partition)
        self.job_streams.add_listener(self._on_available)
        tune_garbage_collector()
        if self.config.processing == "thread":
            partition.start()
        else:
            partition.start(loop)
        connection.send(
            Hello(self.partition_id, os.getpid(), supported_commands(partition), partition.replayed_events)
        )
        status = loop.create_task(self._report_status())
        try:
            await self._stopping.wait()
        finally:
            status.cancel()
            self._close()
        return 0

    def _close(self) -> None:
        """Stop, flush, snapshot (unless processing failed), close the partition, then the socket."""
        partition = self.partition
        if partition is not None:
            self.partition = None
            try:
                partition.close(snapshot=partition.processor.failure is None)
            except Exception:
                _log.exception("closing partition %d failed", self.partition_id)
            else:
                _log.info("partition %d closed", self.partition_id)
        connection = self._connection
        if connection is not None:
            connection.close()

    def _on_hub_closed(self, connection: FrameConnection) -> None:
        if not self._stopping.is_set():
            _log.warning("the broker's main process closed the connection: closing the partition")
            self._stopping.set()

    # -- frames from the main process ------------------------------------------------------------

    def _on_frame(self, connection: FrameConnection, frame: Frame) -> None:
        partition = self.partition
        if partition is None:
            return  # nothing is sent before Hello
        if isinstance(frame, Request):
            main_id = frame.request_id
            request_id = partition.try_submit(codec.decode(frame.record), self._answer_callback(main_id))
            if request_id is None:
                limiter = partition.limiter
                connection.send(Refused(main_id, partition.refusal or "", limiter.inflight, limiter.limit))
            else:
                self._requests[main_id] = request_id
        elif isinstance(frame, Submit | Deliver):
            partition.submit(codec.decode(frame.record))
        elif isinstance(frame, Forget):
            request_id = self._requests.pop(frame.request_id, None)
            if request_id is not None:
                partition.forget_request(request_id)
        elif isinstance(frame, StreamAdded):
            proxy = ProxyJobStream(self, frame)
            self._proxies[frame.stream_id] = proxy
            self.job_streams.add(proxy.job_type, proxy)
        elif isinstance(frame, StreamRemoved):
            removed = self._proxies.pop(frame.stream_id, None)
            if removed is not None:
                self.job_streams.remove(removed.job_type, removed)
        elif isinstance(frame, PartitionUp):
            partition.call_soon(lambda: partition.engine.partition_available(frame.partition_id))
        elif isinstance(frame, Stop):
            _log.info("stopping partition %d (asked by the main process)", self.partition_id)
            self._stopping.set()
        else:
            _log.warning("unexpected frame from the main process: %s", type(frame).__name__)

    def _answer_callback(self, main_id: int) -> Callable[[Record[Any]], None]:
        def answered(record: Record[Any]) -> None:
            # On the loop (event-loop processing) or the processing thread: either way the answer
            # is sent from the loop, after try_submit's caller recorded the request.
            if threading.get_ident() == self._loop_thread:
                self._send_answer(main_id, record)
            else:
                self._call_on_loop(self._send_answer, main_id, record)

        return answered

    def _send_answer(self, main_id: int, record: Record[Any]) -> None:
        self._requests.pop(main_id, None)
        connection = self._connection
        if connection is not None:
            connection.send(Answer(main_id, codec.encode(record)))

    # -- frames to the main process --------------------------------------------------------------

    def send_frame(self, frame: Frame) -> None:
        """Send ``frame`` from any thread."""
        connection = self._connection
        if connection is None:
            return
        if threading.get_ident() == self._loop_thread:
            connection.send(frame)
        else:
            self._call_on_loop(connection.send, frame)

    def _call_on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the process is exiting
            self._loop.call_soon_threadsafe(callback, *args)

    def push_job(self, stream_id: int, job_key: int, job: JobRecordValue) -> None:
        """Hand an activated job to the main's stream; give it back when the main is gone."""
        connection = self._connection
        if connection is None or not connection.connected:
            partition = self.partition
            if partition is not None:
                partition.submit(yield_job_command(job_key))
            return
        self.send_frame(JobPushed(stream_id, job_key, _encode_job(job)))

    def _on_available(self, job_type: str) -> None:
        """Jobs of a type became activatable: tell the main once per type and loop iteration."""
        if threading.get_ident() != self._loop_thread:
            self._call_on_loop(self._on_available, job_type)
            return
        self._available.add(job_type)
        if not self._available_scheduled:
            self._available_scheduled = True
            self._loop.call_soon(self._send_available)

    def _send_available(self) -> None:
        self._available_scheduled = False
        available, self._available = self._available, set()
        connection = self._connection
        if connection is not None:
            for job_type in available:
                connection.send(JobsAvailable(job_type))

    async def _report_status(self) -> None:
        """Status with metrics every second; a change of phase or failure at once."""
        last_full = 0.0
        while True:
            now = time.monotonic()
            self._send_status(full=now - last_full >= STATUS_INTERVAL_S)
            if now - last_full >= STATUS_INTERVAL_S:
                last_full = now
            await asyncio.sleep(PHASE_CHECK_INTERVAL_S)

    def _send_status(self, full: bool) -> None:
        partition, connection = self.partition, self._connection
        if partition is None or connection is None:
            return
        failure = partition.failure
        text = "" if failure is None else f"{type(failure).__name__}: {failure}"
        healthy = failure is None and partition.phase in ("open", "processing")
        state = (partition.phase, healthy, text)
        if not full and state == self._status_sent:
            return
        self._status_sent = state
        metrics = ""
        if full and self.metrics is not None:
            try:
                metrics = generate_latest(self.metrics.registry).decode()
            except Exception:  # metrics must never take the partition down
                _log.exception("collecting the metrics of partition %d failed", self.partition_id)
        connection.send(Status(partition.phase, healthy, text, metrics))


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="strom.broker.partition_host", description=__doc__)
    parser.add_argument("--hub", required=True, help="the main process's Unix socket")
    parser.add_argument("--partition", type=int, required=True, help="this partition's id (1..count)")
    parser.add_argument("--count", type=int, required=True, help="how many partitions the broker has")
    parser.add_argument("--config", type=Path, required=True, help="the BrokerConfig as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    # Ctrl-C in a terminal reaches the whole process group: the main process decides (Stop).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    host = PartitionHost(args.hub, args.partition, args.count, args.config)
    configure_logging(host.config.log_level, host.config.log_format, f"partition-{args.partition}")
    try:
        return asyncio.run(host.run())
    except (DataDirectoryError, ExporterError, ConfigError) as error:  # the user's to fix: no traceback
        _log.error("partition %d cannot start: %s", args.partition, error)
        return 2
    except Exception as error:
        _log.exception("partition %d failed: %s", args.partition, error)
        return 1


if __name__ == "__main__":
    sys.exit(main())
