"""With several partitions, partition 1 resolves and executes a batch operation (Strom does not
distribute it as Zeebe does); an item owned by another partition is sent there as the same CANCEL
command, naming the operation and its creator."""

from __future__ import annotations

import json

import pytest
from _batch_items import ExportedInstances

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import BatchOperationIntent, ProcessInstanceIntent
from strom.protocol.keys import partition_of
from strom.protocol.values.batch_operation import BatchOperationCreationRecordValue, BatchOperationType
from strom.testing import TestEngine, bpmn


@pytest.mark.partitions(3)
def test_instances_of_every_partition_are_cancelled(engine: TestEngine, items: ExportedInstances) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    instances = [engine.instances.create("order") for _ in range(9)]
    assert {partition_of(key) for key in instances} == {1, 2, 3}

    value = BatchOperationCreationRecordValue(
        batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
        entity_filter=json.dumps({"bpmnProcessId": "order"}),
    )
    created = engine.send(value, BatchOperationIntent.CREATE)
    engine.run()

    terminated = (
        engine.records.process_instances()
        .with_intent(ProcessInstanceIntent.ELEMENT_TERMINATED)
        .with_element_type(BpmnElementType.PROCESS)
        .limit(100)
    )
    assert sorted(record.key for record in terminated) == sorted(instances)
    assert {record.partition_id for record in terminated} == {1, 2, 3}
    assert {record.batch_operation_reference for record in terminated} == {created.key}
