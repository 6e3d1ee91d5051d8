"""Disk watermarks: below the free space for processing a partition refuses client commands with the
reason, takes them again above it (with some hysteresis), and a full disk that stopped processing
is recovered from by itself, without losing anything acknowledged."""

from __future__ import annotations

import asyncio
import errno
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.broker import Partition, PartitionSettings
from strom.broker.config import ConfigError, load_config
from strom.broker.disk import (
    DiskSettings,
    DiskSpaceMonitor,
    DiskUsage,
    PartitionDiskGuard,
    is_disk_full,
    parse_free_space,
)
from strom.broker.endpoint import LocalEndpoint, Refusal
from strom.broker.metrics import BrokerMetrics
from strom.log import _segment
from strom.log.errors import LogFailedError
from strom.protocol import codec
from strom.protocol.enums import RecordType
from strom.protocol.intents import DeploymentIntent, ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing import bpmn

GB = 1024**3


class FakeDisk:
    """A file system whose free space the test sets."""

    def __init__(self, free: int, total: int = 100 * GB) -> None:
        self.free = free
        self.total = total

    def __call__(self, directory: Path) -> DiskUsage:
        return DiskUsage(self.total, self.free)


# -- the monitor -----------------------------------------------------------------------------------


def test_the_monitor_pauses_below_the_watermark_and_resumes_only_above_it_plus_a_margin() -> None:
    disk = FakeDisk(free=5 * GB)
    monitor = DiskSpaceMonitor(Path("/data"), DiskSettings(free_space_processing="2GB"), usage=disk)
    seen: list[bool] = []
    monitor.add_listener(lambda m: seen.append(m.paused))

    assert monitor.check() is False

    disk.free = 2 * GB - 1
    assert monitor.check() is True
    assert "/data has 2.0 GB free, less than disk.free_space_processing (2.0 GB)" in monitor.reason()

    disk.free = 2 * GB + 100 * 1024**2  # above the watermark, within the margin: still paused
    assert monitor.check() is True

    disk.free = int(2.2 * GB)
    assert monitor.check() is False
    assert seen == [False, True, True, False]
    assert monitor.free_bytes == int(2.2 * GB)


def test_a_percentage_watermark_is_a_share_of_the_file_system() -> None:
    disk = FakeDisk(free=6 * GB, total=100 * GB)
    monitor = DiskSpaceMonitor(Path("/data"), DiskSettings(free_space_processing="5%"), usage=disk)

    assert monitor.check() is False
    assert monitor.watermark_bytes == 5 * GB

    disk.free = 4 * GB
    assert monitor.check() is True


def test_the_monitor_checks_periodically_on_its_thread() -> None:
    disk = FakeDisk(free=5 * GB)
    monitor = DiskSpaceMonitor(
        Path("/data"), DiskSettings(free_space_processing="1GB", monitoring_interval_s=0.01), usage=disk
    ).start()
    try:
        disk.free = 0
        _wait_until(lambda: monitor.paused)
        disk.free = 5 * GB
        _wait_until(lambda: not monitor.paused)
    finally:
        monitor.stop()


def test_a_failing_look_keeps_the_last_state() -> None:
    def broken(directory: Path) -> DiskUsage:
        raise FileNotFoundError(errno.ENOENT, "gone", str(directory))

    monitor = DiskSpaceMonitor(Path("/data"), DiskSettings(), usage=broken)

    assert monitor.check() is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1073741824", (GB, 0.0)), ("512MB", (512 * 1024**2, 0.0)), ("2 GB", (2 * GB, 0.0)), ("5%", (0, 0.05))],
)
def test_free_space_is_bytes_with_units_or_a_percentage(text: str, expected: tuple[int, float]) -> None:
    assert parse_free_space(text) == expected


def test_the_disk_settings_come_from_the_config_environment_and_say_what_is_wrong() -> None:
    config = load_config(
        environ={"STROM_DISK_FREE_SPACE_PROCESSING": "3GB", "STROM_DISK__MONITORING_INTERVAL_S": "0.5"}
    )
    assert config.disk.free_space_processing == "3GB" and config.disk.monitoring_interval_s == 0.5
    assert load_config(environ={}).disk.free_space_processing == "1GB"

    with pytest.raises(ConfigError, match=r"disk\.free_space_processing must be bytes"):
        load_config(environ={"STROM_DISK__FREE_SPACE_PROCESSING": "lots"})
    with pytest.raises(ConfigError, match="monitoring_interval_s must be positive"):
        load_config(overrides={"disk": {"monitoring_interval_s": 0}})


