"""The subscription handshake between the process instance's side (PROCESS_MESSAGE_SUBSCRIPTION)
and the message's side (MESSAGE_SUBSCRIPTION): opening, correlating and closing, each a
command addressed to the other side's partition."""

from strom.engine.processing.bpmn.behavior.subscription_commands import (
    partition_for_correlation_key,
    subscription_hash,
)
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import JobIntent, MessageSubscriptionIntent, ProcessMessageSubscriptionIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn

MS = ValueType.MESSAGE_SUBSCRIPTION
PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION


def _intents(engine: TestEngine, count: int) -> list[tuple[str, str, str]]:
    records = engine.records.all().where(lambda r: r.value_type in (MS, PMS)).limit(count)
    names = {MS: MessageSubscriptionIntent, PMS: ProcessMessageSubscriptionIntent}
    return [(r.record_type.name[0], r.value_type.name, names[r.value_type](r.intent).name) for r in records]


def task_with_message_boundary(interrupting: bool) -> bpmn.ProcessBuilder:
    builder = bpmn.process("boundary").start_event().service_task("task", job_type="work").end_event("done")
    builder.boundary_event("on_message", attached_to="task", interrupting=interrupting).message(
        "cancel-order", "=key"
    )
    return builder.end_event("after_message")


def test_opening_a_subscription_is_confirmed_by_the_message_side(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait")
        .start_event()
        .receive_task("receive", message="order-paid", correlation_key="=key")
        .end_event()
    )
    engine.instances.create("wait", {"key": "order-1"})

    assert _intents(engine, 5) == [
        ("E", "PROCESS_MESSAGE_SUBSCRIPTION", "CREATING"),
        ("C", "MESSAGE_SUBSCRIPTION", "CREATE"),
        ("E", "MESSAGE_SUBSCRIPTION", "CREATED"),
        ("C", "PROCESS_MESSAGE_SUBSCRIPTION", "CREATE"),
        ("E", "PROCESS_MESSAGE_SUBSCRIPTION", "CREATED"),
    ]
    created = (
        engine.records.process_message_subscriptions()
        .with_intent(ProcessMessageSubscriptionIntent.CREATED)
        .first()
    )
    assert (created.value.element_id, created.value.correlation_key) == ("receive", "order-1")


def test_a_correlation_goes_to_the_instance_and_is_acknowledged(engine: TestEngine, publish) -> None:
    engine.deploy(
        bpmn.process("wait")
        .start_event()
        .receive_task("receive", message="order-paid", correlation_key="=key")
        .end_event()
    )
    engine.instances.create("wait", {"key": "order-1"})

    publish("order-paid", "order-1", {"amount": 12})

    assert _intents(engine, 9)[5:] == [
        ("E", "MESSAGE_SUBSCRIPTION", "CORRELATING"),
        ("C", "PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATE"),
        ("E", "PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATED"),
        ("C", "MESSAGE_SUBSCRIPTION", "CORRELATE"),
    ]
    assert engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.CORRELATED).exists()
    receive = engine.records.process_instances().with_element_id("receive").with_intent(PI.ELEMENT_COMPLETED)
    assert receive.exists()
    # an interrupting subscription is done once correlated: nothing is closed afterwards
    assert (
        not engine.records.process_message_subscriptions()
        .with_intent(ProcessMessageSubscriptionIntent.DELETING)
        .exists()
    )


def test_a_leaving_element_closes_its_subscription(engine: TestEngine) -> None:
    engine.deploy(task_with_message_boundary(interrupting=True))
    instance = engine.instances.create("boundary", {"key": "order-1"})

    engine.instances.cancel(instance)

    assert _intents(engine, 10)[5:] == [
        ("E", "PROCESS_MESSAGE_SUBSCRIPTION", "DELETING"),
        ("C", "MESSAGE_SUBSCRIPTION", "DELETE"),
        ("E", "MESSAGE_SUBSCRIPTION", "DELETED"),
        ("C", "PROCESS_MESSAGE_SUBSCRIPTION", "DELETE"),
        ("E", "PROCESS_MESSAGE_SUBSCRIPTION", "DELETED"),
    ]


def test_an_interrupting_message_boundary_event_ends_the_task(engine: TestEngine, publish) -> None:
    engine.deploy(task_with_message_boundary(interrupting=True))
    instance = engine.instances.create("boundary", {"key": "order-1"})

    publish("order-paid-not-this-one", "order-1")
    publish("cancel-order", "order-1", {"reason": "late"})

    lifecycle = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("task", "on_message"))
        .limit(20)
    ]
    assert lifecycle[2:] == [
        ("task", "ELEMENT_TERMINATING"),
        ("task", "ELEMENT_TERMINATED"),
        ("on_message", "ELEMENT_ACTIVATING"),
        ("on_message", "ELEMENT_ACTIVATED"),
        ("on_message", "ELEMENT_COMPLETING"),
        ("on_message", "ELEMENT_COMPLETED"),
    ]
    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists()
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
    reason = engine.records.variables().with_name("reason").with_value(scope_key=instance).first()
    assert reason.value.value == '"late"'


def test_a_non_interrupting_message_boundary_event_correlates_each_message(
    engine: TestEngine, publish
) -> None:
    engine.deploy(task_with_message_boundary(interrupting=False))
    instance = engine.instances.create("boundary", {"key": "order-1"})

    publish("cancel-order", "order-1", {"n": 1})
    publish("cancel-order", "order-1", {"n": 2})

    boundaries = (
        engine.records.process_instances()
        .with_element_id("on_message")
        .with_intent(PI.ELEMENT_COMPLETED)
        .limit(3)
    )
    assert len(boundaries) == 2
    assert (
        not engine.records.process_instances()
        .with_element_id("task")
        .with_intent(PI.ELEMENT_TERMINATING)
        .exists()
    )
    [job] = engine.jobs.activate("work")
    engine.jobs.complete(job.key)
    assert engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.DELETED).exists()
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_message_buffered_before_a_non_interrupting_subscription_and_one_after_both_correlate(
    engine: TestEngine, publish
) -> None:
    engine.deploy(task_with_message_boundary(interrupting=False))
    publish("cancel-order", "order-1", {"n": 1})
    engine.instances.create("boundary", {"key": "order-1"})
    publish("cancel-order", "order-1", {"n": 2})

    boundaries = (
        engine.records.process_instances().with_element_id("on_message").with_intent(PI.ELEMENT_COMPLETED)
    )
    assert len(boundaries.limit(3)) == 2


def test_the_message_partition_is_zeebes_hash_of_the_correlation_key() -> None:
    assert subscription_hash("a") == 97
    assert subscription_hash("hello") == 99162322
    assert subscription_hash("polygenelubricants") == -(2**31)  # Integer.MIN_VALUE in Java
    assert subscription_hash("ü") == 31 * -61 + -68  # signed UTF-8 bytes, as Zeebe hashes them
    assert partition_for_correlation_key("hello", 3) == 99162322 % 3 + 1
    assert partition_for_correlation_key("polygenelubricants", 3) == 2**31 % 3 + 1
    assert {partition_for_correlation_key(f"key-{i}", 1) for i in range(20)} == {1}


def test_subscription_commands_are_commands_on_the_log(engine: TestEngine) -> None:
    engine.deploy(task_with_message_boundary(interrupting=True))
    engine.instances.create("boundary", {"key": "order-1"})

    create = engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.CREATE).first()

    assert create.record_type is RecordType.COMMAND
    assert create.partition_id == 1
