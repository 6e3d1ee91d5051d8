"""Batch operations in secondary storage, on SQLite and PostgreSQL: a partition resolves the
operation's filter against the read model (the broker's real item provider), and the SQL exporter
records the operation and its items from the log — their state, dates, counts and failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from _search_support import open_exporter

from strom.broker.batch_items import SecondaryStorageItems
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationMigrationPlanValue,
    BatchOperationType,
)
from strom.search import SearchStore, SqlExporter
from strom.testing import TestEngine, bpmn


class Exported:
    """The engine's records exported into ``url`` as far as written, and the store reading them."""

    def __init__(self, engine: TestEngine, url: str) -> None:
        self._engine = engine
        self._exporter: SqlExporter = open_exporter(url)[0]
        self.store = SearchStore(url)
        self._done = 0

    def sync(self) -> SearchStore:
        records = self._engine.recorder.records
        for record in records[self._done :]:
            self._exporter.export(record)
        self._done = len(records)
        self._exporter.flush()
        return self.store

    def close(self) -> None:
        self._exporter.close()
        self.store.close()


@pytest.fixture
def exported(engine: TestEngine, db_url: str) -> Iterator[Exported]:
    following = Exported(engine, db_url)
    items = SecondaryStorageItems(db_url)
    engine.partition.engine.batch_operations.items = items
    yield following
    items.close()
    following.close()


def _operation(engine: TestEngine, operation_type: BatchOperationType, **filter_: Any) -> int:
    value = BatchOperationCreationRecordValue(
        batch_operation_type=operation_type, entity_filter=json.dumps(filter_)
    )
    return engine.send(value, BatchOperationIntent.CREATE).key


def test_a_cancellation_is_recorded_with_its_items(engine: TestEngine, exported: Exported) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    instances = [engine.instances.create("order") for _ in range(120)]  # two pages
    exported.sync()

    key = _operation(engine, BatchOperationType.CANCEL_PROCESS_INSTANCE, processDefinitionId="order")
    engine.run()
    store = exported.sync()

    operation = store.get("batchOperation", key)
    assert operation is not None
    assert operation["state"] == "COMPLETED"
    assert operation["batchOperationType"] == "CANCEL_PROCESS_INSTANCE"
    assert (operation["operationsTotalCount"], operation["operationsCompletedCount"]) == (120, 120)
    assert operation["operationsFailedCount"] == 0 and operation["errors"] == []
    assert operation["startDate"] and operation["endDate"]
    items = store.search(
        "batchOperationItem", {"filter": {"batchOperationKey": str(key)}, "page": {"limit": 200}}
    )
    assert sorted(int(item["itemKey"]) for item in items["items"]) == sorted(instances)
    assert {item["state"] for item in items["items"]} == {"COMPLETED"}
    assert all(item["processedDate"] for item in items["items"])
    terminated = store.search("processInstance", {"filter": {"state": "TERMINATED"}, "page": {"limit": 1}})
    assert terminated["page"]["totalItems"] == 120


def test_incidents_of_the_filter_are_resolved_items(engine: TestEngine, exported: Exported) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    for _ in range(2):
        engine.instances.create("order")
    for job in engine.jobs.activate("work", max_jobs=2):
        engine.jobs.fail(job.key, retries=0)
    incidents = {
        int(item["incidentKey"])
        for item in exported.sync().search("incident", {"filter": {"state": "ACTIVE"}})["items"]
    }

    key = _operation(engine, BatchOperationType.RESOLVE_INCIDENT, processDefinitionId="order")
    engine.run()
    store = exported.sync()

    operation = store.get("batchOperation", key)
    assert operation is not None and operation["state"] == "COMPLETED"
    assert operation["operationsCompletedCount"] == 2
    items = store.search("batchOperationItem", {"filter": {"batchOperationKey": str(key)}})["items"]
    assert {int(item["itemKey"]) for item in items} == incidents
    assert {item["operationType"] for item in items} == {"RESOLVE_INCIDENT"}
    assert store.search("incident", {"filter": {"state": "RESOLVED"}})["page"]["totalItems"] == 2


def test_items_the_engine_rejects_are_failed_with_the_reason(engine: TestEngine, exported: Exported) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    other = (
        engine.deploy(bpmn.process("elsewhere").start_event().service_task("other", job_type="x").end_event())
        .value.processes_metadata[0]
        .process_definition_key
    )
    for _ in range(2):
        engine.instances.create("order")
    exported.sync()

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.MIGRATE_PROCESS_INSTANCE,
        entity_filter=json.dumps({"processDefinitionId": "order"}),
        migration_plan=BatchOperationMigrationPlanValue(target_process_definition_key=other),
    )
    key = engine.send(value, BatchOperationIntent.CREATE).key
    engine.run()
    store = exported.sync()

    operation = store.get("batchOperation", key)
    assert operation is not None and operation["state"] == "COMPLETED"
    assert (operation["operationsFailedCount"], operation["operationsCompletedCount"]) == (2, 0)
    items = store.search("batchOperationItem", {"filter": {"batchOperationKey": str(key), "state": "FAILED"}})
    assert items["page"]["totalItems"] == 2
    assert all(item["errorMessage"].startswith("INVALID_STATE: ") for item in items["items"])


def test_a_canceled_operation_and_its_unexecuted_items(engine: TestEngine, exported: Exported) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    engine.instances.create("order")
    exported.sync()
    engine.partition.engine.batch_operations.items = _Busy()
    key = _operation(engine, BatchOperationType.CANCEL_PROCESS_INSTANCE, processDefinitionId="order")
    store = exported.sync()
    created = store.get("batchOperation", key)
    assert created is not None and created["state"] == "CREATED"
    assert created["actorType"] is None and created["endDate"] is None

    engine.send(
        BatchOperationLifecycleManagementRecordValue(batch_operation_key=key),
        BatchOperationIntent.SUSPEND,
        key,
    )
    assert store_state(exported, key) == "SUSPENDED"
    engine.send(
        BatchOperationLifecycleManagementRecordValue(batch_operation_key=key),
        BatchOperationIntent.RESUME,
        key,
    )
    assert store_state(exported, key) == "ACTIVE"  # as Camunda's exporter: resumed is active
    engine.send(
        BatchOperationLifecycleManagementRecordValue(batch_operation_key=key),
        BatchOperationIntent.CANCEL,
        key,
    )
    canceled = exported.sync().get("batchOperation", key)
    assert canceled is not None and canceled["state"] == "CANCELED" and canceled["endDate"]


def test_an_unresolvable_filter_fails_the_operation_with_the_reason(
    engine: TestEngine, exported: Exported
) -> None:
    key = _operation(engine, BatchOperationType.CANCEL_PROCESS_INSTANCE, colour="blue")
    engine.run()

    operation = exported.sync().get("batchOperation", key)
    assert operation is not None and operation["state"] == "FAILED"
    [error] = operation["errors"]
    assert error["type"] == "QUERY_FAILED" and error["partitionId"] == 1
    assert "colour" in error["message"]


def store_state(exported: Exported, key: int) -> str:
    operation = exported.sync().get("batchOperation", key)
    assert operation is not None
    return str(operation["state"])


class _Busy:
    """Secondary storage that does not answer (the operation waits for it)."""

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("secondary storage is busy")
