"""RESOURCE_DELETION DELETE of process definitions (Zeebe 8.8 semantics)."""

from __future__ import annotations

from typing import Any

from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import (
    MessageStartEventSubscriptionIntent,
    ProcessIntent,
    ResourceDeletionIntent,
    TimerIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.testing import TestEngine, bpmn


def _process(job_type: str = "work") -> bytes:
    xml = bpmn.process("order").start_event().service_task("task", job_type=job_type).end_event().to_xml()
    return xml.encode()


def _deploy(engine: TestEngine, job_type: str = "work") -> int:
    deployment = engine.deploy(("order.bpmn", _process(job_type)))
    return int(deployment.value.processes_metadata[0].process_definition_key)


def _delete(engine: TestEngine, key: int, expect_rejection: bool = False) -> Record[Any]:
    return engine.send(
        ResourceDeletionRecordValue(resource_key=key),
        ResourceDeletionIntent.DELETE,
        expect_rejection=expect_rejection,
    )


def test_deleting_a_process_writes_zeebes_events_in_order_and_answers_with_deleting(
    engine: TestEngine,
) -> None:
    key = _deploy(engine)

    response = _delete(engine, key)

    assert (response.record_type, response.intent) == (RecordType.EVENT, ResourceDeletionIntent.DELETING)
    assert response.value.resource_key == key
    follow_ups = (
        engine.records.all()
        .events()
        .where(lambda r: r.value_type in (ValueType.RESOURCE_DELETION, ValueType.PROCESS))
        .where(lambda r: r.intent != ProcessIntent.CREATED or r.value_type != ValueType.PROCESS)
        .limit(4)
    )
    assert [(r.value_type, r.intent) for r in follow_ups] == [
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETING),
        (ValueType.PROCESS, ProcessIntent.DELETING),
        (ValueType.PROCESS, ProcessIntent.DELETED),
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETED),
    ]
    deleted = follow_ups[2].value
    assert (deleted.process_definition_key, deleted.bpmn_process_id, deleted.version) == (key, "order", 1)
    assert deleted.resource == b"" and deleted.checksum == b""


def test_a_deleted_process_cannot_be_started(engine: TestEngine) -> None:
    key = _deploy(engine)
    _delete(engine, key)

    by_id = engine.instances.create("order", expect_rejection=True)
    by_key = engine.instances.create_by_key(key, expect_rejection=True)

    assert by_id.rejection_type == RejectionType.NOT_FOUND
    assert by_key.rejection_type == RejectionType.NOT_FOUND


def test_deleting_the_latest_version_makes_the_previous_one_latest(engine: TestEngine) -> None:
    _deploy(engine, "v1")
    latest = _deploy(engine, "v2")

    _delete(engine, latest)
    engine.instances.create("order")

    job = engine.records.jobs().limit(1)[0]
    assert job.value.type == "v1"
    assert job.value.process_definition_version == 1


def test_a_version_number_is_never_reused_after_deletion(engine: TestEngine) -> None:
    _deploy(engine, "v1")
    second = _deploy(engine, "v2")
    _delete(engine, second)

    third = engine.deploy(("order.bpmn", _process("v3")))

    assert third.value.processes_metadata[0].version == 3


def test_deleting_an_older_version_keeps_the_latest(engine: TestEngine) -> None:
    first = _deploy(engine, "v1")
    _deploy(engine, "v2")

    _delete(engine, first)
    engine.instances.create("order")
    rejection = engine.instances.create("order", version=1, expect_rejection=True)

    assert engine.records.jobs().limit(1)[0].value.type == "v2"
    assert rejection.rejection_type == RejectionType.NOT_FOUND


def test_deleting_the_only_version_then_redeploying_starts_at_the_next_version(engine: TestEngine) -> None:
    key = _deploy(engine)
    _delete(engine, key)

    again = engine.deploy(("order.bpmn", _process()))

    [metadata] = again.value.processes_metadata
    assert (metadata.version, metadata.duplicate) == (2, False)
    assert metadata.process_definition_key != key