def test_disk_full_is_recognised_through_the_causes() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            raise LogFailedError("writing failed") from error
    except LogFailedError as failed:
        assert is_disk_full(failed)
    assert not is_disk_full(RuntimeError("other")) and not is_disk_full(None)


# -- a partition -----------------------------------------------------------------------------------


@pytest.fixture
def partition(tmp_path: Path) -> Iterator[Partition]:
    partition = Partition(PartitionSettings(data_dir=tmp_path, snapshot_period_s=float("inf"))).open()
    try:
        yield partition
    finally:
        partition.close(snapshot=partition.failure is None)


def _watch(partition: Partition, disk: FakeDisk) -> PartitionDiskGuard:
    settings = DiskSettings(free_space_processing="1GB", monitoring_interval_s=0.02)
    partition.disk = PartitionDiskGuard.watch(partition, settings, usage=disk)
    return partition.disk


def test_below_the_watermark_every_client_command_is_refused_with_the_reason_and_readiness_is_down(
    partition: Partition,
) -> None:
    disk = FakeDisk(free=100 * 1024**2)
    _watch(partition, disk)
    metrics = BrokerMetrics(partition)
    metrics.mark_started()
    partition.start()
    answers: list[Any] = []

    LocalEndpoint(partition).request(_deploy(), answers.append)

    [refusal] = answers
    assert isinstance(refusal, Refusal)
    assert "out of disk space" in refusal.reason and "disk.free_space_processing (1.0 GB)" in refusal.reason
    ready, details = metrics.readiness()
    assert not ready and "partition 1 refuses commands: the broker is out of disk space" in details["reason"]
    assert metrics.liveness()[0]
    assert _metric(metrics, "strom_disk_processing_paused") == 1
    assert _metric(metrics, "strom_disk_free_bytes") == 100 * 1024**2

    disk.free = 2 * GB
    _wait_until(lambda: partition.disk_refusal is None)

    LocalEndpoint(partition).request(_deploy(), answers.append)
    _wait_until(lambda: len(answers) == 2)
    assert isinstance(answers[-1], Record) and answers[-1].intent == DeploymentIntent.CREATED
    assert metrics.readiness()[0]
    assert _metric(metrics, "strom_disk_processing_paused") == 0


