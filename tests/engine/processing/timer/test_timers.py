"""Timers: dates, durations and cycles (ISO 8601 repetitions and cron) on catch events, boundary
events, start events and event subprocesses, moved by time travel (never by sleeping)."""

from datetime import UTC, datetime, timedelta

import pytest

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.intents import IncidentIntent, JobIntent, MessageIntent, TimerIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn
from strom.testing._engine import DEFAULT_START

START = int(DEFAULT_START.timestamp() * 1000)
MINUTE = 60_000


def timer(builder: bpmn.ProcessBuilder, definition: tuple[str, str]) -> bpmn.ProcessBuilder:
    """The current event waits for ``(kind, value)``: ``("duration", "PT5M")``, ``("date", ...)``
    or ``("cycle", ...)``."""
    kind, value = definition
    return getattr(builder, f"timer_{kind}")(value)


def waiting(definition: tuple[str, str], process_id: str = "timer") -> bpmn.ProcessBuilder:
    return timer(
        bpmn.process(process_id).start_event().intermediate_catch_event("wait"), definition
    ).end_event("end")


def completed(engine: TestEngine, key: int) -> bool:
    return engine.records.process_instances().with_key(key).with_intent(PI.ELEMENT_COMPLETED).exists()


def element_count(engine: TestEngine, element_id: str, intent: PI, limit: int = 10) -> int:
    return len(
        engine.records.process_instances().with_element_id(element_id).with_intent(intent).limit(limit)
    )


def test_a_duration_timer_fires_when_its_time_comes(engine: TestEngine) -> None:
    engine.deploy(waiting(("duration", "PT5M")))
    instance = engine.instances.create("timer")

    created = engine.records.timers().with_intent(TimerIntent.CREATED).first()
    assert created.value.due_date == START + 5 * MINUTE
    assert (created.value.target_element_id, created.value.repetitions) == ("wait", 1)

    engine.advance_time(timedelta(minutes=4))
    assert not completed(engine, instance)
    engine.advance_time(timedelta(minutes=1))

    trigger = engine.records.timers().with_intent(TimerIntent.TRIGGER).first()
    assert trigger.record_type is RecordType.COMMAND and trigger.key == created.key
    assert engine.records.timers().with_intent(TimerIntent.TRIGGERED).exists()
    assert completed(engine, instance)


def test_a_date_timer_fires_at_its_date(engine: TestEngine) -> None:
    engine.deploy(waiting(("date", "2026-01-01T02:00:00Z")))
    instance = engine.instances.create("timer")

    engine.advance_time(timedelta(hours=1, minutes=59))
    assert not completed(engine, instance)
    engine.advance_time(timedelta(minutes=1))
    assert completed(engine, instance)


def test_a_date_in_the_past_fires_at_once(engine: TestEngine) -> None:
    engine.deploy(waiting(("date", "2020-01-01T00:00:00Z")))
    instance = engine.instances.create("timer")

    engine.advance_time(0)

    assert completed(engine, instance)


def test_a_feel_timer_is_evaluated_when_the_event_activates(engine: TestEngine) -> None:
    engine.deploy(waiting(("duration", "=delay")))
    engine.instances.create("timer", {"delay": "PT30S"})

    created = engine.records.timers().with_intent(TimerIntent.CREATED).first()

    assert created.value.due_date == START + 30_000


def test_a_feel_timer_may_be_a_duration_value(engine: TestEngine) -> None:
    engine.deploy(waiting(("duration", '=duration("PT" + string(n) + "M")')))
    engine.instances.create("timer", {"n": 3})

    assert (
        engine.records.timers().with_intent(TimerIntent.CREATED).first().value.due_date == START + 3 * MINUTE
    )


def test_a_timer_that_is_no_timer_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(waiting(("duration", "=delay")))
    engine.instances.create("timer", {"delay": "soon"})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    assert incident.value.error_type == "EXTRACT_VALUE_ERROR"
    assert incident.value.element_id == "wait"
    assert "soon" in incident.value.error_message


