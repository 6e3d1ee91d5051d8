"""The exporters' lag on /metrics: records behind the durable log, and the age of the oldest one.

A real partition (driven synchronously, on a controlled clock) with two exporters: one that stores
and acknowledges every record at once, and one that holds its acknowledgement until told, like a
batching exporter whose store is slow or down. The metrics are read as Prometheus text from the
monitoring endpoint.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from strom.broker import Partition, PartitionSettings
from strom.broker.metrics import BrokerMetrics
from strom.client import Client
from strom.exporter import Controller, ExporterContext
from strom.protocol.record import Record
from strom.stream.clock import ControlledClock
from strom.testing import bpmn

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Prompt:
    """Acknowledges every record as it comes."""

    def __init__(self) -> None:
        self.controller: Controller | None = None

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self.controller = controller

    def export(self, record: Record[Any]) -> None:
        assert self.controller is not None
        self.controller.update_last_exported_position(record.position)

    def close(self) -> None:
        return None


class Holding:
    """Takes every record (remembering its timestamp) and acknowledges only on ``acknowledge``."""

    def __init__(self) -> None:
        self.controller: Controller | None = None
        self.timestamps: dict[int, int] = {}

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self.controller = controller

    def export(self, record: Record[Any]) -> None:
        self.timestamps[record.position] = record.timestamp

    def acknowledge(self, position: int) -> None:
        assert self.controller is not None
        self.controller.update_last_exported_position(position)

    def close(self) -> None:
        return None


class Monitored:
    def __init__(self, data_dir: Path) -> None:
        self.clock = ControlledClock(START)
        self.holding = Holding()
        self.partition = Partition(
            PartitionSettings(
                data_dir=data_dir,
                group_commit=False,
                snapshot_period_s=float("inf"),
                exporters={"prompt": Prompt(), "holding": self.holding},
            ),
            clock=self.clock,
        ).open()
        self.client = Client(self.partition)
        self.metrics = BrokerMetrics(self.partition)
        self.port = self.metrics.serve("127.0.0.1", 0)

    def scrape(self) -> dict[tuple[str, str], float]:
        """``(metric name, exporter label) -> value`` of every per-exporter sample on /metrics."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as response:
            text = response.read().decode()
        samples: dict[tuple[str, str], float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if "exporter" in sample.labels:
                    assert sample.labels["partition"] == "1"
                    samples[sample.name, sample.labels["exporter"]] = sample.value
        return samples

    @property
    def durable(self) -> int:
        return self.partition.log.durable_position

    def close(self) -> None:
        self.metrics.close()
        self.partition.close(snapshot=False)


@pytest.fixture
def monitored(tmp_path: Path) -> Iterator[Monitored]:
    monitored = Monitored(tmp_path)
    try:
        yield monitored
    finally:
        monitored.close()


def test_an_exporter_behind_the_log_shows_its_lag_in_records_and_seconds(monitored: Monitored) -> None:
    monitored.client.deploy(bpmn.process("p").start_event().end_event().to_xml())
    deployed_at = monitored.clock.now_millis()
    monitored.clock.advance(3)
    monitored.client.create_instance("p")
    monitored.clock.advance(4)

    metrics = monitored.scrape()

    durable = monitored.durable
    assert durable > 0
    assert metrics["strom_exporter_lag_records", "holding"] == durable
    # The oldest record it has not acknowledged is the deployment, written 7 s ago.
    assert monitored.holding.timestamps[1] == deployed_at
    assert metrics["strom_exporter_lag_seconds", "holding"] == pytest.approx(7.0)
    assert metrics["strom_exporter_last_exported_position", "holding"] == 0
    assert metrics["strom_exporter_lag_records", "prompt"] == 0
    assert metrics["strom_exporter_lag_seconds", "prompt"] == 0
    assert metrics["strom_exporter_last_exported_position", "prompt"] == durable
    assert metrics["strom_exporter_position", "prompt"] == durable


def test_the_lag_follows_the_acknowledged_position(monitored: Monitored) -> None:
    holding = monitored.holding
    monitored.client.deploy(bpmn.process("p").start_event().end_event().to_xml())
    deployed = monitored.durable
    monitored.clock.advance(2)
    monitored.client.create_instance("p")
    created_at = holding.timestamps[deployed + 1]
    monitored.clock.advance(5)
    monitored.client.create_instance("p")
    monitored.clock.advance(1.5)

    holding.acknowledge(deployed)
    metrics = monitored.scrape()

    # Stored up to the deployment: the first instance's records (6.5 s old) are the oldest waiting.
    assert metrics["strom_exporter_lag_records", "holding"] == monitored.durable - deployed
    assert metrics["strom_exporter_lag_seconds", "holding"] == pytest.approx(
        (monitored.clock.now_millis() - created_at) / 1000
    )
    assert metrics["strom_exporter_lag_seconds", "holding"] == pytest.approx(6.5)
    assert metrics["strom_exporter_last_exported_position", "holding"] == deployed

    holding.acknowledge(monitored.durable)
    metrics = monitored.scrape()

    assert metrics["strom_exporter_lag_records", "holding"] == 0
    assert metrics["strom_exporter_lag_seconds", "holding"] == 0


def test_the_persisted_position_is_the_one_a_restart_resumes_from(monitored: Monitored) -> None:
    holding = monitored.holding
    monitored.client.deploy(bpmn.process("p").start_event().end_event().to_xml())
    monitored.client.create_instance("p")
    holding.acknowledge(monitored.durable)

    before = monitored.scrape()
    monitored.partition.director.persist_positions()
    after = monitored.scrape()

    assert before["strom_exporter_last_exported_position", "holding"] == monitored.durable
    assert before["strom_exporter_last_updated_exported_position", "holding"] < monitored.durable
    assert after["strom_exporter_last_updated_exported_position", "holding"] == monitored.durable
    assert after["strom_exporter_last_updated_exported_position", "prompt"] == monitored.durable


def test_the_durable_position_is_a_metric(monitored: Monitored) -> None:
    monitored.client.deploy(bpmn.process("p").start_event().end_event().to_xml())

    with urllib.request.urlopen(f"http://127.0.0.1:{monitored.port}/metrics", timeout=5) as response:
        text = response.read().decode()

    assert f'strom_log_durable_position{{partition="1"}} {float(monitored.durable)}' in text
