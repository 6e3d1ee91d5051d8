"""The other batch operation types: each item's command is the one a client would send —
INCIDENT RESOLVE (a job out of retries gets one back first), PROCESS_INSTANCE_MIGRATION MIGRATE with
the operation's plan, PROCESS_INSTANCE_MODIFICATION MODIFY moving the tokens of each instance."""

from __future__ import annotations

import json

import pytest
from _batch_items import ExportedInstances, exported_instances

from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    BatchOperationIntent,
    IncidentIntent,
    JobIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
)
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationMappingInstructionValue,
    BatchOperationMigrationPlanValue,
    BatchOperationModificationPlanValue,
    BatchOperationMoveInstructionValue,
    BatchOperationType,
)
from strom.testing import TestEngine, bpmn


@pytest.fixture
def items(engine: TestEngine) -> ExportedInstances:
    return exported_instances(engine)


def _completed(engine: TestEngine) -> bool:
    return (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.COMPLETED)
        .exists()
    )


def test_resolving_incidents_gives_their_jobs_a_retry_and_resolves_them(
    engine: TestEngine, items: ExportedInstances
) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    for _ in range(3):
        engine.instances.create("order")
    for job in engine.jobs.activate("work", max_jobs=3):
        engine.jobs.fail(job.key, retries=0)
    incidents = [r.key for r in engine.records.incidents().with_intent(IncidentIntent.CREATED).limit(10)]

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.RESOLVE_INCIDENT,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
    )
    key = engine.send(value, BatchOperationIntent.CREATE).key
    engine.run()

    resolved = engine.records.incidents().with_intent(IncidentIntent.RESOLVED).limit(10)
    assert sorted(record.key for record in resolved) == sorted(incidents)
    assert {record.batch_operation_reference for record in resolved} == {key}
    assert len(engine.records.jobs().with_intent(JobIntent.RETRIES_UPDATED).limit(10)) == 3
    assert len(engine.jobs.activate("work", max_jobs=5)) == 3
    assert _completed(engine)


def test_migrating_moves_every_instance_to_the_target(engine: TestEngine, items: ExportedInstances) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    instances = [engine.instances.create("order") for _ in range(3)]
    target = (
        engine.deploy(
            bpmn.process("order").start_event().service_task("task", job_type="work-v2").end_event()
        )
        .value.processes_metadata[0]
        .process_definition_key
    )

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.MIGRATE_PROCESS_INSTANCE,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
        migration_plan=BatchOperationMigrationPlanValue(
            target_process_definition_key=target,
            mapping_instructions=[
                BatchOperationMappingInstructionValue(source_element_id="task", target_element_id="task")
            ],
        ),
    )
    engine.send(value, BatchOperationIntent.CREATE)
    engine.run()

    migrated = (
        engine.records.of(ValueType.PROCESS_INSTANCE_MIGRATION)
        .with_intent(ProcessInstanceMigrationIntent.MIGRATED)
        .limit(10)
    )
    assert sorted(record.value.process_instance_key for record in migrated) == sorted(instances)
    assert _completed(engine)


def test_modifying_moves_the_tokens_of_every_instance(engine: TestEngine, items: ExportedInstances) -> None:
    engine.deploy(
        bpmn.process("order")
        .start_event()
        .service_task("first", job_type="first")
        .service_task("second", job_type="second")
        .end_event()
    )
    for _ in range(2):
        engine.instances.create("order")

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.MODIFY_PROCESS_INSTANCE,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
        modification_plan=BatchOperationModificationPlanValue(
            move_instructions=[
                BatchOperationMoveInstructionValue(source_element_id="first", target_element_id="second")
            ]
        ),
    )
    engine.send(value, BatchOperationIntent.CREATE)
    engine.run()

    terminated = (
        engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_id("first")
        .limit(10)
    )
    assert len(terminated) == 2
    assert len(engine.jobs.activate("second", max_jobs=5)) == 2
    assert engine.jobs.activate("first", max_jobs=5) == []
    assert _completed(engine)
