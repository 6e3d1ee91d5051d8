"""SqlExporter: what a partition's events become in the read model, and how positions make replays
and restarts safe."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from _search_support import (
    FakeController,
    Scenario,
    assign,
    complete_task,
    dump,
    export_all,
    open_exporter,
    order_process,
)

from strom.broker import Partition, PartitionSettings
from strom.client import Client
from strom.exporter import ExporterConfigurationError, ExporterContext
from strom.search import SearchStore, SqlExporter
from strom.stream.clock import ControlledClock
from strom.testing import TestEngine, bpmn


class Follower:
    """Exports what the engine wrote since the last sync, keeping one exporter open (like the
    director does between records)."""

    def __init__(self, engine: TestEngine, url: str) -> None:
        self.engine = engine
        self.exporter, self.controller = open_exporter(url)
        self.store = SearchStore(url)
        self._done = 0

    def sync(self) -> SearchStore:
        records = self.engine.recorder.records
        for record in records[self._done :]:
            self.exporter.export(record)
        self._done = len(records)
        self.exporter.flush()
        return self.store

    def close(self) -> None:
        self.exporter.close()
        self.store.close()


@pytest.fixture
def follower(engine: TestEngine, sqlite_url: str) -> Any:
    following = Follower(engine, sqlite_url)
    yield following
    following.close()


def only(store: SearchStore, entity: str, **filter_: Any) -> dict[str, Any]:
    [item] = store.search(entity, {"filter": filter_})["items"]
    return item


# -- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": "sqlite://", "flush_every": 0}, "flush_every"),
        ({"url": "sqlite://", "flush_interval_ms": "soon"}, "flush_interval_ms"),
        ({"url": "not a url"}, "url"),
        ({"url": "mysql://localhost/strom"}, "url"),
    ],
)
def test_bad_settings_are_named(config: dict[str, Any], named: str) -> None:
    with pytest.raises(ExporterConfigurationError, match=named):
        SqlExporter().configure(ExporterContext("secondary", 1, config))


# -- mapping ----------------------------------------------------------------------------------------


def test_an_instance_from_start_to_end(engine: TestEngine, follower: Follower) -> None:
    engine.deploy(order_process())
    instance = engine.instances.create("order", {"customer": "c1"})

    store = follower.sync()
    item = only(store, "processInstance", processInstanceKey=instance)
    assert (item["state"], item["endDate"], item["processDefinitionName"]) == (
        "ACTIVE",
        None,
        "Order process",
    )
    ship = only(store, "elementInstance", processInstanceKey=instance, elementId="ship")
    assert (ship["type"], ship["state"], ship["elementName"]) == ("SERVICE_TASK", "ACTIVE", "ship")
    job = only(store, "job", processInstanceKey=instance)
    assert (job["type"], job["state"], job["elementInstanceKey"]) == (
        "ship",
        "CREATED",
        ship["elementInstanceKey"],
    )

    [activated] = engine.jobs.activate("ship")
    engine.jobs.complete(activated.key, {"shipped": True})
    store = follower.sync()

    item = only(store, "processInstance", processInstanceKey=instance)
    assert item["state"] == "COMPLETED" and item["endDate"] is not None
    elements = store.search("elementInstance", {"filter": {"processInstanceKey": instance}})["items"]
    assert [(e["elementId"], e["type"], e["state"]) for e in elements] == [
        ("start", "START_EVENT", "COMPLETED"),
        ("ship", "SERVICE_TASK", "COMPLETED"),
        ("done", "END_EVENT", "COMPLETED"),
    ]
    job = only(store, "job", processInstanceKey=instance)
    assert (job["state"], job["worker"]) == ("COMPLETED", "test-worker")
    assert job["endTime"] is not None and job["creationTime"] is not None
    shipped = only(store, "variable", name="shipped")
    assert (shipped["value"], shipped["scopeKey"]) == ("true", str(instance))


def test_incident_flags_follow_the_active_incidents(engine: TestEngine, follower: Follower) -> None:
    sub = bpmn.process("_").start_event("sub_start").flow_id("f1").service_task("b", job_type="b")
    engine.deploy(
        bpmn.process("two")
        .start_event()
        .parallel_gateway("fork")
        .service_task("a", job_type="a")
        .move_to("fork")
        .sub_process("sub", content=sub)
    )
    instance = engine.instances.create("two")
    [job_a] = engine.jobs.activate("a")
    [job_b] = engine.jobs.activate("b")
    engine.jobs.fail(job_a.key, 0, "a broke")
    engine.jobs.fail(job_b.key, 0, "b broke")

    store = follower.sync()
    assert only(store, "processInstance", processInstanceKey=instance)["hasIncident"] is True
    incidents = store.search("incident", {"filter": {"state": "ACTIVE"}})["items"]
    assert sorted(i["elementId"] for i in incidents) == ["a", "b"]
    assert only(store, "elementInstance", elementId="sub")["hasIncident"] is True, "the container too"
    assert only(store, "elementInstance", elementId="sub")["incidentKey"] is None

    incident_a = next(i for i in incidents if i["elementId"] == "a")
    engine.jobs.update_retries(job_a.key, 1)
    engine.incidents.resolve(int(incident_a["incidentKey"]))
    store = follower.sync()
    assert only(store, "incident", incidentKey=incident_a["incidentKey"])["state"] == "RESOLVED"
    assert only(store, "elementInstance", elementId="a")["hasIncident"] is False
    assert only(store, "elementInstance", elementId="a")["incidentKey"] is None
    assert only(store, "processInstance", processInstanceKey=instance)["hasIncident"] is True, "b is left"

    incident_b = next(i for i in incidents if i["elementId"] == "b")
    engine.jobs.update_retries(job_b.key, 1)
    engine.incidents.resolve(int(incident_b["incidentKey"]))
    store = follower.sync()
    assert only(store, "processInstance", processInstanceKey=instance)["hasIncident"] is False
    assert only(store, "elementInstance", elementId="sub")["hasIncident"] is False
    assert store.search("incident", {"filter": {"state": "ACTIVE"}})["items"] == []


def test_a_user_task_through_its_lifecycle(engine: TestEngine, follower: Follower) -> None:
    engine.deploy(
        bpmn.process("review")
        .start_event()
        .user_task("approve", candidate_groups="sales")
        .named("Approve")
        .end_event()
    )
    instance = engine.instances.create("review")
    store = follower.sync()
    task = only(store, "userTask", processInstanceKey=instance)
    assert (task["state"], task["assignee"], task["candidateGroups"]) == ("CREATED", None, ["sales"])

    assign(engine, int(task["userTaskKey"]), "bob")
    store = follower.sync()
    assert only(store, "userTask", assignee="bob")["userTaskKey"] == task["userTaskKey"]

    complete_task(engine, int(task["userTaskKey"]))
    store = follower.sync()
    done = only(store, "userTask", processInstanceKey=instance)
    assert (done["state"], done["assignee"]) == ("COMPLETED", "bob")
    assert done["creationDate"] == task["creationDate"] and done["completionDate"] is not None
    assert only(store, "processInstance", processInstanceKey=instance)["state"] == "COMPLETED"


def test_a_called_instance_knows_its_parent_and_root(engine: TestEngine, follower: Follower) -> None:
    engine.deploy(
        bpmn.process("child").start_event().service_task("work", job_type="child").end_event(),
        bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event(),
    )
    parent = engine.instances.create("parent")
    store = follower.sync()

    child = only(store, "processInstance", processDefinitionId="child")
    call = only(store, "elementInstance", elementId="call")
    assert child["parentProcessInstanceKey"] == str(parent)
    assert child["parentElementInstanceKey"] == call["elementInstanceKey"]
    assert child["rootProcessInstanceKey"] == str(parent)
    job = only(store, "job", type="child")
    assert job["rootProcessInstanceKey"] == str(parent)


# -- positions, replays and restarts ----------------------------------------------------------------


def test_positions_are_acknowledged_only_once_committed(db_url: str, scenario: Scenario) -> None:
    exporter, controller = open_exporter(db_url, flush_every=10_000, flush_interval_ms=3_600_000)
    store = SearchStore(db_url)
    try:
        for record in scenario.records[:200]:
            exporter.export(record)
        assert controller.updates == []
        assert store.exported_position(1) == 0
        assert store.search("processInstance", {})["items"] == []

        exporter.flush()
        last = scenario.records[199].position
        assert controller.updates == [last]
        assert store.exported_position(1) == last
        assert store.search("processInstance", {})["items"] != []
    finally:
        exporter.close()
        store.close()


def test_flushes_every_n_records(sqlite_url: str, scenario: Scenario) -> None:
    exporter, controller = open_exporter(sqlite_url, flush_every=100, flush_interval_ms=3_600_000)
    for record in scenario.records[:250]:
        exporter.export(record)

    assert controller.updates == [scenario.records[99].position, scenario.records[199].position]
    exporter.close()
    assert controller.acknowledged == scenario.records[249].position


def test_records_fed_twice_leave_the_same_rows(db_url: str, scenario: Scenario) -> None:
    export_all(db_url, scenario.records, flush_every=64)
    once = dump(db_url)

    again = export_all(db_url, scenario.records, flush_every=64)

    assert dump(db_url) == once
    assert again.updates == [scenario.records[-1].position], "acknowledges what is stored, on open"


@pytest.mark.parametrize("crash_after", [1, 150, 437, 700])
def test_a_crash_loses_nothing_and_doubles_nothing(
    db_url: str, tmp_path: Path, scenario: Scenario, crash_after: int
) -> None:
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    export_all(reference, scenario.records)

    exporter, controller = open_exporter(db_url, flush_every=37, flush_interval_ms=3_600_000)
    for record in scenario.records[:crash_after]:
        exporter.export(record)
    # Crash: the buffered rows are gone, nothing is flushed or closed.
    acknowledged = controller.acknowledged
    del exporter
    gc.collect()

    # The director persists acknowledgements now and then, so it feeds again from an older
    # position; the exporter skips what it stored.
    persisted = scenario.records[max(0, crash_after - 100)].position if crash_after > 1 else 0
    assert persisted <= acknowledged
    restarted, _ = open_exporter(db_url, controller=FakeController(persisted))
    for record in scenario.records:
        if record.position > persisted:
            restarted.export(record)
    restarted.close()

    assert dump(db_url) == dump(reference)


def test_a_behind_director_is_told_the_stored_position(sqlite_url: str, scenario: Scenario) -> None:
    export_all(sqlite_url, scenario.records[:300])

    _, controller = open_exporter(sqlite_url, controller=FakeController(10))

    assert controller.acknowledged == scenario.records[299].position


def test_as_the_exporter_of_a_partition(tmp_path: Path, sqlite_url: str) -> None:
    def open_partition() -> Partition:
        settings = PartitionSettings(
            data_dir=tmp_path / "broker",
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters={"secondary": SqlExporter()},
            exporter_configs={"secondary": {"url": sqlite_url}},
        )
        return Partition(
            settings, clock=ControlledClock(datetime(2026, 12, 4, 14, 35, 20, 123_000, UTC))
        ).open()

    partition = open_partition()
    client = Client(partition)
    client.deploy(("order.bpmn", order_process().to_xml().encode()))
    first = client.create_instance("order")
    store = SearchStore(sqlite_url)
    try:
        item = only(store, "processInstance", processInstanceKey=first)
        assert item["startDate"] == "2026-12-04T14:35:20.123Z", "visible once the director caught up"
        partition.close(snapshot=False)

        partition = open_partition()
        second = Client(partition).create_instance("order")
        partition.run_until_idle()
        instances = store.search("processInstance", {})["items"]
        assert sorted(int(i["processInstanceKey"]) for i in instances) == sorted([first, second])
        assert store.search("job", {})["page"]["totalItems"] == 2
        assert store.exported_position(1) == partition.director.positions()["secondary"]
    finally:
        store.close()
        partition.close(snapshot=False)
