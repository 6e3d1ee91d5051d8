"""SIGNAL BROADCAST: signal start events, catch events, boundary events and event subprocesses;
signal throw and end events broadcast with their input variables."""

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.intents import SignalIntent, SignalSubscriptionIntent
from strom.testing import TestEngine, bpmn


def completed(engine: TestEngine, key: int) -> bool:
    return engine.records.process_instances().with_key(key).with_intent(PI.ELEMENT_COMPLETED).exists()


def started(engine: TestEngine, process_id: str, limit: int = 5) -> list:
    return (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_element_id(process_id)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(limit)
    )


def test_a_broadcast_is_answered_with_the_signal(engine: TestEngine, broadcast) -> None:
    answer = broadcast("alarm", {"level": 3})

    assert answer.intent == SignalIntent.BROADCASTED
    assert answer.value.signal_name == "alarm"


def test_a_signal_start_event_starts_an_instance_per_broadcast(engine: TestEngine, broadcast) -> None:
    engine.deploy(bpmn.process("on_alarm").start_event("alarm").signal("alarm").end_event())
    subscription = engine.records.signal_subscriptions().with_intent(SignalSubscriptionIntent.CREATED).first()
    assert subscription.value.catch_event_instance_key == -1

    broadcast("alarm", {"level": 1})
    broadcast("alarm", {"level": 2})

    instances = started(engine, "on_alarm")
    assert len(instances) == 2
    levels = [
        engine.records.variables().with_name("level").with_value(scope_key=p.key).first().value.value
        for p in instances
    ]
    assert levels == ["1", "2"]


def test_a_signal_catch_event_waits_and_closes_its_subscription(engine: TestEngine, broadcast) -> None:
    engine.deploy(
        bpmn.process("waiting").start_event().intermediate_catch_event("wait").signal("go").end_event()
    )
    instance = engine.instances.create("waiting")

    broadcast("other")
    assert not completed(engine, instance)
    broadcast("go", {"ok": True})

    assert completed(engine, instance)
    assert engine.records.variables().with_name("ok").with_value(scope_key=instance).exists()
    # correlated like a message: the catch event leaves and closes its subscription
    assert engine.records.signal_subscriptions().with_intent(SignalSubscriptionIntent.DELETED).exists()


def test_a_signal_name_may_be_an_expression(engine: TestEngine, broadcast) -> None:
    engine.deploy(
        bpmn.process("waiting")
        .start_event()
        .intermediate_catch_event("wait")
        .signal('="go-" + region')
        .end_event()
    )
    instance = engine.instances.create("waiting", {"region": "eu"})

    broadcast("go-eu")

    assert completed(engine, instance)


def test_a_non_interrupting_signal_boundary_event(engine: TestEngine, broadcast) -> None:
    builder = bpmn.process("task").start_event().service_task("work", job_type="work").end_event()
    builder.boundary_event("pinged", attached_to="work", interrupting=False).signal("ping").end_event("pong")
    engine.deploy(builder)
    engine.instances.create("task")

    broadcast("ping")
    broadcast("ping")

    pongs = engine.records.process_instances().with_element_id("pong").with_intent(PI.ELEMENT_COMPLETED)
    assert len(pongs.limit(3)) == 2


def test_a_signal_throw_event_broadcasts_its_input_variables(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("thrower")
        .start_event()
        .intermediate_throw_event("throw")
        .signal("paid")
        .inputs({"doubled": "=amount * 2"})
        .end_event(),
        bpmn.process("catcher").start_event("on_paid").signal("paid").end_event(),
    )

    thrower = engine.instances.create("thrower", {"amount": 21})

    broadcast = engine.records.signals().with_intent(SignalIntent.BROADCAST).first()
    assert broadcast.value.variables == {"doubled": 42}
    [catcher] = started(engine, "catcher")
    assert engine.records.variables().with_name("doubled").with_value(scope_key=catcher.key).exists()
    assert completed(engine, thrower)


def test_a_signal_end_event_broadcasts(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("thrower").start_event().end_event("signal_end").signal("done"))

    instance = engine.instances.create("thrower")

    assert engine.records.signals().with_intent(SignalIntent.BROADCASTED).exists()
    assert completed(engine, instance)


def test_an_interrupting_signal_event_subprocess(engine: TestEngine, broadcast) -> None:
    builder = (
        bpmn.process("stoppable")
        .start_event()
        .service_task("work", job_type="work")
        .end_event()
        .event_sub_process("stop_handler")
        .start_event("on_stop")
        .signal("stop")
        .end_event("stopped")
        .end_sub_process()
    )
    engine.deploy(builder)
    instance = engine.instances.create("stoppable")

    broadcast("stop")

    assert (
        engine.records.process_instances().with_element_id("work").with_intent(PI.ELEMENT_TERMINATED).exists()
    )
    assert (
        engine.records.process_instances()
        .with_element_id("stopped")
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )
    assert completed(engine, instance)
    assert (
        not engine.records.signal_subscriptions().with_intent(SignalSubscriptionIntent.CREATED).limit(2)[1:]
    )
