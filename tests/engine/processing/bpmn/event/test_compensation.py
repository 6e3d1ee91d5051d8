"""Compensation: completed activities with a compensation boundary event leave subscriptions;
a compensation throw or end event runs their handlers (in its scope, or for one activity) and
waits for them; subprocesses are compensated from the top down."""

from strom.protocol.enums import ValueType
from strom.protocol.intents import CompensationSubscriptionIntent as C
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def compensable(builder: bpmn.ProcessBuilder, task_id: str) -> bpmn.ProcessBuilder:
    """A service task ``task_id`` (job type = its id) with a compensation handler (job type
    ``undo_<id>``); the builder continues from the task."""
    builder.service_task(task_id, job_type=task_id)
    builder.boundary_event(f"{task_id}_compensation").compensation()
    builder.compensation_handler(f"undo_{task_id}", job_type=f"undo_{task_id}")
    return builder.move_to(task_id)


def complete_all(engine: TestEngine, job_type: str) -> int:
    jobs = engine.jobs.activate(job_type)
    for job in jobs:
        engine.jobs.complete(job.key)
    return len(jobs)


def subscriptions(engine: TestEngine, intent: C, limit: int = 10) -> list:
    return engine.records.of(ValueType.COMPENSATION_SUBSCRIPTION).with_intent(intent).limit(limit)


def trip(compensated: str | None = None) -> bpmn.ProcessBuilder:
    """Books a flight and a hotel, then cancels: compensates both, or only ``compensated``."""
    builder = bpmn.process("trip").start_event()
    compensable(builder, "book_flight")
    compensable(builder, "book_hotel")
    return builder.end_event("cancel").compensation(compensated)


def test_completed_activities_leave_compensation_subscriptions(engine: TestEngine) -> None:
    engine.deploy(trip())
    instance = engine.instances.create("trip")

    complete_all(engine, "book_flight")
    complete_all(engine, "book_hotel")

    created = subscriptions(engine, C.CREATED)
    assert [(s.value.compensable_activity_id, s.value.compensation_handler_id) for s in created] == [
        ("book_flight", "undo_book_flight"),
        ("book_hotel", "undo_book_hotel"),
    ]
    assert {s.value.compensable_activity_scope_key for s in created} == {instance}


def test_a_compensation_end_event_runs_every_handler_and_waits_for_them(engine: TestEngine) -> None:
    engine.deploy(trip())
    instance = engine.instances.create("trip")
    complete_all(engine, "book_flight")
    complete_all(engine, "book_hotel")

    triggered = subscriptions(engine, C.TRIGGERED)
    assert [s.value.throw_event_id for s in triggered] == ["cancel", "cancel"]
    boundary = engine.records.process_instances().with_element_id("book_flight_compensation").limit(5)
    assert [PI(r.intent).name for r in boundary] == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    handler = engine.records.process_instances().with_element_id("undo_book_flight").events().first()
    assert handler.value.bpmn_event_type == "COMPENSATION"
    assert (
        not engine.records.process_instances()
        .with_element_id("cancel")
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )

    complete_all(engine, "undo_book_flight")
    complete_all(engine, "undo_book_hotel")

    assert len(subscriptions(engine, C.COMPLETED)) == 2
    assert (
        engine.records.process_instances()
        .with_element_id("cancel")
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_compensation_of_one_activity(engine: TestEngine) -> None:
    engine.deploy(trip("book_hotel"))
    engine.instances.create("trip")
    complete_all(engine, "book_flight")
    complete_all(engine, "book_hotel")

    assert [s.value.compensable_activity_id for s in subscriptions(engine, C.TRIGGERED)] == ["book_hotel"]
    assert complete_all(engine, "undo_book_flight") == 0
    assert complete_all(engine, "undo_book_hotel") == 1


def test_without_anything_to_compensate_the_throw_event_passes(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("nothing")
        .start_event()
        .intermediate_throw_event("compensate")
        .compensation()
        .end_event("end")
    )

    instance = engine.instances.create("nothing")

    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_completed_subprocess_is_compensated_from_the_top_down(engine: TestEngine) -> None:
    inside = bpmn.process("x").start_event("inner_start")
    compensable(inside, "reserve")
    inside.end_event("inner_end")
    builder = bpmn.process("order").start_event()
    builder.sub_process("sub", content=inside)
    builder.intermediate_throw_event("compensate").compensation().end_event("end")
    engine.deploy(builder)
    instance = engine.instances.create("order")

    complete_all(engine, "reserve")

    created = subscriptions(engine, C.CREATED)
    assert [(s.value.compensable_activity_id, s.value.compensation_handler_id) for s in created] == [
        ("reserve", "undo_reserve"),
        ("sub", ""),
    ]
    assert complete_all(engine, "undo_reserve") == 1
    assert len(subscriptions(engine, C.COMPLETED)) == 2
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_throw_inside_a_subprocess_compensates_only_the_subprocess(engine: TestEngine) -> None:
    inside = bpmn.process("x").start_event("inner_start")
    compensable(inside, "reserve")
    inside.intermediate_throw_event("compensate").compensation().end_event("inner_end")
    builder = bpmn.process("order").start_event()
    compensable(builder, "charge")
    builder.sub_process("sub", content=inside).end_event("end")
    engine.deploy(builder)
    engine.instances.create("order")

    complete_all(engine, "charge")
    complete_all(engine, "reserve")

    assert [s.value.compensable_activity_id for s in subscriptions(engine, C.TRIGGERED)] == ["reserve"]


def test_the_subscriptions_go_with_the_process_instance(engine: TestEngine) -> None:
    builder = bpmn.process("kept").start_event()
    compensable(builder, "book")
    builder.end_event("end")
    engine.deploy(builder)
    instance = engine.instances.create("kept")

    complete_all(engine, "book")

    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
    assert len(subscriptions(engine, C.DELETED)) == 1
