"""Exporters get the durable log in order and resume after their acknowledged position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.client import Client
from strom.exporter import Controller, ExporterContext, JsonLinesExporter
from strom.protocol import codec
from strom.protocol.record import Record
from strom.testing import bpmn


class Collecting:
    def __init__(self, fail_at: int | None = None) -> None:
        self.positions: list[int] = []
        self.fail_at = fail_at
        self.controller: Controller | None = None

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self.controller = controller

    def export(self, record: Record[Any]) -> None:
        if record.position == self.fail_at:
            self.fail_at = None
            raise ConnectionError("downstream unavailable")
        self.positions.append(record.position)
        assert self.controller is not None
        self.controller.update_last_exported_position(record.position)

    def close(self) -> None:
        return None


class Stuck(Collecting):
    """An exporter whose downstream never answers: it acknowledges nothing, however long the run.
    (One that fails once catches up after the director's back-off, sooner than a slow run ends.)"""

    def export(self, record: Record[Any]) -> None:
        raise ConnectionError("downstream unavailable")


def _run(
    data_dir: Path,
    exporters: dict[str, Any],
    configs: dict[str, Any] | None = None,
    instances: int = 2,
    segment_size: int = 128 * 1024 * 1024,
) -> Partition:
    partition = Partition(
        PartitionSettings(
            data_dir=data_dir,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters=exporters,
            exporter_configs=configs or {},
            segment_size=segment_size,
        )
    ).open()
    client = Client(partition)
    client.deploy(bpmn.process("p").start_event().end_event().to_xml())
    for _ in range(instances):
        client.create_instance("p")
    return partition


def test_the_json_lines_exporter_writes_every_record_in_zeebe_shape(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    partition = _run(tmp_path / "data", {"json": JsonLinesExporter()}, {"json": {"path": str(path)}})
    last = partition.log.next_position - 1
    partition.close(snapshot=False)

    lines = [json.loads(line) for line in path.read_text().splitlines()]

    assert [line["position"] for line in lines] == list(range(1, last + 1))
    deployment = lines[0]
    assert (deployment["valueType"], deployment["recordType"], deployment["intent"]) == (
        "DEPLOYMENT",
        "COMMAND",
        "CREATE",
    )
    completed = [
        line
        for line in lines
        if line["intent"] == "ELEMENT_COMPLETED" and line["value"]["bpmnElementType"] == "PROCESS"
    ]
    assert len(completed) == 2


def test_an_exporter_resumes_after_its_acknowledged_position_after_restart(tmp_path: Path) -> None:
    first = Collecting()
    partition = _run(tmp_path, {"collect": first})
    seen = list(first.positions)
    partition.close(snapshot=True)

    second = Collecting()
    partition = _run(tmp_path, {"collect": second}, instances=1)
    partition.close(snapshot=False)

    assert seen == list(range(1, len(seen) + 1))
    assert second.positions[0] == seen[-1] + 1
    assert second.positions == list(range(seen[-1] + 1, second.positions[-1] + 1))


def test_a_failing_exporter_is_retried_and_does_not_hold_up_the_others(tmp_path: Path) -> None:
    flaky, steady = Collecting(fail_at=3), Collecting()
    partition = _run(tmp_path, {"flaky": flaky, "steady": steady})
    last = partition.log.next_position - 1

    assert steady.positions == list(range(1, last + 1))
    assert flaky.positions == [1, 2]
    for slot in partition.director._slots:
        slot.retry_at = 0.0
    partition.director.export_available()
    assert flaky.positions == list(range(1, last + 1))
    partition.close(snapshot=False)


def test_the_log_is_compacted_only_below_what_every_exporter_acknowledged_and_persisted(
    tmp_path: Path,
) -> None:
    keeping_up = _run(tmp_path / "a", {"steady": Collecting()}, instances=60, segment_size=32 * 1024)
    lagging = _run(tmp_path / "b", {"lagging": Stuck()}, instances=60, segment_size=32 * 1024)

    # The director persists positions once a second; compaction keeps what was not persisted yet
    # (a crash would resume the exporter there), so persist before the snapshot.
    keeping_up.director.persist_positions()
    persisted = keeping_up.director.persisted_positions()["steady"]
    keeping_up.snapshot()
    lagging.snapshot()

    assert 1 < keeping_up.log.first_position <= persisted + 1
    assert lagging.log.first_position == 1
    keeping_up.close(snapshot=False)
    lagging.close(snapshot=False)


def test_lag_counts_the_durable_records_after_each_acknowledgement_and_dates_the_oldest(
    tmp_path: Path,
) -> None:
    flaky, steady = Collecting(fail_at=3), Collecting()
    partition = _run(tmp_path, {"flaky": flaky, "steady": steady})
    durable = partition.log.durable_position
    with partition.log.reader(3) as reader:
        third = codec.decode(next(iter(reader))[1])

    lags = {lag.exporter_id: lag for lag in partition.director.lag()}

    assert (lags["steady"].acknowledged, lags["steady"].records, lags["steady"].oldest_timestamp) == (
        durable,
        0,
        None,
    )
    assert (lags["flaky"].acknowledged, lags["flaky"].records) == (2, durable - 2)
    assert lags["flaky"].oldest_timestamp == third.timestamp > 0
    assert lags["flaky"].persisted == 2  # what exporters.json holds
    partition.close(snapshot=False)


def test_lag_answers_once_the_log_is_closed(tmp_path: Path) -> None:
    partition = _run(tmp_path, {"lagging": Collecting(fail_at=1)})
    director = partition.director
    partition.close(snapshot=False)

    [lag] = director.lag()

    assert lag.records > 0 and lag.oldest_timestamp is None
