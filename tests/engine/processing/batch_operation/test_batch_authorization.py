"""With authorizations: creating a batch operation needs BATCH CREATE or the permission to create
that type of operation (Zeebe 8.8); the filter finds only the instances the creator may read;
its item commands are checked with the creator's own permissions, so an instance the creator may
read but not cancel is a failed item, not a cancelled one."""

from __future__ import annotations

import json

import pytest
from _batch_items import ExportedInstances, exported_instances

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationIntent, ProcessInstanceIntent
from strom.protocol.record import AUTHORIZED_USERNAME
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationType,
)
from strom.protocol.values.identity import AuthorizationOwnerType, AuthorizationResourceType, PermissionType
from strom.testing import TestEngine, bpmn
from strom.testing.identity import identity

_CANCEL_BY_FILTER = BatchOperationCreationRecordValue(
    batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
    entity_filter=json.dumps({"bpmnProcessId": "order"}),
)


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    return exported_instances(engine)


def _setup(engine: TestEngine, *batch_permissions: PermissionType) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    engine.instances.create("order")
    identity(engine).create_user("alice", "secret")
    if batch_permissions:
        identity(engine).create_authorization(
            "alice", AuthorizationOwnerType.USER, AuthorizationResourceType.BATCH, batch_permissions
        )


def test_creating_needs_a_batch_permission(engine: TestEngine, items: ExportedInstances) -> None:
    _setup(engine)

    with engine.as_caller("alice"):
        rejection = engine.send(_CANCEL_BY_FILTER, BatchOperationIntent.CREATE, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.FORBIDDEN
    assert rejection.rejection_reason == (
        "Insufficient permissions to perform operation 'CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE' "
        "on resource 'BATCH'"
    )


def test_items_are_checked_with_the_creator_s_permissions(
    engine: TestEngine, items: ExportedInstances
) -> None:
    _setup(engine, PermissionType.CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE)
    identity(engine).create_authorization(  # alice sees the instances, but may not cancel them
        "alice",
        AuthorizationOwnerType.USER,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.READ_PROCESS_INSTANCE],
    )

    with engine.as_caller("alice"):
        created = engine.send(_CANCEL_BY_FILTER, BatchOperationIntent.CREATE)
    engine.run()

    cancel = engine.records.process_instances().commands().with_intent(ProcessInstanceIntent.CANCEL).first()
    assert cancel.authorizations[AUTHORIZED_USERNAME] == "alice"
    rejection = (
        engine.records.process_instances().rejections().with_intent(ProcessInstanceIntent.CANCEL).first()
    )
    assert rejection.rejection_type is RejectionType.FORBIDDEN
    assert rejection.batch_operation_reference == created.key


def test_with_read_and_cancel_permissions_the_instances_are_cancelled(
    engine: TestEngine, items: ExportedInstances
) -> None:
    _setup(engine, PermissionType.CREATE)
    identity(engine).create_authorization(
        "alice",
        AuthorizationOwnerType.USER,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.READ_PROCESS_INSTANCE, PermissionType.CANCEL_PROCESS_INSTANCE],
    )

    with engine.as_caller("alice"):
        engine.send(_CANCEL_BY_FILTER, BatchOperationIntent.CREATE)
    engine.run()

    assert (
        engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .exists()
    )


def test_suspending_needs_batch_update(engine: TestEngine, items: ExportedInstances) -> None:
    _setup(engine, PermissionType.CREATE)
    items.held_after = 0
    with engine.as_caller("alice"):
        key = engine.send(_CANCEL_BY_FILTER, BatchOperationIntent.CREATE).key
        rejection = engine.send(
            BatchOperationLifecycleManagementRecordValue(batch_operation_key=key),
            BatchOperationIntent.SUSPEND,
            key,
            expect_rejection=True,
        )

    assert rejection.rejection_type is RejectionType.FORBIDDEN
    assert (
        rejection.rejection_reason
        == "Insufficient permissions to perform operation 'UPDATE' on resource 'BATCH'"
    )


def test_the_filter_finds_only_what_the_creator_may_read(
    engine: TestEngine, items: ExportedInstances
) -> None:
    engine.deploy(bpmn.process("visible").start_event().service_task("task", job_type="work").end_event())
    engine.deploy(bpmn.process("hidden").start_event().service_task("task", job_type="work").end_event())
    visible = [engine.instances.create("visible") for _ in range(2)]
    hidden = engine.instances.create("hidden")
    identity(engine).create_user("alice", "secret")
    identity(engine).create_authorization(
        "alice", AuthorizationOwnerType.USER, AuthorizationResourceType.BATCH, [PermissionType.CREATE]
    )
    identity(engine).create_authorization(
        "alice",
        AuthorizationOwnerType.USER,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.READ_PROCESS_INSTANCE, PermissionType.CANCEL_PROCESS_INSTANCE],
        "visible",
    )
    everything = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
        entity_filter=json.dumps({"tenantId": "<default>"}),
    )

    with engine.as_caller("alice"):
        engine.send(everything, BatchOperationIntent.CREATE)
    engine.run()

    assert items.scopes[0].process_ids == frozenset({"visible"})
    cancels = (
        engine.records.process_instances().commands().with_intent(ProcessInstanceIntent.CANCEL).limit(10)
    )
    assert sorted(record.key for record in cancels) == sorted(visible)  # the hidden one is not even an item
    assert hidden not in [record.key for record in cancels]
    assert (
        not engine.records.process_instances().rejections().with_intent(ProcessInstanceIntent.CANCEL).exists()
    )
