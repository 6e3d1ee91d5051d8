"""Event-based gateway: the first of the following events wins, the others are cancelled."""

from datetime import timedelta

from strom.protocol.intents import MessageSubscriptionIntent, TimerIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def race() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("race")
        .start_event()
        .event_based_gateway("gateway")
        .intermediate_catch_event("paid")
        .message("payment", "=key")
        .end_event("on_paid")
        .move_to("gateway")
        .intermediate_catch_event("too_late")
        .timer_duration("PT1H")
        .end_event("on_timeout")
    )


def test_the_first_event_wins_and_the_others_are_cancelled(engine: TestEngine, publish) -> None:
    engine.deploy(race())
    instance = engine.instances.create("race", {"key": "order-1"})

    publish("payment", "order-1", {"amount": 5})

    events = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("gateway", "paid", "too_late"))
        .limit(20)
    ]
    assert events == [
        ("gateway", "ELEMENT_ACTIVATING"),
        ("gateway", "ELEMENT_ACTIVATED"),
        ("gateway", "ELEMENT_COMPLETING"),
        ("gateway", "ELEMENT_COMPLETED"),
        ("paid", "ELEMENT_ACTIVATING"),
        ("paid", "ELEMENT_ACTIVATED"),
        ("paid", "ELEMENT_COMPLETING"),
        ("paid", "ELEMENT_COMPLETED"),
    ]
    assert engine.records.timers().with_intent(TimerIntent.CANCELED).exists()
    taken = engine.records.process_instances().with_intent(PI.SEQUENCE_FLOW_TAKEN).limit(10)
    assert "flow_gateway_paid" not in [r.value.element_id for r in taken]
    amount = engine.records.variables().with_name("amount").with_value(scope_key=instance).first()
    assert amount.value.value == "5"
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_timer_may_win(engine: TestEngine, publish) -> None:
    engine.deploy(race())
    engine.instances.create("race", {"key": "order-1"})

    engine.advance_time(timedelta(hours=1))
    publish("payment", "order-1")

    assert (
        engine.records.process_instances()
        .with_element_id("on_timeout")
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )
    assert not engine.records.process_instances().with_element_id("on_paid").exists()
    assert engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.DELETED).exists()
