"""PROCESS_INSTANCE_MIGRATION MIGRATE: a running instance moves to another process definition,
element by element; what waits keeps waiting (same job, same user task, same timer when mapped)
and continues along the target's flows. Rejected as a whole, with Zeebe's texts, when it cannot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from _execution import user_task_command

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import (
    IncidentIntent,
    JobIntent,
    ProcessInstanceMigrationIntent,
    TimerIntent,
    UserTaskIntent,
    VariableIntent,
)
from strom.protocol.intents import (
    MessageSubscriptionIntent as MS,
)
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.intents import (
    ProcessMessageSubscriptionIntent as PMS,
)
from strom.protocol.values.process_instance import (
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
)
from strom.testing import TestEngine, bpmn


def deploy(engine: TestEngine, builder: Any) -> int:
    answer = engine.deploy(builder)
    return int(answer.value.processes_metadata[0].process_definition_key)


def migrate(
    engine: TestEngine, instance: int, target: int, *mappings: tuple[str, str], expect_rejection: bool = False
) -> Any:
    value = ProcessInstanceMigrationRecordValue(
        process_instance_key=instance,
        target_process_definition_key=target,
        mapping_instructions=[
            ProcessInstanceMigrationMappingInstructionValue(source_element_id=s, target_element_id=t)
            for s, t in mappings
        ],
    )
    return engine.send(
        value, ProcessInstanceMigrationIntent.MIGRATE, instance, expect_rejection=expect_rejection
    )


def reached(engine: TestEngine, element_id: str) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .exists()
    )


# -- a waiting service task --------------------------------------------------------------------


def test_a_migrated_service_task_keeps_its_job_and_follows_the_target_flows(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("order").start_event().service_task("A", job_type="charge").end_event())
    instance = engine.instances.create("order", {"total": 42})
    target = deploy(
        engine,
        bpmn.process("order")
        .start_event()
        .service_task("A", job_type="charge-v2")
        .service_task("B", job_type="ship")
        .end_event(),
    )

    answer = migrate(engine, instance, target, ("A", "A"))

    assert ProcessInstanceMigrationIntent(answer.intent) is ProcessInstanceMigrationIntent.MIGRATED
    [process, task] = engine.records.process_instances().with_intent(PI.ELEMENT_MIGRATED).limit(2)
    assert process.key == instance and process.value.process_definition_key == target
    assert process.value.version == 2
    assert task.value.element_id == "A" and task.value.process_definition_key == target
    [migrated_job] = engine.records.jobs().with_intent(JobIntent.MIGRATED).limit(1)
    assert migrated_job.value.type == "charge"  # the job is not recreated
    assert migrated_job.value.process_definition_key == target
    [variable] = engine.records.variables().with_intent(VariableIntent.MIGRATED).limit(1)
    assert (variable.value.name, variable.value.value) == ("total", "42")

    [job] = engine.jobs.activate("charge")
    assert job.record.process_definition_version == 2
    engine.jobs.complete(job.key)

    assert reached(engine, "B")


def test_an_active_element_can_be_mapped_to_another_element_of_the_same_type(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="a").end_event())
    instance = engine.instances.create("p")
    target = deploy(engine, bpmn.process("q").start_event().service_task("C", job_type="c").end_event("done"))

    migrate(engine, instance, target, ("A", "C"))
    [job] = engine.jobs.activate("a")
    engine.jobs.complete(job.key)

    assert job.record.element_id == "C" and job.record.bpmn_process_id == "q"
    assert engine.records.process_instances().with_element_id("q").with_intent(PI.ELEMENT_COMPLETED).exists()


def test_an_incident_is_fixed_by_migrating_to_a_corrected_version(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="= kind").end_event())
    instance = engine.instances.create("p")
    [incident] = engine.records.incidents().with_intent(IncidentIntent.CREATED).limit(1)
    target = deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="fixed").end_event())

    migrate(engine, instance, target, ("A", "A"))
    engine.incidents.resolve(incident.key)

    [migrated] = engine.records.incidents().with_intent(IncidentIntent.MIGRATED).limit(1)
    assert migrated.key == incident.key and migrated.value.process_definition_key == target
    assert len(engine.jobs.activate("fixed")) == 1


def test_an_element_inside_a_subprocess_migrates_with_its_subprocess(engine: TestEngine) -> None:
    def with_sub(sub_id: str, task_id: str) -> Any:
        body = bpmn.process("x").start_event("s").service_task(task_id, job_type="inner").end_event("e")
        return bpmn.process("p").start_event().sub_process(sub_id, content=body).end_event()

    deploy(engine, with_sub("subA", "A"))
    instance = engine.instances.create("p")
    target = deploy(engine, with_sub("subB", "B"))

    migrate(engine, instance, target, ("subA", "subB"), ("A", "B"))
    [job] = engine.jobs.activate("inner")
    engine.jobs.complete(job.key)

    assert job.record.element_id == "B"
    assert (
        engine.records.process_instances().with_element_id("subB").with_intent(PI.ELEMENT_COMPLETED).exists()
    )


# -- a user task -------------------------------------------------------------------------------


def test_a_migrated_user_task_keeps_its_assignee_and_completes_into_the_target(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("review").start_event().user_task("check", assignee="ann").end_event())
    instance = engine.instances.create("review")
    target = deploy(
        engine,
        bpmn.process("review")
        .start_event()
        .user_task("check", assignee="bob")
        .service_task("archive", job_type="archive")
        .end_event(),
    )
    [created] = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(1)

    migrate(engine, instance, target, ("check", "check"))

    [task] = engine.records.user_tasks().with_intent(UserTaskIntent.MIGRATED).limit(1)
    assert task.key == created.key
    assert task.value.process_definition_key == target and task.value.assignee == "ann"
    user_task_command(engine, UserTaskIntent.COMPLETE, created.key)
    assert reached(engine, "archive")


# -- a timer boundary event --------------------------------------------------------------------


def _with_timer(process_id: str, timer_id: str, duration: str, after: str) -> Any:
    return (
        bpmn.process(process_id)
        .start_event()
        .service_task("A", job_type="a")
        .end_event()
        .boundary_event(timer_id, attached_to="A")
        .timer_duration(duration)
        .service_task(after, job_type=after)
        .end_event()
    )


def test_a_mapped_timer_boundary_event_keeps_its_due_date(engine: TestEngine) -> None:
    deploy(engine, _with_timer("p", "T1", "PT1H", "late"))
    instance = engine.instances.create("p")
    target = deploy(engine, _with_timer("p", "T2", "PT24H", "escalate"))
    [created] = engine.records.timers().with_intent(TimerIntent.CREATED).limit(1)

    migrate(engine, instance, target, ("A", "A"), ("T1", "T2"))

    [timer] = engine.records.timers().with_intent(TimerIntent.MIGRATED).limit(1)
    assert timer.key == created.key and timer.value.target_element_id == "T2"
    assert timer.value.due_date == created.value.due_date
    engine.advance_time(timedelta(hours=1, seconds=1))
    assert reached(engine, "escalate")


def test_an_unmapped_timer_is_canceled_and_the_targets_timer_starts_anew(engine: TestEngine) -> None:
    deploy(engine, _with_timer("p", "T1", "PT1H", "late"))
    instance = engine.instances.create("p")
    target = deploy(engine, _with_timer("p", "T1", "PT24H", "late"))
    [created] = engine.records.timers().with_intent(TimerIntent.CREATED).limit(1)

    migrate(engine, instance, target, ("A", "A"))

    [canceled] = engine.records.timers().with_intent(TimerIntent.CANCELED).limit(1)
    assert canceled.key == created.key
    [_, fresh] = engine.records.timers().with_intent(TimerIntent.CREATED).limit(2)
    assert fresh.value.process_definition_key == target
    assert fresh.value.due_date - created.value.due_date >= timedelta(hours=23).total_seconds() * 1000
    engine.advance_time(timedelta(hours=2))
    assert not reached(engine, "late")


def test_a_boundary_event_added_by_the_target_is_subscribed(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="a").end_event())
    instance = engine.instances.create("p")
    target = deploy(engine, _with_timer("p", "T", "PT1M", "late"))

    migrate(engine, instance, target, ("A", "A"))
    engine.advance_time(timedelta(minutes=2))

    assert reached(engine, "late")


# -- rejections --------------------------------------------------------------------------------


@pytest.fixture
def waiting(engine: TestEngine) -> tuple[int, int]:
    """An instance waiting at service task A (inside nothing), and a target with A and a user task U."""
    deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="a").end_event())
    instance = int(engine.instances.create("p"))
    target = deploy(
        engine,
        bpmn.process("p").start_event().service_task("A", job_type="a").user_task("U").end_event(),
    )
    return instance, target


def _rejection(engine: TestEngine, instance: int, target: int, *mappings: tuple[str, str]) -> Any:
    return migrate(engine, instance, target, *mappings, expect_rejection=True)


def test_an_unknown_instance_is_not_found(engine: TestEngine, waiting: tuple[int, int]) -> None:
    rejection = _rejection(engine, 123, waiting[1])

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to migrate process instance but no process instance found with key '123'"
    )


def test_an_unknown_target_definition_is_not_found(engine: TestEngine, waiting: tuple[int, int]) -> None:
    rejection = _rejection(engine, waiting[0], 456, ("A", "A"))

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to migrate process instance to process definition but no process definition found "
        "with key '456'"
    )


def test_duplicate_sources_are_invalid(engine: TestEngine, waiting: tuple[int, int]) -> None:
    instance, target = waiting

    rejection = _rejection(engine, instance, target, ("A", "A"), ("A", "U"))

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but the mapping instructions contain "
        "duplicate source element ids '[A]'."
    )


def test_unknown_source_and_target_elements_are_invalid(engine: TestEngine, waiting: tuple[int, int]) -> None:
    instance, target = waiting

    source = _rejection(engine, instance, target, ("X", "A"))
    other = _rejection(engine, instance, target, ("A", "Y"))

    assert source.rejection_type is RejectionType.INVALID_ARGUMENT
    assert source.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but mapping instructions contain a "
        "non-existing source element id 'X'. Elements provided in mapping instructions must exist in the "
        "source process definition."
    )
    assert other.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but mapping instructions contain a "
        "non-existing target element id 'Y'. Elements provided in mapping instructions must exist in the "
        "target process definition."
    )


def test_an_unmapped_active_element_is_refused(engine: TestEngine, waiting: tuple[int, int]) -> None:
    instance, target = waiting

    rejection = _rejection(engine, instance, target)

    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but no mapping instruction defined for active "
        "element with id 'A'. Elements cannot be migrated without a mapping."
    )
    assert not engine.records.process_instances().with_intent(PI.ELEMENT_MIGRATED).exists()


def test_the_element_type_cannot_change(engine: TestEngine, waiting: tuple[int, int]) -> None:
    instance, target = waiting

    rejection = _rejection(engine, instance, target, ("A", "U"))

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'A' and type "
        "'SERVICE_TASK' is mapped to an element with id 'U' and different type 'USER_TASK'. Elements must "
        "be mapped to elements of the same type."
    )


def test_the_flow_scope_cannot_change(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("p").start_event().service_task("A", job_type="a").end_event())
    inner = bpmn.process("x").start_event("s").service_task("A", job_type="a").end_event("e")
    instance = engine.instances.create("p")
    target = deploy(engine, bpmn.process("p").start_event().sub_process("sub", content=inner).end_event())

    rejection = migrate(engine, instance, target, ("A", "A"), expect_rejection=True)

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but the flow scope of active element with id "
        "'A' is changed. The flow scope of the active element is expected to be 'p' but was 'sub'. The flow "
        "scope of an element cannot be changed during migration yet."
    )


def _event_based(first: str, first_timer: str, second_timer: str) -> Any:
    return (
        bpmn.process("p")
        .start_event()
        .element("eventBasedGateway", "gw")
        .intermediate_catch_event(first)
        .timer_duration(first_timer)
        .end_event()
        .move_to("gw")
        .intermediate_catch_event("u")
        .timer_duration(second_timer)
        .service_task("after_u", job_type="after_u")
        .end_event()
    )


def test_an_event_based_gateway_keeps_its_mapped_events_and_renews_the_others(engine: TestEngine) -> None:
    deploy(engine, _event_based("t", "PT4H", "PT3H"))
    instance = engine.instances.create("p")
    [t, u] = engine.records.timers().with_intent(TimerIntent.CREATED).limit(2)
    target = deploy(engine, _event_based("t2", "PT5H", "PT2H"))

    migrate(engine, instance, target, ("gw", "gw"), ("t", "t2"))

    [migrated] = engine.records.timers().with_intent(TimerIntent.MIGRATED).limit(1)
    assert (migrated.key, migrated.value.target_element_id) == (t.key, "t2")
    [canceled] = engine.records.timers().with_intent(TimerIntent.CANCELED).limit(1)
    assert canceled.key == u.key
    engine.advance_time(timedelta(minutes=121))
    assert reached(engine, "after_u")  # the target's 2 hours, not the source's 3


def test_an_ad_hoc_subprocess_is_not_supported(engine: TestEngine) -> None:
    ad_hoc = (
        bpmn.process("p")
        .start_event()
        .ad_hoc_sub_process("adhoc")
        .service_task("work", job_type="work")
        .end_sub_process()
        .end_event()
    )
    target = deploy(engine, ad_hoc)
    instance = engine.instances.create("p")

    rejection = migrate(engine, instance, target, ("adhoc", "adhoc"), expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'adhoc' has an "
        "unsupported type. The migration of a AD_HOC_SUB_PROCESS is not supported."
    )


def _multi_instance(job_type: str, *, sequential: bool = False) -> Any:
    return (
        bpmn.process("p")
        .start_event()
        .service_task("A", job_type=job_type)
        .multi_instance("= [1, 2]", sequential=sequential)
        .service_task("B", job_type="b")
        .end_event()
    )


def test_a_multi_instance_body_migrates_with_its_instances(engine: TestEngine) -> None:
    deploy(engine, _multi_instance("a"))
    instance = engine.instances.create("p")
    target = deploy(engine, _multi_instance("a-v2"))

    migrate(engine, instance, target, ("A", "A"))

    migrated = (
        engine.records.process_instances().with_element_id("A").with_intent(PI.ELEMENT_MIGRATED).limit(3)
    )
    assert sorted(r.value.bpmn_element_type.name for r in migrated) == [
        "MULTI_INSTANCE_BODY",
        "SERVICE_TASK",
        "SERVICE_TASK",
    ]
    for job in engine.jobs.activate("a"):
        engine.jobs.complete(job.key)
    assert reached(engine, "B")


def test_a_multi_instance_body_keeps_its_loop_characteristics(engine: TestEngine) -> None:
    deploy(engine, _multi_instance("a"))
    instance = engine.instances.create("p")
    target = deploy(engine, _multi_instance("a", sequential=True))

    rejection = migrate(engine, instance, target, ("A", "A"), expect_rejection=True)

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'A' has a "
        "different loop characteristics than the target element with id 'A'. Both elements must have "
        "either sequential or parallel loop characteristics."
    )


def test_a_user_task_keeps_its_implementation(engine: TestEngine) -> None:
    deploy(engine, bpmn.process("p").start_event().user_task("U").end_event())
    instance = engine.instances.create("p")
    target = deploy(engine, bpmn.process("p").start_event().user_task("U", job_worker=True).end_event())

    rejection = migrate(engine, instance, target, ("U", "U"), expect_rejection=True)

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active user task with id 'U' and "
        "implementation 'zeebe user task' is mapped to an user task with id 'U' and different "
        "implementation 'job worker'. Elements must be mapped to elements of the same implementation."
    )


def test_a_catch_event_cannot_be_detached_from_its_element(engine: TestEngine) -> None:
    deploy(engine, _with_timer("p", "T1", "PT1H", "late"))
    two = (
        bpmn.process("p")
        .start_event()
        .service_task("A", job_type="a")
        .service_task("B", job_type="b")
        .end_event()
        .boundary_event("T2", attached_to="B")
        .timer_duration("PT1H")
        .end_event()
    )
    instance = engine.instances.create("p")
    target = deploy(engine, two)

    rejection = migrate(engine, instance, target, ("A", "A"), ("T1", "T2"), expect_rejection=True)

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'A' is mapped to an "
        "element with id 'A' and has a catch event with id 'T1' that is mapped to a catch event with id "
        "'T2'. These mappings detach the catch event from the element in the target process. Catch events "
        "must stay attached to the same element instance."
    )


def test_the_migrated_instance_is_an_instance_of_the_target(
    engine: TestEngine, waiting: tuple[int, int]
) -> None:
    instance, target = waiting

    migrate(engine, instance, target, ("A", "A"))
    [job] = engine.jobs.activate("a")
    engine.jobs.complete(job.key)

    [process] = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.USER_TASK)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(1)
    )
    assert process.value.process_definition_key == target


# -- message and signal boundary events ----------------------------------------------------------


def _with_message(process_id: str, event_id: str, name: str, after: str) -> Any:
    return (
        bpmn.process(process_id)
        .start_event()
        .service_task("A", job_type="a")
        .end_event()
        .boundary_event(event_id, attached_to="A")
        .message(name, "= key")
        .service_task(after, job_type=after)
        .end_event()
    )


def test_a_mapped_message_boundary_event_keeps_its_subscription(engine: TestEngine) -> None:
    deploy(engine, _with_message("p", "M1", "cancel", "undo"))
    instance = engine.instances.create("p", {"key": "k-1"})
    target = deploy(engine, _with_message("p", "M2", "cancel", "refund"))

    migrate(engine, instance, target, ("A", "A"), ("M1", "M2"))

    [process_side] = engine.records.process_message_subscriptions().with_intent(PMS.MIGRATED).limit(1)
    assert process_side.value.element_id == "M2"
    [message_side] = engine.records.message_subscriptions().with_intent(MS.MIGRATED).limit(1)
    assert message_side.value.process_definition_key == target
    engine.messages.publish("cancel", "k-1")
    assert reached(engine, "refund")


def test_resubscribing_to_the_same_message_needs_a_mapping(engine: TestEngine) -> None:
    deploy(engine, _with_message("p", "M1", "cancel", "undo"))
    instance = engine.instances.create("p", {"key": "k-1"})
    target = deploy(engine, _with_message("p", "M2", "cancel", "refund"))

    rejection = migrate(engine, instance, target, ("A", "A"), expect_rejection=True)

    assert rejection.rejection_reason == (
        f"Expected to migrate process instance '{instance}' but active element with id 'A' attempts to "
        "subscribe to a message it is already subscribed to with name 'cancel'. Migrating active elements "
        "that subscribe to a message they are already subscribed to is not possible yet. Please provide a "
        "mapping instruction to message catch event with id 'M2' to migrate the respective message "
        "subscription."
    )


def test_an_unmapped_signal_boundary_event_is_replaced_by_the_targets(engine: TestEngine) -> None:
    def with_signal(name: str) -> Any:
        return (
            bpmn.process("p")
            .start_event()
            .service_task("A", job_type="a")
            .end_event()
            .boundary_event("S", attached_to="A")
            .signal(name)
            .service_task("stopped", job_type="stopped")
            .end_event()
        )

    deploy(engine, with_signal("halt"))
    instance = engine.instances.create("p")
    target = deploy(engine, with_signal("stop"))

    migrate(engine, instance, target, ("A", "A"))
    engine.signals.broadcast("halt")
    assert not reached(engine, "stopped")
    engine.signals.broadcast("stop")

    assert reached(engine, "stopped")
