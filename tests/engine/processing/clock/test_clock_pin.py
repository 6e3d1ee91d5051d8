"""CLOCK PIN / RESET: the partition's clock stops at a pinned time (records carry it, due timers
fire by it), survives a restart, reaches every partition, and follows real time again on RESET."""

from __future__ import annotations

from datetime import timedelta

import pytest

from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import ClockIntent, ProcessInstanceCreationIntent, TimerIntent
from strom.protocol.values.clock import ClockRecordValue
from strom.testing import TestEngine, bpmn

HOUR_MS = 3_600_000


def _pin(engine: TestEngine, millis: int) -> None:
    engine.send(ClockRecordValue(time=millis), ClockIntent.PIN)


def test_records_carry_the_pinned_time_however_the_clock_moves(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    pinned_at = engine.clock.now_millis() + 5 * HOUR_MS

    pinned = engine.send(ClockRecordValue(time=pinned_at), ClockIntent.PIN)
    engine.advance_time(timedelta(minutes=10))
    engine.instances.create("order")

    assert pinned.intent == ClockIntent.PINNED and pinned.value.time == pinned_at
    created = engine.records.creations().with_intent(ProcessInstanceCreationIntent.CREATED).first()
    assert created.timestamp == pinned_at


def test_pinning_past_a_timer_s_due_date_fires_it(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait").start_event().intermediate_catch_event("hour").timer_duration("PT1H").end_event()
    )
    engine.instances.create("wait")

    _pin(engine, engine.clock.now_millis() + 2 * HOUR_MS)
    engine.run()

    assert engine.records.timers().with_intent(TimerIntent.TRIGGERED).exists()


def test_reset_follows_the_clock_again(engine: TestEngine) -> None:
    _pin(engine, engine.clock.now_millis() + HOUR_MS)

    reset = engine.send(ClockRecordValue(), ClockIntent.RESET)
    engine.advance_time(timedelta(seconds=30))
    after = engine.send(ClockRecordValue(), ClockIntent.RESET)

    assert reset.intent == ClockIntent.RESETTED
    assert after.timestamp == engine.clock.now_millis()


def test_a_negative_time_is_refused(engine: TestEngine) -> None:
    rejection = engine.send(ClockRecordValue(time=-5), ClockIntent.PIN, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "'-5'" in rejection.rejection_reason


def test_a_restarted_partition_keeps_its_clock_pinned(engine: TestEngine) -> None:
    pinned_at = engine.clock.now_millis() + HOUR_MS
    _pin(engine, pinned_at)

    engine.restart()
    engine.advance_time(timedelta(minutes=5))
    answer = engine.send(ClockRecordValue(), ClockIntent.RESET)

    assert answer.timestamp == pinned_at


@pytest.mark.partitions(3)
def test_a_pin_reaches_every_partition(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("task", job_type="work").end_event())
    pinned_at = engine.clock.now_millis() + HOUR_MS

    _pin(engine, pinned_at)
    for _ in range(3):
        engine.instances.create("order")

    created = engine.records.creations().with_intent(ProcessInstanceCreationIntent.CREATED).limit(3)
    assert {record.partition_id for record in created} == {1, 2, 3}
    assert {record.timestamp for record in created} == {pinned_at}
    assert len(engine.records.of(ValueType.CLOCK).with_intent(ClockIntent.PINNED).limit(3)) == 3
