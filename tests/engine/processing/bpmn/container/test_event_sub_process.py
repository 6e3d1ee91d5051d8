"""Event subprocesses: message-started, interrupting or not, at the process level and inside
subprocesses; an interrupting one terminates the scope's other children first."""

import pytest

from strom.protocol.enums import ValueType
from strom.protocol.intents import JobIntent, MessageSubscriptionIntent, ProcessEventIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def with_message_handler(*, interrupting: bool) -> bpmn.ProcessBuilder:
    return (
        bpmn.process("order")
        .start_event()
        .service_task("work", job_type="work")
        .end_event("done")
        .event_sub_process("cancel_handler")
        .start_event("on_cancel", interrupting=interrupting)
        .message("cancel", "=key")
        .service_task("undo", job_type="undo")
        .end_event("undone")
        .end_sub_process()
    )


def test_an_interrupting_event_subprocess_replaces_the_process_flow(engine: TestEngine, publish) -> None:
    engine.deploy(with_message_handler(interrupting=True))
    instance = engine.instances.create("order", {"key": "o-1"})

    publish("cancel", "o-1", {"reason": "changed mind"})

    events = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("work", "cancel_handler", "on_cancel"))
        .limit(20)
    ]
    assert events[2:] == [
        ("work", "ELEMENT_TERMINATING"),
        ("work", "ELEMENT_TERMINATED"),
        ("cancel_handler", "ELEMENT_ACTIVATING"),
        ("cancel_handler", "ELEMENT_ACTIVATED"),
        ("on_cancel", "ELEMENT_ACTIVATING"),
        ("on_cancel", "ELEMENT_ACTIVATED"),
        ("on_cancel", "ELEMENT_COMPLETING"),
        ("on_cancel", "ELEMENT_COMPLETED"),
    ]
    # the message's variables are the start event's, then propagated (a new one to the root scope)
    start = engine.records.process_instances().with_element_id("on_cancel").first()
    scopes = [r.value.scope_key for r in engine.records.variables().with_name("reason").limit(3)]
    assert scopes == [start.key, instance]
    [undo] = engine.jobs.activate("undo")
    engine.jobs.complete(undo.key)
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_non_interrupting_event_subprocess_runs_beside_the_process_flow(
    engine: TestEngine, publish
) -> None:
    engine.deploy(with_message_handler(interrupting=False))
    instance = engine.instances.create("order", {"key": "o-1"})

    publish("cancel", "o-1")
    publish("cancel", "o-1")

    assert len(engine.jobs.activate("undo")) == 2
    assert not engine.records.jobs().with_intent(JobIntent.CANCELED).exists()
    for job in engine.jobs.activate("work"):
        engine.jobs.complete(job.key)
    assert (
        not engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
    )


def test_the_trigger_is_consumed_by_the_start_event(engine: TestEngine, publish) -> None:
    engine.deploy(with_message_handler(interrupting=True))
    engine.instances.create("order", {"key": "o-1"})

    publish("cancel", "o-1")

    events = engine.records.of(ValueType.PROCESS_EVENT)
    triggering = events.with_intent(ProcessEventIntent.TRIGGERING).first()
    triggered = events.with_key(triggering.key)
    assert [ProcessEventIntent(r.intent).name for r in triggered.limit(3)] == ["TRIGGERING", "TRIGGERED"]


def test_an_interrupting_trigger_closes_the_other_event_subprocess_subscriptions(
    engine: TestEngine, publish
) -> None:
    builder = with_message_handler(interrupting=True)
    builder.event_sub_process("pause_handler").start_event("on_pause", interrupting=False)
    builder.message("pause", "=key").end_event("paused").end_sub_process()
    engine.deploy(builder)
    engine.instances.create("order", {"key": "o-1"})

    publish("cancel", "o-1")
    publish("pause", "o-1")

    deleted = engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.DELETED).first()
    assert deleted.value.message_name == "pause"
    assert not engine.records.process_instances().with_element_id("pause_handler").exists()


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_event_subprocess_inside_a_subprocess(engine: TestEngine, publish, interrupting: bool) -> None:
    inside = (
        bpmn.process("x")
        .start_event("inner_start")
        .service_task("work", job_type="work")
        .end_event("inner_end")
    )
    inside.event_sub_process("handler").start_event("on_cancel", interrupting=interrupting)
    inside.message("cancel", "=key").end_event("handled").end_sub_process()
    builder = bpmn.process("outer").start_event().sub_process("sub", content=inside).end_event("done")
    engine.deploy(builder)
    instance = engine.instances.create("outer", {"key": "o-1"})

    publish("cancel", "o-1")

    sub = engine.records.process_instances().with_element_id("sub").first()
    handled = (
        engine.records.process_instances()
        .with_element_id("handler")
        .with_intent(PI.ELEMENT_COMPLETED)
        .first()
    )
    assert handled.value.flow_scope_key == sub.key
    assert engine.records.process_instances().with_key(instance).with_intent(
        PI.ELEMENT_COMPLETED
    ).exists() is (interrupting)
