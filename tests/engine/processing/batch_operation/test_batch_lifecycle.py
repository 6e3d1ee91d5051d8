"""Suspending, resuming and canceling a batch operation (BATCH_OPERATION_LIFECYCLE_MANAGEMENT):
a suspended operation neither reads more items nor executes any until resumed; a canceled one
never executes the rest; each answers with Zeebe's rejections when the operation's state forbids."""

from __future__ import annotations

import json

import pytest
from _batch_items import ExportedInstances, exported_instances

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import BatchOperationIntent, ProcessInstanceIntent
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationType,
)
from strom.testing import TestEngine, bpmn


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    return exported_instances(engine)


def _instances(engine: TestEngine, count: int) -> list[int]:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    return [engine.instances.create("order") for _ in range(count)]


def _create(engine: TestEngine) -> int:
    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
    )
    return engine.send(value, BatchOperationIntent.CREATE).key


def _lifecycle(engine: TestEngine, key: int, intent: int, *, expect_rejection: bool = False) -> object:
    value = BatchOperationLifecycleManagementRecordValue(batch_operation_key=key)
    return engine.send(value, intent, key, expect_rejection=expect_rejection)


def _terminated(engine: TestEngine) -> int:
    return len(
        engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .limit(1000)
    )


def _ended(engine: TestEngine, intent: int) -> bool:
    return engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT).with_intent(intent).exists()


def test_a_suspended_operation_waits_until_resumed(engine: TestEngine, items: ExportedInstances) -> None:
    _instances(engine, 150)
    items.held_after = 1  # one page of 100 is found, then secondary storage is busy
    key = _create(engine)

    suspended = _lifecycle(engine, key, BatchOperationIntent.SUSPEND)
    items.held_after = None
    engine.advance_time(5.0)  # the scheduler looks again: nothing happens while suspended

    assert suspended.intent == BatchOperationIntent.SUSPENDED  # type: ignore[attr-defined]
    assert _terminated(engine) == 0
    resumed = _lifecycle(engine, key, BatchOperationIntent.RESUME)
    engine.run()
    assert resumed.intent == BatchOperationIntent.RESUMED  # type: ignore[attr-defined]
    assert _terminated(engine) == 150
    assert _ended(engine, BatchOperationIntent.COMPLETED)


def test_a_canceled_operation_never_executes_its_items(engine: TestEngine, items: ExportedInstances) -> None:
    _instances(engine, 5)
    items.held_after = 0
    key = _create(engine)

    canceled = _lifecycle(engine, key, BatchOperationIntent.CANCEL)
    items.held_after = None
    engine.advance_time(5.0)

    assert canceled.intent == BatchOperationIntent.CANCELED  # type: ignore[attr-defined]
    assert _terminated(engine) == 0
    assert not _ended(engine, BatchOperationIntent.COMPLETED)
    again = _lifecycle(engine, key, BatchOperationIntent.CANCEL, expect_rejection=True)
    assert again.rejection_type is RejectionType.NOT_FOUND  # type: ignore[attr-defined]
    assert again.rejection_reason == (  # type: ignore[attr-defined]
        f"Expected to cancel a batch operation with key '{key}', but no such batch operation was found"
    )


def test_states_that_forbid_the_change_are_rejected(engine: TestEngine, items: ExportedInstances) -> None:
    _instances(engine, 1)
    items.held_after = 0
    key = _create(engine)

    not_suspended = _lifecycle(engine, key, BatchOperationIntent.RESUME, expect_rejection=True)
    _lifecycle(engine, key, BatchOperationIntent.SUSPEND)
    twice = _lifecycle(engine, key, BatchOperationIntent.SUSPEND, expect_rejection=True)

    assert not_suspended.rejection_type is RejectionType.INVALID_STATE  # type: ignore[attr-defined]
    assert not_suspended.rejection_reason == (  # type: ignore[attr-defined]
        f"Expected to resume a batch operation with key '{key}', but it has an invalid state 'CREATED'."
    )
    assert twice.rejection_reason == (  # type: ignore[attr-defined]
        f"Expected to suspend a batch operation with key '{key}', but it has an invalid state 'SUSPENDED'."
    )
    # a suspended operation can be canceled
    assert _lifecycle(engine, key, BatchOperationIntent.CANCEL).intent == BatchOperationIntent.CANCELED  # type: ignore[attr-defined]


def test_a_restart_mid_operation_goes_on_without_repeating_an_item(
    engine: TestEngine, items: ExportedInstances
) -> None:
    orders = _instances(engine, 30)
    items.held_after = 0
    key = _create(engine)
    _lifecycle(engine, key, BatchOperationIntent.SUSPEND)
    items.held_after = None
    engine.restart()
    engine.partition.engine.batch_operations.items = items

    _lifecycle(engine, key, BatchOperationIntent.RESUME)
    engine.run()

    cancels = (
        engine.records.process_instances().commands().with_intent(ProcessInstanceIntent.CANCEL).limit(100)
    )
    assert sorted(record.key for record in cancels) == sorted(orders)
    assert _ended(engine, BatchOperationIntent.COMPLETED)