def test_a_process_with_running_instances_is_not_deleted(engine: TestEngine) -> None:
    key = _deploy(engine)
    instance = engine.instances.create("order")

    rejection = _delete(engine, key, expect_rejection=True)

    assert rejection.rejection_type == RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to delete resource with key `{key}` but there are still running instances"
    )
    assert not engine.records.processes().with_intent(ProcessIntent.DELETING).exists()
    engine.instances.cancel(instance)
    assert _delete(engine, key).intent == ResourceDeletionIntent.DELETING


def test_a_completed_instance_does_not_block_deletion(engine: TestEngine) -> None:
    key = _deploy(engine)
    engine.instances.create("order")
    [job] = engine.jobs.activate("work")
    engine.jobs.complete(job.key)

    assert _delete(engine, key).intent == ResourceDeletionIntent.DELETING


def test_an_unknown_key_is_not_found(engine: TestEngine) -> None:
    rejection = _delete(engine, 2251799813685999, expect_rejection=True)

    assert rejection.rejection_type == RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to delete resource but no resource found with key `2251799813685999`"
    )


def test_deleting_twice_is_not_found_the_second_time(engine: TestEngine) -> None:
    key = _deploy(engine)
    _delete(engine, key)

    rejection = _delete(engine, key, expect_rejection=True)

    assert rejection.rejection_type == RejectionType.NOT_FOUND


def test_deletion_survives_restart_and_replay(engine: TestEngine) -> None:
    _deploy(engine, "v1")
    latest = _deploy(engine, "v2")
    _delete(engine, latest)

    engine.restart()
    engine.instances.create("order")

    assert engine.records.jobs().limit(1)[0].value.type == "v1"
    assert engine.deploy(("order.bpmn", _process("v4"))).value.processes_metadata[0].version == 3


# -- start events ----------------------------------------------------------------------------------


def _message_start(job_type: str) -> bytes:
    builder = (
        bpmn.process("order")
        .start_event()
        .message("order-placed")
        .service_task("task", job_type=job_type)
        .end_event()
    )
    return builder.to_xml().encode()


def _timer_start() -> bytes:
    return bpmn.process("order").start_event().timer_cycle("R/PT1H").end_event().to_xml().encode()


def test_deleting_the_latest_version_moves_message_start_events_to_the_previous_one(
    engine: TestEngine,
) -> None:
    first = engine.deploy(("order.bpmn", _message_start("v1"))).value.processes_metadata[0]
    second = engine.deploy(("order.bpmn", _message_start("v2"))).value.processes_metadata[0]

    _delete(engine, second.process_definition_key)

    subscriptions = engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)
    deleted = subscriptions.with_intent(MessageStartEventSubscriptionIntent.DELETED).limit(3)
    created = subscriptions.with_intent(MessageStartEventSubscriptionIntent.CREATED).limit(4)
    assert [r.value.process_definition_key for r in deleted][-1] == second.process_definition_key
    assert [r.value.process_definition_key for r in created][-1] == first.process_definition_key


def test_deleting_an_older_version_leaves_start_events_alone(engine: TestEngine) -> None:
    first = engine.deploy(("order.bpmn", _message_start("v1"))).value.processes_metadata[0]
    engine.deploy(("order.bpmn", _message_start("v2")))
    created_before = len(
        engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)
        .with_intent(MessageStartEventSubscriptionIntent.CREATED)
        .limit(5)
    )

    _delete(engine, first.process_definition_key)

    created_after = (
        engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)
        .with_intent(MessageStartEventSubscriptionIntent.CREATED)
        .limit(5)
    )
    assert len(created_after) == created_before


def test_deleting_the_only_version_cancels_its_start_timer(engine: TestEngine) -> None:
    key = engine.deploy(("order.bpmn", _timer_start())).value.processes_metadata[0].process_definition_key

    _delete(engine, key)

    canceled = engine.records.of(ValueType.TIMER).with_intent(TimerIntent.CANCELED).limit(1)
    assert [r.value.process_definition_key for r in canceled] == [key]
