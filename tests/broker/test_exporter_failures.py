"""An exporter that keeps failing is reported loudly — a metric, the error in the log, and the
broker not ready once it stalls — retried with a growing back-off, and never stops the engine."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import generate_latest

from strom.broker import Partition, PartitionSettings, metrics
from strom.broker.metrics import BrokerMetrics
from strom.client import Client
from strom.exporter import Controller, ExporterContext
from strom.protocol.record import Record
from strom.testing import bpmn


class Broken:
    def __init__(self) -> None:
        self.attempts = 0

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        return None

    def export(self, record: Record[Any]) -> None:
        self.attempts += 1
        raise ConnectionError("the sink refuses connections")

    def close(self) -> None:
        return None


def test_a_failing_exporter_is_reported_backed_off_and_makes_the_broker_not_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Broken()
    partition = Partition(
        PartitionSettings(
            data_dir=tmp_path, group_commit=False, snapshot_period_s=float("inf"), exporters={"sink": broken}
        )
    ).open()
    try:
        with caplog.at_level(logging.WARNING):
            client = Client(partition)
            client.deploy(("p.bpmn", bpmn.process("p").start_event().end_event().to_xml().encode()))
            for _ in range(5):
                assert client.create_instance("p") > 0  # the engine goes on
                partition.director._slots[0].retry_at = 0.0  # skip the back-off, for the test
                partition.run_until_idle()

        [failure] = partition.director.failing()
        assert failure.exporter_id == "sink" and failure.failures >= 3
        assert "ConnectionError: the sink refuses connections" in failure.error
        tracebacks = [r for r in caplog.records if r.exc_info]
        assert len(tracebacks) == 1, "one traceback, then a line per retry"
        assert "again (" in caplog.text

        monitor = BrokerMetrics(partition)
        monitor.mark_started()
        partition.phase = "processing"
        monkeypatch.setattr(metrics, "EXPORTER_STALLED_AFTER_S", 0.0)
        ready, details = monitor.readiness()
        assert not ready
        assert "exporter 'sink' of partition 1 has failed" in details["reason"]
        text = generate_latest(monitor.registry).decode()
        assert 'strom_exporter_consecutive_failures{exporter="sink",partition="1"}' in text
        assert 'strom_flow_control_rejections_total{limit="write_rate",partition="1"} 0.0' in text
    finally:
        partition.close(snapshot=False)


def test_the_back_off_grows_with_each_failure(tmp_path: Path) -> None:
    partition = Partition(
        PartitionSettings(data_dir=tmp_path, group_commit=False, exporters={"sink": Broken()})
    ).open()
    try:
        slot = partition.director._slots[0]
        waits = []
        for position in range(1, 9):
            slot.failed(100.0, position, ConnectionError("down"), "to export the record")
            waits.append(slot.retry_at - 100.0)
    finally:
        partition.close(snapshot=False)

    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
