"""A batch operation cancelling every instance a filter finds: created with a key, its items found
in secondary storage page by page, executed a few at a time as ordinary CANCEL commands (which
carry the operation's key and its creator), then COMPLETED; a rejected CANCEL is a failed item."""

from __future__ import annotations

import json

import pytest
from _batch_items import ExportedInstances, exported_instances

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import (
    BatchOperationChunkIntent,
    BatchOperationExecutionIntent,
    BatchOperationIntent,
    ProcessInstanceIntent,
)
from strom.protocol.values.batch_operation import BatchOperationCreationRecordValue, BatchOperationType
from strom.testing import TestEngine, bpmn


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    return exported_instances(engine)


def cancel_by_filter(engine: TestEngine, process_id: str) -> int:
    created = engine.send(
        BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
            entity_filter=json.dumps({"bpmnProcessId": process_id}),
        ),
        BatchOperationIntent.CREATE,
    )
    assert created.intent == BatchOperationIntent.CREATED
    return created.key


def terminated(engine: TestEngine) -> list[int]:
    return [
        record.key
        for record in engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .limit(1000)
    ]


def test_cancels_every_instance_the_filter_finds_and_completes(
    engine: TestEngine, items: ExportedInstances
) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    engine.deploy(bpmn.process("other").start_event().service_task("task", job_type="work").end_event())
    orders = [engine.instances.create("order") for _ in range(25)]
    other = engine.instances.create("other")

    key = cancel_by_filter(engine, "order")
    engine.run()

    assert sorted(terminated(engine)) == sorted(orders)
    assert other not in terminated(engine)
    completed = engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT).with_intent(
        BatchOperationIntent.COMPLETED
    )
    assert completed.first().value.batch_operation_key == key
    chunks = engine.records.of(ValueType.BATCH_OPERATION_CHUNK).with_intent(BatchOperationChunkIntent.CREATED)
    assert sum(len(chunk.value.items) for chunk in chunks.limit(100)) == 25


def test_items_are_executed_a_few_per_command_each_cancel_naming_the_operation(
    engine: TestEngine, items: ExportedInstances
) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    orders = [engine.instances.create("order") for _ in range(25)]

    key = cancel_by_filter(engine, "order")
    engine.run()

    executing = (
        engine.records.of(ValueType.BATCH_OPERATION_EXECUTION)
        .with_intent(BatchOperationExecutionIntent.EXECUTING)
        .limit(100)
    )
    assert [len(record.value.item_keys) for record in executing] == [10, 10, 5]
    execute = (
        engine.records.of(ValueType.BATCH_OPERATION_EXECUTION)
        .commands()
        .with_intent(BatchOperationExecutionIntent.EXECUTE)
        .limit(100)
    )
    # each EXECUTE came through the inbox like a client's command (flow control), not as a
    # follow-up of the one before, which would hold the partition until the operation is done
    assert {record.source_record_position for record in execute} == {-1}
    cancels = (
        engine.records.process_instances().commands().with_intent(ProcessInstanceIntent.CANCEL).limit(100)
    )
    assert sorted(record.key for record in cancels) == sorted(orders)
    assert {record.batch_operation_reference for record in cancels} == {key}
    process_terminated = (
        engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .limit(100)
    )
    assert {record.batch_operation_reference for record in process_terminated} == {key}


def test_a_cancel_the_engine_rejects_is_a_failed_item_and_the_rest_go_on(
    engine: TestEngine, items: ExportedInstances
) -> None:
    engine.deploy(bpmn.process("child").start_event().service_task("task", job_type="work").end_event())
    engine.deploy(
        bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event()
    )
    engine.instances.create("parent")
    standalone = engine.instances.create("child")

    key = cancel_by_filter(engine, "child")
    engine.run()

    rejection = (
        engine.records.process_instances().rejections().with_intent(ProcessInstanceIntent.CANCEL).first()
    )
    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert rejection.batch_operation_reference == key
    assert standalone in terminated(engine)
    assert (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.COMPLETED)
        .exists()
    )


def test_an_empty_filter_is_refused(engine: TestEngine, items: ExportedInstances) -> None:
    rejection = engine.send(
        BatchOperationCreationRecordValue(entity_filter="{}"),
        BatchOperationIntent.CREATE,
        expect_rejection=True,
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == "Given filter is empty"


def test_a_filter_secondary_storage_cannot_resolve_fails_the_operation(
    engine: TestEngine, items: ExportedInstances
) -> None:
    created = engine.send(
        BatchOperationCreationRecordValue(entity_filter=json.dumps({"noSuchField": 1})),
        BatchOperationIntent.CREATE,
    )
    engine.run()

    failed = (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.FAILED)
        .first()
    )
    assert failed.value.batch_operation_key == created.key
    assert failed.value.errors[0].type == "QUERY_FAILED"
    assert "noSuchField" in failed.value.errors[0].message


def test_without_secondary_storage_the_operation_fails_saying_so(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    engine.instances.create("order")

    cancel_by_filter(engine, "order")
    engine.run()

    failed = (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.FAILED)
        .first()
    )
    assert "secondary storage" in failed.value.errors[0].message
    assert terminated(engine) == []