def task_with_timer(definition: tuple[str, str], *, interrupting: bool) -> bpmn.ProcessBuilder:
    builder = bpmn.process("boundary").start_event().service_task("task", job_type="work").end_event("done")
    builder.boundary_event("on_time", attached_to="task", interrupting=interrupting)
    return timer(builder, definition).end_event("late")


def test_an_interrupting_timer_boundary_event_ends_the_task(engine: TestEngine) -> None:
    engine.deploy(task_with_timer(("duration", "PT1H"), interrupting=True))
    instance = engine.instances.create("boundary")

    engine.advance_time(timedelta(hours=1))

    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists()
    assert element_count(engine, "on_time", PI.ELEMENT_COMPLETED) == 1
    assert element_count(engine, "late", PI.ELEMENT_COMPLETED) == 1
    assert completed(engine, instance)


def test_a_non_interrupting_cycle_fires_its_repetitions_while_the_task_runs(engine: TestEngine) -> None:
    engine.deploy(task_with_timer(("cycle", "R3/PT10M"), interrupting=False))
    engine.instances.create("boundary")

    for _ in range(5):
        engine.advance_time(timedelta(minutes=10))

    assert element_count(engine, "on_time", PI.ELEMENT_COMPLETED) == 3
    created = engine.records.timers().with_intent(TimerIntent.CREATED).limit(5)
    assert [(t.value.due_date - START) // MINUTE for t in created] == [10, 20, 30]
    assert [t.value.repetitions for t in created] == [3, 2, 1]
    assert not engine.records.jobs().with_intent(JobIntent.CANCELED).exists()


def test_a_cycle_without_count_repeats_until_the_task_completes(engine: TestEngine) -> None:
    engine.deploy(task_with_timer(("cycle", "R/PT10M"), interrupting=False))
    instance = engine.instances.create("boundary")
    engine.advance_time(timedelta(minutes=10))
    engine.advance_time(timedelta(minutes=10))

    [job] = engine.jobs.activate("work")
    engine.jobs.complete(job.key)

    assert element_count(engine, "on_time", PI.ELEMENT_COMPLETED) == 2
    canceled = engine.records.timers().with_intent(TimerIntent.CANCELED).first()
    assert canceled.value.repetitions == -1
    assert completed(engine, instance)
    engine.advance_time(timedelta(hours=1))
    assert element_count(engine, "on_time", PI.ELEMENT_COMPLETED) == 2


def test_a_timer_is_canceled_with_its_scope(engine: TestEngine) -> None:
    engine.deploy(task_with_timer(("duration", "PT1H"), interrupting=True))
    instance = engine.instances.create("boundary")

    engine.instances.cancel(instance)
    engine.advance_time(timedelta(hours=2))

    assert engine.records.timers().with_intent(TimerIntent.CANCELED).exists()
    assert not engine.records.timers().with_intent(TimerIntent.TRIGGER).exists()


def test_a_late_trigger_for_a_canceled_timer_is_rejected(engine: TestEngine) -> None:
    engine.deploy(task_with_timer(("duration", "PT1H"), interrupting=True))
    instance = engine.instances.create("boundary")
    timer = engine.records.timers().with_intent(TimerIntent.CREATED).first()
    engine.instances.cancel(instance)

    rejection = engine.send(timer.value, TimerIntent.TRIGGER, timer.key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert (
        rejection.rejection_reason
        == f"Expected to trigger timer with key '{timer.key}', but no such timer was found"
    )


# -- timer start events ------------------------------------------------------------------------


def started_by_timer(definition: tuple[str, str]) -> bpmn.ProcessBuilder:
    return timer(bpmn.process("scheduled").start_event("tick"), definition).end_event("end")


def started(engine: TestEngine, limit: int = 10) -> list:
    return (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(limit)
    )


def test_a_timer_start_event_cycle_starts_an_instance_per_repetition(engine: TestEngine) -> None:
    engine.deploy(started_by_timer(("cycle", "R2/PT1H")))

    engine.advance_time(timedelta(hours=1))
    assert len(started(engine)) == 1
    engine.advance_time(timedelta(hours=1))
    engine.advance_time(timedelta(hours=1))

    assert len(started(engine)) == 2
    triggered = engine.records.timers().with_intent(TimerIntent.TRIGGERED).limit(3)
    assert [t.value.process_instance_key for t in triggered] == [p.key for p in started(engine)]
    assert [t.value.element_instance_key for t in triggered] == [-1, -1]


def test_a_cron_start_event_fires_at_every_match(engine: TestEngine) -> None:
    engine.deploy(started_by_timer(("cycle", "0 0 * * * *")))
    first = engine.records.timers().with_intent(TimerIntent.CREATED).first()
    assert datetime.fromtimestamp(first.value.due_date / 1000, UTC) == datetime(2026, 1, 1, 1, tzinfo=UTC)

    for _ in range(3):
        engine.advance_time(timedelta(hours=1))

    assert len(started(engine)) == 3


def test_a_repeating_timer_that_fired_late_skips_the_missed_repetitions(engine: TestEngine) -> None:
    engine.deploy(started_by_timer(("cycle", "R/PT1H")))

    engine.advance_time(timedelta(hours=3, minutes=30))

    assert len(started(engine)) == 1
    created = engine.records.timers().with_intent(TimerIntent.CREATED).limit(2)
    assert (created[1].value.due_date - START) // MINUTE == 4 * 60


def test_a_date_start_event_starts_one_instance(engine: TestEngine) -> None:
    engine.deploy(started_by_timer(("date", "2026-01-02T00:00:00Z")))

    engine.advance_time(timedelta(days=2))

    [process] = started(engine)
    start = (
        engine.records.process_instances().with_element_id("tick").with_intent(PI.ELEMENT_COMPLETED).first()
    )
    assert start.value.process_instance_key == process.key


def test_a_new_version_cancels_the_timer_of_the_previous_one(engine: TestEngine) -> None:
    engine.deploy(started_by_timer(("cycle", "R/PT1H")))
    engine.deploy(bpmn.process("scheduled").start_event("tick").timer_cycle("R/PT2H").end_event("end2"))

    assert engine.records.timers().with_intent(TimerIntent.CANCELED).exists()
    engine.advance_time(timedelta(hours=2))
    [process] = started(engine)
    assert process.value.version == 2


# -- event subprocesses ------------------------------------------------------------------------


@pytest.mark.parametrize("interrupting", [False, True])
def test_a_timer_event_subprocess(engine: TestEngine, interrupting: bool) -> None:
    builder = bpmn.process("reminders").start_event().service_task("task", job_type="work").end_event("end")
    (
        builder.event_sub_process("reminder")
        .start_event("remind", interrupting=interrupting)
        .timer_duration("PT1H")
        .service_task("send_reminder", job_type="remind")
        .end_event("reminded")
        .end_sub_process()
    )
    engine.deploy(builder)
    instance = engine.instances.create("reminders")

    engine.advance_time(timedelta(hours=1))

    assert element_count(engine, "reminder", PI.ELEMENT_ACTIVATED) == 1
    assert engine.records.jobs().with_type("remind").with_intent(JobIntent.CREATED).exists()
    assert engine.records.jobs().with_type("work").with_intent(JobIntent.CANCELED).exists() is interrupting
    [reminder] = engine.jobs.activate("remind")
    engine.jobs.complete(reminder.key)
    assert completed(engine, instance) is interrupting


def test_a_timer_survives_a_restart(engine: TestEngine) -> None:
    engine.deploy(waiting(("duration", "PT5M")))
    instance = engine.instances.create("timer")

    engine.restart()
    engine.advance_time(timedelta(minutes=5))

    assert completed(engine, instance)


def test_a_buffered_message_expires_after_a_restart(engine: TestEngine, publish) -> None:
    published = publish("order-paid", "order-1", ttl_ms=60_000)

    engine.restart()
    engine.advance_time(timedelta(minutes=1))

    expired = engine.records.messages().with_intent(MessageIntent.EXPIRED).first()
    assert expired.key == published.key
