"""With multi-tenancy, a batch operation's filter finds only the instances of the tenants its
creator is assigned to (Zeebe resolves the filter with the creator's authentication): another
tenant's instances are neither touched nor listed as failed items."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from _batch_items import ExportedInstances

from strom.protocol.enums import ValueType
from strom.protocol.intents import BatchOperationIntent, ProcessInstanceIntent
from strom.protocol.values.batch_operation import BatchOperationCreationRecordValue, BatchOperationType
from strom.protocol.values.identity import EntityType
from strom.testing import TestEngine, bpmn
from strom.testing.identity import identity


@pytest.fixture
def tenants() -> Iterator[TestEngine]:
    """Tenants ``acme`` and ``globex``; ``alice`` (an admin, so only tenants limit her) in ``acme``."""
    engine = TestEngine(multi_tenancy=True)
    try:
        ids = identity(engine)
        ids.create_tenant("acme")
        ids.create_tenant("globex")
        ids.create_user("alice", "secret")
        ids.create_role("admin", "Admin")
        ids.add_to_role("admin", "alice", EntityType.USER)
        ids.add_to_tenant("acme", "alice", EntityType.USER)
        yield engine
        engine.check_replay()
    finally:
        engine.close()


def test_only_the_creator_s_tenants_are_cancelled(tenants: TestEngine) -> None:
    items = ExportedInstances(tenants)
    tenants.partition.engine.batch_operations.items = items
    task = bpmn.process("order").start_event().service_task("task", job_type="work").end_event()
    for tenant in ("acme", "globex"):
        tenants.deployments.deploy(task, tenant_id=tenant)
    mine = [tenants.instances.create("order", tenant_id="acme") for _ in range(2)]
    theirs = tenants.instances.create("order", tenant_id="globex")

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
    )
    with tenants.as_caller("alice"):
        tenants.send(value, BatchOperationIntent.CREATE)
    tenants.run()

    assert items.scopes[0].tenant_ids == frozenset({"acme"})
    cancels = (
        tenants.records.process_instances().commands().with_intent(ProcessInstanceIntent.CANCEL).limit(10)
    )
    assert sorted(record.key for record in cancels) == sorted(mine)
    assert theirs not in [record.key for record in cancels]
    assert (
        tenants.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.COMPLETED)
        .exists()
    )