def test_while_commands_are_refused_snapshots_go_on_so_the_log_can_be_compacted(
    partition: Partition, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("strom.broker.disk.SNAPSHOT_WHILE_PAUSED_S", 0.0)
    partition.start()
    partition.submit(_deploy())
    _wait_until(lambda: partition.processor.processed_position > 0)
    assert not list(partition.snapshots_dir.glob("*"))

    _watch(partition, FakeDisk(free=0))

    _wait_until(lambda: bool(list(partition.snapshots_dir.glob("*"))))
    assert partition.disk_refusal is not None


@pytest.mark.parametrize("driven_by", ["thread", "event-loop"])
def test_a_full_disk_that_stops_processing_is_recovered_from_without_losing_anything_acknowledged(
    partition: Partition, monkeypatch: pytest.MonkeyPatch, driven_by: str
) -> None:
    # Given a partition taking instances; the watermark does not see the disk filling up.
    disk = FakeDisk(free=50 * GB)
    guard = _watch(partition, disk)
    full = threading.Event()
    write = _segment.Segment.write

    def write_unless_full(segment: _segment.Segment, frame: bytearray, offset: int) -> None:
        if full.is_set():
            write(segment, frame[: len(frame) // 2], offset)  # a torn write, then ENOSPC
            raise OSError(errno.ENOSPC, "No space left on device")
        write(segment, frame, offset)

    monkeypatch.setattr(_segment.Segment, "write", write_unless_full)
    acknowledged: list[int] = []
    refusals: list[str] = []

    with _Driver(partition, driven_by) as drive:
        drive(lambda: _request(partition, _deploy(), lambda answer: None))
        _create_some(drive, partition, 20, acknowledged, refusals)
        _wait_until(lambda: len(acknowledged) == 20)

        # When the disk is full: writing the log fails and processing stops.
        full.set()
        disk.free = 0
        _create_some(drive, partition, 5, acknowledged, refusals)
        _wait_until(lambda: guard.failure is not None)
        assert is_disk_full(guard.failure)
        _wait_until(lambda: "stopped processing" in (partition.disk_refusal or ""))

        # Then commands are refused, saying why.
        _create_some(drive, partition, 1, acknowledged, refusals)
        _wait_until(lambda: bool(refusals))
        assert "stopped processing because the disk is full" in refusals[-1]
        assert "it reopens by itself" in refusals[-1]

        # When space returns, the partition reopens by itself and takes commands again.
        full.clear()
        before = len(acknowledged)
        disk.free = 50 * GB
        _wait_until(lambda: guard.reopened == 1 and partition.disk_refusal is None, timeout=20)
        assert partition.failure is None and partition.phase == "processing"
        _create_some(drive, partition, 5, acknowledged, refusals)
        _wait_until(lambda: len(acknowledged) == before + 5)

    # And every acknowledged instance is on the log.
    created = _created_on_log(partition)
    assert set(acknowledged) <= created
    assert len(set(acknowledged)) == len(acknowledged) >= 25


# -- helpers ---------------------------------------------------------------------------------------


class _Driver:
    """Starts the partition on its thread, or on an event loop running in a thread of its own;
    ``drive(fn)`` runs ``fn`` where client requests come from (the loop's thread for the loop)."""

    def __init__(self, partition: Partition, driven_by: str) -> None:
        self._partition = partition
        self._driven_by = driven_by
        self._loop: Any = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Callable[[Callable[[], Any]], None]:
        if self._driven_by == "thread":
            self._partition.start()
            return lambda fn: fn()
        loop = self._loop = asyncio.new_event_loop()
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            self._partition.start(loop)
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        assert started.wait(10)

        def drive(fn: Callable[[], Any]) -> None:
            done = threading.Event()

            def call() -> None:
                try:
                    fn()
                finally:
                    done.set()

            loop.call_soon_threadsafe(call)
            assert done.wait(10)

        return drive

    def __exit__(self, *exc: object) -> None:
        if self._loop is None:
            return
        loop, partition = self._loop, self._partition

        async def stop() -> None:
            try:
                if partition.running:
                    partition.stop()
            finally:  # let the cancelled processing task end before the loop does
                others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
                await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        assert self._thread is not None
        self._thread.join(10)
        loop.close()


def _request(partition: Partition, command: Record[Any], on_answer: Callable[[Any], None]) -> None:
    LocalEndpoint(partition).request(command, on_answer)


def _create_some(
    drive: Callable[[Callable[[], Any]], None],
    partition: Partition,
    count: int,
    acknowledged: list[int],
    refusals: list[str],
) -> None:
    def answered(answer: Any) -> None:
        if isinstance(answer, Refusal):
            refusals.append(answer.reason)
        elif answer.intent == ProcessInstanceCreationIntent.CREATED:
            acknowledged.append(answer.value.process_instance_key)

    def send() -> None:
        for _ in range(count):
            _request(partition, _create(), answered)

    drive(send)


def _created_on_log(partition: Partition) -> set[int]:
    created: set[int] = set()
    reader = partition.log.reader()
    try:
        for _, data in reader.read_available():
            record = codec.decode(data)
            value = record.value
            if (
                isinstance(value, ProcessInstanceCreationRecordValue)
                and record.intent == ProcessInstanceCreationIntent.CREATED
            ):
                created.add(value.process_instance_key)
    finally:
        reader.close()
    return created


def _deploy() -> Record[Any]:
    xml = bpmn.process("p").start_event().end_event().to_xml().encode()
    return RECORD_CLASS_FOR_VALUE[DeploymentRecordValue](
        record_type=RecordType.COMMAND,
        intent=DeploymentIntent.CREATE,
        value=DeploymentRecordValue(resources=[DeploymentResource(resource_name="p.bpmn", resource=xml)]),
    )


def _create() -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id="p"),
    )


def _metric(metrics: BrokerMetrics, name: str) -> float:
    value = metrics.registry.get_sample_value(name, {"partition": "1"})
    assert value is not None, name
    return value


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)
