"""RESOURCE_DELETION DELETE with three partitions: the deployment partition deletes the process
definition, answers at once and distributes the deletion; every other partition deletes its copy
(the same key) and acknowledges. A repeated delivery is only acknowledged again; a deletion that
finds running instances, or arrives before its deployment, is sent again until it can be done."""

from __future__ import annotations

from typing import Any

import pytest

from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import (
    CommandDistributionIntent,
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    ResourceDeletionIntent,
    TimerIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.record import Record
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.testing import TestEngine, bpmn

pytestmark = pytest.mark.partitions(3)

PARTITIONS = (1, 2, 3)


def one_task(job_type: str = "work") -> tuple[str, bytes]:
    builder = bpmn.process("order").start_event().service_task("task", job_type=job_type).end_event()
    return ("order.bpmn", builder.to_xml().encode())


def deploy(engine: TestEngine, resource: tuple[str, bytes]) -> int:
    deployment = engine.deploy(resource)
    return int(deployment.value.processes_metadata[0].process_definition_key)


def delete(engine: TestEngine, key: int, expect_rejection: bool = False) -> Record[Any]:
    return engine.send(
        ResourceDeletionRecordValue(resource_key=key),
        ResourceDeletionIntent.DELETE,
        expect_rejection=expect_rejection,
    )


def deployed_on(engine: TestEngine, key: int) -> list[int]:
    """The partitions that hold the process definition ``key``."""
    found = []
    for partition_id in PARTITIONS:
        with engine.state(partition_id) as state:
            if state.processes.by_key(key) is not None:
                found.append(partition_id)
    return found


def deletion_commands(engine: TestEngine) -> list[tuple[int, Record[Any]]]:
    """The distributed deletions sent so far: (target partition, command)."""
    return [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.RESOURCE_DELETION
    ]


def rejections_on(engine: TestEngine, partition_id: int) -> list[Record[Any]]:
    return engine.records.of(ValueType.RESOURCE_DELETION).rejections().on_partition(partition_id).limit(10)


def redistribute(engine: TestEngine, passes: int = 2) -> None:
    """Let the redistributor notice what is pending and send it again."""
    for _ in range(passes):
        engine.advance_time(11)


def test_a_deletion_removes_the_definition_from_every_partition(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    assert deployed_on(engine, key) == [1, 2, 3]

    response = delete(engine, key)

    assert (response.record_type, response.intent) == (RecordType.EVENT, ResourceDeletionIntent.DELETING)
    assert partition_of(response.key) == 1
    assert deployed_on(engine, key) == []
    deleted = engine.records.processes().with_intent(ProcessIntent.DELETED).limit(4)
    assert sorted(r.partition_id for r in deleted) == [1, 2, 3]
    assert {r.value.process_definition_key for r in deleted} == {key}
    finished = (
        engine.records.of(ValueType.RESOURCE_DELETION)
        .events()
        .with_intent(ResourceDeletionIntent.DELETED)
        .limit(4)
    )
    assert sorted(r.partition_id for r in finished) == [1, 2, 3]
    assert {r.key for r in finished} == {response.key}  # the other partitions use its key
    assert not engine.pending_distributions()


def test_a_deleted_process_cannot_be_started_on_any_partition(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    delete(engine, key)

    rejections = [engine.instances.create("order", expect_rejection=True) for _ in PARTITIONS]

    assert sorted(r.partition_id for r in rejections) == [1, 2, 3]  # round robin reached each
    assert {r.rejection_type for r in rejections} == {RejectionType.NOT_FOUND}


def test_the_client_is_answered_before_the_other_partitions_deleted_it(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    engine.transport.hold()

    response = delete(engine, key)

    assert response.intent == ResourceDeletionIntent.DELETING
    assert deployed_on(engine, key) == [2, 3]
    assert sorted(target for _, target in engine.pending_distributions()) == [2, 3]
    engine.transport.release()
    assert deployed_on(engine, key) == []
    assert not engine.pending_distributions()


def test_the_distribution_events_follow_the_deletion_on_the_deployment_partition(
    engine: TestEngine,
) -> None:
    key = deploy(engine, one_task())

    response = delete(engine, key)

    distribution = [
        (r.partition_id, r.intent, r.value.value_type)
        for r in engine.records.of(ValueType.COMMAND_DISTRIBUTION).events().with_key(response.key).limit(7)
    ]
    deletion = ValueType.RESOURCE_DELETION
    assert distribution == [
        (1, CommandDistributionIntent.STARTED, deletion),
        (1, CommandDistributionIntent.DISTRIBUTING, deletion),
        (1, CommandDistributionIntent.DISTRIBUTING, deletion),
        (1, CommandDistributionIntent.ACKNOWLEDGED, deletion),
        (1, CommandDistributionIntent.ACKNOWLEDGED, deletion),
        (1, CommandDistributionIntent.FINISHED, deletion),
    ]


def test_a_repeated_delivery_is_rejected_and_acknowledged_again(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    delete(engine, key)
    commands = deletion_commands(engine)
    assert sorted(target for target, _ in commands) == [2, 3]
    acknowledgements_before = sum(
        command.value_type is ValueType.COMMAND_DISTRIBUTION for _, command in engine.transport.sent
    )

    for target, command in commands:
        engine.partitions[target].submit(command)
    engine.run()

    for target, command in commands:
        [rejection] = rejections_on(engine, target)
        assert rejection.rejection_type == RejectionType.NOT_FOUND
        assert rejection.rejection_reason == (
            f"Expected to delete the resource with key `{key}` (the distributed deletion "
            f"'{command.key}'), but this partition deleted it already (a repeated delivery)"
        )
    acknowledgements = [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.COMMAND_DISTRIBUTION
    ]
    assert [target for target, _ in acknowledgements[acknowledgements_before:]] == [1, 1]
    assert len(engine.records.processes().with_intent(ProcessIntent.DELETED).limit(10)) == 3


def test_a_repeated_delivery_after_a_restart_is_still_recognized(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    delete(engine, key)
    target, command = deletion_commands(engine)[0]

    engine.restart_partition(target)  # the received key is rebuilt by replay
    engine.partitions[target].submit(command)
    engine.run()

    [rejection] = rejections_on(engine, target)
    assert "a repeated delivery" in rejection.rejection_reason
    assert deployed_on(engine, key) == []


def test_a_lost_deletion_is_sent_again_until_acknowledged(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    engine.transport.hold()
    delete(engine, key)
    assert sorted(target for target, _ in engine.transport.drop()) == [2, 3]
    assert deployed_on(engine, key) == [2, 3]

    redistribute(engine)

    assert deployed_on(engine, key) == []
    assert not engine.pending_distributions()


def test_running_instances_on_another_partition_delay_its_deletion_there(engine: TestEngine) -> None:
    key = deploy(engine, one_task())
    instances = {partition_of(k): k for k in (engine.instances.create("order") for _ in PARTITIONS)}
    engine.instances.cancel(instances[1])
    engine.instances.cancel(instances[3])

    response = delete(engine, key)  # partition 1 runs no instance of it: deleted and answered

    assert response.intent == ResourceDeletionIntent.DELETING
    assert deployed_on(engine, key) == [2]
    [rejection] = rejections_on(engine, 2)
    assert rejection.rejection_type == RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to delete resource with key `{key}` but there are still running instances on "
        "this partition; the deletion is sent again until they ended"
    )
    assert engine.pending_distributions() == [(response.key, 2)]

    [job] = engine.jobs.activate("work")
    engine.jobs.complete(job.key)
    assert (
        engine.records.process_instances()
        .with_key(instances[2])
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .exists()
    )
    redistribute(engine, passes=3)

    assert deployed_on(engine, key) == []
    assert not engine.pending_distributions()


def test_a_deletion_that_arrives_before_its_deployment_waits_for_it(engine: TestEngine) -> None:
    engine.transport.hold()
    key = deploy(engine, one_task())
    engine.transport.drop()  # the deployment did not reach partitions 2 and 3 (yet)

    delete(engine, key)

    for partition_id in (2, 3):
        [rejection] = rejections_on(engine, partition_id)
        assert rejection.rejection_type == RejectionType.NOT_FOUND
        assert "its deployment has not reached this partition yet" in rejection.rejection_reason
    redistribute(engine, passes=3)  # the deployment is sent again first, then the deletion

    assert deployed_on(engine, key) == []
    assert not engine.pending_distributions()
    assert sorted(
        r.partition_id for r in engine.records.processes().with_intent(ProcessIntent.DELETED).limit(4)
    ) == [1, 2, 3]


def message_start(job_type: str) -> tuple[str, bytes]:
    builder = (
        bpmn.process("order")
        .start_event()
        .message("order-placed")
        .service_task("task", job_type=job_type)
        .end_event()
    )
    return ("order.bpmn", builder.to_xml().encode())


def correlation_key_on(partition_id: int) -> str:
    return next(
        f"key-{n}" for n in range(1000) if partition_for_correlation_key(f"key-{n}", 3) == partition_id
    )


def test_deleting_the_latest_version_moves_message_start_events_back_on_every_partition(
    engine: TestEngine,
) -> None:
    deploy(engine, message_start("v1"))
    latest = deploy(engine, message_start("v2"))

    delete(engine, latest)

    reopened = (
        engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)
        .with_intent(MessageStartEventSubscriptionIntent.CREATED)
        .limit(10)
    )
    assert sorted(r.partition_id for r in reopened if r.value.process_definition_key != latest) == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]  # v1 opened at its deployment and again after the deletion, on each partition
    for partition_id in (2, 3):
        key = correlation_key_on(partition_id)
        engine.send(
            MessageRecordValue(name="order-placed", correlation_key=key, time_to_live=0),
            MessageIntent.PUBLISH,
        )
    jobs = engine.jobs.activate("v1")
    assert sorted(partition_of(job.key) for job in jobs) == [2, 3]
    assert engine.jobs.activate("v2") == []


def timer_start(job_type: str) -> tuple[str, bytes]:
    builder = (
        bpmn.process("order")
        .start_event()
        .timer_cycle("R/PT1H")
        .service_task("task", job_type=job_type)
        .end_event()
    )
    return ("order.bpmn", builder.to_xml().encode())


def test_deleting_the_latest_version_reschedules_timer_start_events_on_the_deployment_partition_only(
    engine: TestEngine,
) -> None:
    deploy(engine, timer_start("v1"))
    latest = deploy(engine, timer_start("v2"))

    delete(engine, latest)

    created = engine.records.timers().with_intent(TimerIntent.CREATED).limit(10)
    assert [r.partition_id for r in created] == [1, 1, 1]  # v1, v2, v1 again
    engine.advance_time(3600)
    jobs = engine.jobs.activate("v1")
    assert len(jobs) == 1
    assert engine.jobs.activate("v2") == []
