"""Durability: nothing acknowledged is lost when the process is killed, and damaged logs are
truncated (torn tail) or refused with a clear error (damage before the tail)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from strom.broker import Partition, PartitionSettings
from strom.engine.state.element_instance import ElementInstance
from strom.log import LogCorruptionError
from strom.protocol import codec
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import JobIntent, ProcessInstanceCreationIntent, ProcessInstanceIntent
from strom.testing import TestEngine, bpmn

_LOAD = Path(__file__).with_name("_load.py")


def _open(data_dir: Path) -> Partition:
    return Partition(
        PartitionSettings(data_dir=data_dir, group_commit=False, snapshot_period_s=float("inf"))
    ).open()


@pytest.mark.slow
def test_every_acknowledged_command_survives_sigkill_under_load(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, str(_LOAD), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    created: set[int] = set()
    completed: set[int] = set()
    assert child.stdout is not None
    deadline = time.monotonic() + 60
    while (len(created) < 1500 or len(completed) < 800) and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        kind, key = line.split()
        (created if kind == "created" else completed).add(int(key))
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert len(created) >= 1500 and len(completed) >= 800, "the load process did not get going"

    partition = _open(tmp_path)
    try:
        partition.run_until_idle()
        with partition.log.reader(partition.log.first_position) as reader:
            entries = list(reader)
    finally:
        partition.close(snapshot=False)

    positions = [position for position, _ in entries]
    assert positions == list(range(positions[0], positions[0] + len(positions))), "positions not consecutive"
    records = [codec.decode(data) for _, data in entries]
    assert [r.position for r in records] == positions
    created_on_log = [
        r.value.process_instance_key
        for r in records
        if r.value_type is ValueType.PROCESS_INSTANCE_CREATION
        and r.record_type is RecordType.EVENT
        and r.intent == ProcessInstanceCreationIntent.CREATED
    ]
    completed_on_log = [
        r.key
        for r in records
        if r.value_type is ValueType.JOB
        and r.intent == JobIntent.COMPLETED
        and r.record_type is RecordType.EVENT
    ]
    assert len(created_on_log) == len(set(created_on_log)), "an instance was created twice"
    assert len(completed_on_log) == len(set(completed_on_log)), "a job was completed twice"
    assert created <= set(created_on_log), "acknowledged instances are missing"
    assert completed <= set(completed_on_log), "acknowledged job completions are missing"
    processes_started = {
        r.key
        for r in records
        if r.value_type is ValueType.PROCESS_INSTANCE
        and r.intent == ProcessInstanceIntent.ELEMENT_ACTIVATED
        and r.value.bpmn_element_type is BpmnElementType.PROCESS
    }
    assert set(created_on_log) <= processes_started


def _engine_with_instances(directory: Path, count: int) -> list[int]:
    engine = TestEngine(directory)
    try:
        engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="work").end_event())
        return [engine.instances.create("p", {"n": n}) for n in range(count)]
    finally:
        engine.partition.close(snapshot=False)


def _segments(directory: Path) -> list[Path]:
    return sorted((directory / "partition-1" / "log").glob("segment-*.log"))


def test_a_torn_write_at_the_tail_is_truncated_on_open(tmp_path: Path) -> None:
    instances = _engine_with_instances(tmp_path, 5)
    segment = _segments(tmp_path)[-1]
    intact = segment.stat().st_size
    with open(segment, "ab") as handle:
        handle.write(b"\x07\x00\x01half a batch that never finished writing")

    partition = _open(tmp_path)
    try:
        assert segment.stat().st_size == intact
        active = {instance.key for instance in _active_processes(partition)}
        assert active == set(instances)
    finally:
        partition.close(snapshot=False)


def test_corruption_before_the_tail_stops_the_partition_naming_segment_and_position(tmp_path: Path) -> None:
    _engine_with_instances(tmp_path, 5)
    segment = _segments(tmp_path)[0]
    data = bytearray(segment.read_bytes())
    data[200] ^= 0xFF  # inside the first batch, well before the tail
    segment.write_bytes(bytes(data))

    with pytest.raises(LogCorruptionError) as raised:
        _open(tmp_path)

    assert raised.value.segment.endswith(segment.name)
    assert segment.name in str(raised.value)
    assert "position" in str(raised.value)


def _active_processes(partition: Partition) -> list[ElementInstance]:
    txn = partition.db.transaction()
    try:
        instances = (
            msgspec.msgpack.decode(raw, type=ElementInstance)
            for _, raw in partition.db.column_family("element_instances").iterate()
        )
        return [i for i in instances if i.value.bpmn_element_type is BpmnElementType.PROCESS]
    finally:
        txn.rollback()
