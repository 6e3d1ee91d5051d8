"""Exporters in a process of their own (``exporter_process``, what ``strom broker`` runs): every record
exported once, in order; a killed exporter process is reported and replaced, nothing lost or doubled;
its failures and log lines reach the partition's process; the log is compacted only below it."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from strom.broker import Partition, PartitionSettings
from strom.client import Client
from strom.exporter import Controller, ExporterContext, ExporterError, ExporterProcess, JsonLinesExporter
from strom.protocol.record import Record
from strom.search import SearchStore, SqlExporter
from strom.testing import bpmn


def _partition(
    data_dir: Path, exporters: dict[str, Any], configs: dict[str, Any], **settings: Any
) -> Partition:
    return Partition(
        PartitionSettings(
            data_dir=data_dir,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters=exporters,
            exporter_configs=configs,
            exporter_process=True,
            **settings,
        )
    ).open()


def _create(partition: Partition, instances: int) -> None:
    client = Client(partition)
    client.deploy(bpmn.process("p").start_event().end_event().to_xml())
    for _ in range(instances):
        client.create_instance("p")


def _runner(partition: Partition) -> ExporterProcess:
    runner = partition.director
    assert isinstance(runner, ExporterProcess)
    return runner


def _until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def test_the_exporters_run_in_another_process_and_get_every_record_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    partition = _partition(tmp_path / "data", {"json": JsonLinesExporter()}, {"json": {"path": str(path)}})
    runner = _runner(partition)
    assert runner.pid is not None and runner.pid != os.getpid()
    _create(partition, 5)
    last = partition.log.next_position - 1
    partition.run_until_idle()  # tells the exporter process how far the log is durable
    _until(lambda: runner.positions()["json"] == last, "the exporter process acknowledged the log")
    assert runner.lag()[0].records == 0
    partition.close(snapshot=False)

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["position"] for line in lines] == list(range(1, last + 1))
    completed = [
        line
        for line in lines
        if line["intent"] == "ELEMENT_COMPLETED" and line["value"]["bpmnElementType"] == "PROCESS"
    ]
    assert len(completed) == 5


def test_close_exports_everything_durable_before_the_exporter_process_exits(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    partition = _partition(tmp_path / "data", {"json": JsonLinesExporter()}, {"json": {"path": str(path)}})
    pid = _runner(partition).pid
    assert pid is not None
    _create(partition, 20)
    last = partition.log.next_position - 1
    partition.close(snapshot=False)  # no waiting before: close itself hands over the durable end

    positions = [json.loads(line)["position"] for line in path.read_text().splitlines()]
    assert positions == list(range(1, last + 1))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert json.loads((tmp_path / "data" / "partition-1" / "exporters.json").read_text()) == {"json": last}


def test_a_killed_exporter_process_is_reported_replaced_and_nothing_is_lost_or_doubled(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'secondary.db'}"
    partition = _partition(tmp_path / "data", {"sql": SqlExporter()}, {"sql": {"url": url}})
    runner = _runner(partition)
    _create(partition, 30)
    partition.run_until_idle()
    first = runner.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)

    _until(lambda: bool(runner.failing()), "the dead exporter process is reported")
    [failure] = runner.failing()
    assert failure.exporter_id == "sql"
    assert "exited with code -9" in failure.error
    _until(lambda: runner.pid not in (None, first), "another exporter process runs")
    client = Client(partition)
    for _ in range(30):
        client.create_instance("p")
    last = partition.log.next_position - 1
    partition.run_until_idle()
    _until(lambda: runner.positions()["sql"] == last, "the new exporter process caught up")
    _until(lambda: not runner.failing(), "the failure is over")
    partition.close(snapshot=False)

    store = SearchStore(url)
    page = store.search("processInstance", {"page": {"limit": 100}})
    keys = [item["processInstanceKey"] for item in page["items"]]
    assert len(keys) == len(set(keys)) == 60
    assert store.exported_position(1) == last


class Unreachable:
    """An exporter whose downstream never answers (made anew in the exporter process, by its class:
    this module is importable there through PYTHONPATH, as a user's exporter module must be)."""

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        return None

    def export(self, record: Record[Any]) -> None:
        raise ConnectionError("downstream unavailable")

    def close(self) -> None:
        return None


def test_the_exporter_process_failures_and_log_lines_reach_the_partitions_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))
    caplog.set_level(logging.WARNING)
    partition = _partition(tmp_path / "data", {"down": Unreachable()}, {})
    runner = _runner(partition)
    _create(partition, 1)
    partition.run_until_idle()

    _until(lambda: bool(runner.failing()), "the exporter's failure is reported")
    [failure] = runner.failing()
    assert failure.exporter_id == "down" and failure.position == 1
    assert failure.error == "ConnectionError: downstream unavailable"
    _until(
        lambda: any("exporter 'down' failed to export" in r.getMessage() for r in caplog.records),
        "the exporter process's log line is logged here",
    )
    line = next(r for r in caplog.records if "exporter 'down' failed to export" in r.getMessage())
    assert line.levelno == logging.ERROR and "downstream unavailable" in (line.exc_text or "")
    assert runner.positions() == {"down": 0}
    partition.close(snapshot=False)


def test_an_exporter_that_cannot_open_fails_the_partitions_start_saying_why(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'not-a-directory' / 'nested' / 'secondary.db'}"
    (tmp_path / "not-a-directory").write_text("a file where the database's folder should be")

    with pytest.raises(ExporterError) as refused:
        _partition(tmp_path / "data", {"sql": SqlExporter()}, {"sql": {"url": url}})
    assert str(refused.value) == (
        f"SqlExporter: cannot open the secondary storage {url}: unable to open database file"
    )

    # nothing holds the directory afterwards: the partition opens without the exporter
    Partition(PartitionSettings(data_dir=tmp_path / "data")).open().close(snapshot=False)


def test_the_log_is_compacted_only_below_what_the_exporter_process_acknowledged_and_persisted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "records.jsonl"
    partition = _partition(
        tmp_path / "data",
        {"json": JsonLinesExporter()},
        {"json": {"path": str(path)}},
        segment_size=32 * 1024,
    )
    runner = _runner(partition)
    _create(partition, 60)
    partition.run_until_idle()
    # the child persists its positions once a second: where it would resume after a crash
    _until(lambda: runner.persisted_positions()["json"] == partition.log.next_position - 1, "persisted")
    partition.snapshot()
    assert partition.log.first_position > 1
    assert partition.log.first_position <= runner.persisted_positions()["json"] + 1
    partition.close(snapshot=False)
