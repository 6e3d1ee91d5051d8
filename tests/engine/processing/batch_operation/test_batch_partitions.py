"""With several partitions, as in Zeebe 8.8: the operation is distributed to every partition, each
resolves the filter for the instances it owns and executes them, reports its part done to the
operation's own partition (COMPLETE_PARTITION, by command distribution), which completes the
operation once every partition did; cancel / suspend / resume reach every partition."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from _batch_items import ExportedInstances, exported_instances

from strom.engine.processing.batch_operation import UNRESTRICTED, ItemQueryError, ItemScope
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    BatchOperationExecutionIntent,
    BatchOperationIntent,
    ProcessInstanceIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationType,
)
from strom.testing import TestEngine, bpmn

pytestmark = pytest.mark.partitions(3)

_CANCEL_ORDERS = BatchOperationCreationRecordValue(
    batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
    entity_filter=json.dumps({"bpmnProcessId": "order"}),
)


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    return exported_instances(engine)


def _orders(engine: TestEngine, count: int = 9) -> list[int]:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    instances = [engine.instances.create("order") for _ in range(count)]
    assert {partition_of(key) for key in instances} == {1, 2, 3}
    return instances


def _terminated(engine: TestEngine) -> list[int]:
    return [
        record.key
        for record in engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .limit(100)
    ]


def _ended(engine: TestEngine, intent: int) -> list[object]:
    return list(
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT).with_intent(intent).limit(10)
    )


def test_each_partition_cancels_its_own_instances(engine: TestEngine, items: ExportedInstances) -> None:
    instances = _orders(engine)

    created = engine.send(_CANCEL_ORDERS, BatchOperationIntent.CREATE)
    engine.run()

    assert sorted(_terminated(engine)) == sorted(instances)
    executing = (
        engine.records.of(ValueType.BATCH_OPERATION_EXECUTION)
        .with_intent(BatchOperationExecutionIntent.EXECUTING)
        .limit(10)
    )
    for record in executing:  # every partition executed its own instances only
        assert {partition_of(key) for key in record.value.item_keys} == {record.partition_id}
    assert {record.partition_id for record in executing} == {1, 2, 3}
    done = (
        engine.records.of(ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE)
        .with_intent(BatchOperationIntent.PARTITION_COMPLETED)
        .on_partition(1)
        .limit(10)
    )
    assert sorted(record.value.source_partition_id for record in done) == [1, 2, 3]
    [completed] = _ended(engine, BatchOperationIntent.COMPLETED)
    assert completed.partition_id == 1 and completed.key == created.key  # type: ignore[attr-defined]


def test_a_lost_report_is_sent_again_until_the_lead_has_it(
    engine: TestEngine, items: ExportedInstances
) -> None:
    _orders(engine)
    items.held_after = 0  # no partition finds its items yet
    engine.send(_CANCEL_ORDERS, BatchOperationIntent.CREATE)
    engine.transport.hold()
    items.held_after = None
    engine.advance_time(timedelta(seconds=2))  # each partition executes and reports: the reports are lost

    lost = [
        command
        for _, command in engine.transport.drop()
        if command.value_type is ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE
    ]
    assert len(lost) == 2 and _ended(engine, BatchOperationIntent.COMPLETED) == []
    for _ in range(3):  # the distribution is resent (its redistributor looks every 10 s)
        engine.advance_time(timedelta(seconds=11))

    assert len(_ended(engine, BatchOperationIntent.COMPLETED)) == 1


def test_suspend_and_cancel_reach_every_partition(engine: TestEngine, items: ExportedInstances) -> None:
    _orders(engine)
    items.held_after = 0
    key = engine.send(_CANCEL_ORDERS, BatchOperationIntent.CREATE).key

    change = BatchOperationLifecycleManagementRecordValue(batch_operation_key=key)
    engine.send(change, BatchOperationIntent.SUSPEND, key)
    items.held_after = None
    engine.advance_time(timedelta(seconds=2))
    engine.send(change, BatchOperationIntent.CANCEL, key)
    engine.advance_time(timedelta(seconds=2))

    suspended = (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.SUSPENDED)
        .limit(10)
    )
    assert sorted(record.partition_id for record in suspended) == [1, 2, 3]
    assert sorted(record.partition_id for record in _ended(engine, BatchOperationIntent.CANCELED)) == [
        1,
        2,
        3,
    ]  # type: ignore[attr-defined]
    assert _terminated(engine) == []


def test_a_partition_that_cannot_resolve_the_filter_is_an_error_of_the_operation(
    engine: TestEngine, items: ExportedInstances
) -> None:
    instances = _orders(engine)

    class FailingOnPartition2:
        def fetch(  # type: ignore[no-untyped-def]
            self,
            operation_type: object,
            entity_filter: str,
            cursor: str,
            page_size: int,
            partition_id: int,
            scope: ItemScope = UNRESTRICTED,
        ):
            if partition_id == 2:
                raise ItemQueryError("partition 2 lost its index")
            return items.fetch(operation_type, entity_filter, cursor, page_size, partition_id, scope)  # type: ignore[arg-type]

    engine.partitions[2].engine.batch_operations.items = FailingOnPartition2()
    engine.send(_CANCEL_ORDERS, BatchOperationIntent.CREATE)
    engine.run()

    [completed] = _ended(engine, BatchOperationIntent.COMPLETED)
    [error] = completed.value.errors  # type: ignore[attr-defined]
    assert (error.partition_id, error.type, error.message) == (
        2,
        "QUERY_FAILED",
        "partition 2 lost its index",
    )
    assert sorted(_terminated(engine)) == sorted(key for key in instances if partition_of(key) != 2)
