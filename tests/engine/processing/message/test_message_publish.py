"""MESSAGE PUBLISH: buffering for the time to live, message ids, correlation to waiting catch
events (once per process), and message start events (one active instance per correlation key)."""

from datetime import timedelta

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import (
    IncidentIntent,
    MessageBatchIntent,
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
    VariableIntent,
)
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def waiting_for_message(process_id: str = "wait", correlation_key: str = "=key") -> bpmn.ProcessBuilder:
    return (
        bpmn.process(process_id)
        .start_event()
        .intermediate_catch_event("catch")
        .message("order-paid", correlation_key)
        .end_event("end")
    )


def completed(engine: TestEngine, process_instance_key: int) -> bool:
    return (
        engine.records.process_instances()
        .with_key(process_instance_key)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def test_publishing_answers_with_the_message_and_its_deadline(engine: TestEngine, publish) -> None:
    published = publish("order-paid", "order-1", {"total": 9}, ttl_ms=5_000)

    assert published.intent == MessageIntent.PUBLISHED
    assert published.value.deadline == published.timestamp + 5_000
    assert published.value.variables == {"total": 9}


def test_a_message_id_is_unique_while_the_message_is_buffered(engine: TestEngine, publish) -> None:
    publish("order-paid", "order-1", message_id="m-1", ttl_ms=10_000)

    rejection = publish("order-paid", "order-1", message_id="m-1", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.ALREADY_EXISTS
    assert rejection.rejection_reason == (
        "Expected to publish a new message with id 'm-1', but a message with that id was already published"
    )
    engine.advance_time(timedelta(seconds=11))
    assert publish("order-paid", "order-1", message_id="m-1").intent == MessageIntent.PUBLISHED


def test_the_same_message_id_with_another_correlation_key_is_another_message(
    engine: TestEngine, publish
) -> None:
    publish("order-paid", "order-1", message_id="m-1")

    assert publish("order-paid", "order-2", message_id="m-1").intent == MessageIntent.PUBLISHED


def test_a_message_without_time_to_live_expires_at_once(engine: TestEngine, publish) -> None:
    published = publish("order-paid", "order-1", ttl_ms=0)

    [expired] = engine.records.messages().with_intent(MessageIntent.EXPIRED).limit(1)
    assert expired.key == published.key
    assert expired.position == published.position + 1


def test_the_ttl_checker_expires_buffered_messages_in_a_batch(engine: TestEngine, publish) -> None:
    first = publish("order-paid", "order-1", ttl_ms=1_000)
    second = publish("order-paid", "order-2", ttl_ms=1_000)

    engine.advance_time(timedelta(seconds=1))

    [batch] = engine.records.of(ValueType.MESSAGE_BATCH).with_intent(MessageBatchIntent.EXPIRE).limit(1)
    assert batch.value.message_keys == [first.key, second.key]
    expired = engine.records.messages().with_intent(MessageIntent.EXPIRED).limit(3)
    assert [r.key for r in expired] == [first.key, second.key]


def test_a_buffered_message_correlates_to_a_subscription_opened_later(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message())
    publish("order-paid", "order-1", {"paid": True})

    instance = engine.instances.create("wait", {"key": "order-1"})

    assert completed(engine, instance)
    paid = engine.records.variables().with_name("paid").with_intent(VariableIntent.CREATED).first()
    assert paid.value.scope_key == instance


def test_an_expired_message_does_not_correlate(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message())
    publish("order-paid", "order-1", ttl_ms=1_000)
    engine.advance_time(timedelta(seconds=2))

    instance = engine.instances.create("wait", {"key": "order-1"})

    assert not completed(engine, instance)
    correlating = engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.CORRELATING)
    assert not correlating.exists()


def test_a_message_correlates_once_per_process(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message())
    first = engine.instances.create("wait", {"key": "order-1"})
    second = engine.instances.create("wait", {"key": "order-1"})

    publish("order-paid", "order-1")

    assert completed(engine, first)
    assert not completed(engine, second)
    publish("order-paid", "order-1")
    assert completed(engine, second)


def test_a_message_correlates_to_each_process_waiting_for_it(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message("shipping"), waiting_for_message("billing"))
    shipping = engine.instances.create("shipping", {"key": "order-1"})
    billing = engine.instances.create("billing", {"key": "order-1"})

    publish("order-paid", "order-1")

    assert completed(engine, shipping) and completed(engine, billing)


def test_a_buffered_message_correlates_once_to_each_later_instance_of_another_process(
    engine: TestEngine, publish
) -> None:
    engine.deploy(waiting_for_message())
    publish("order-paid", "order-1")
    first = engine.instances.create("wait", {"key": "order-1"})
    second = engine.instances.create("wait", {"key": "order-1"})

    assert completed(engine, first)
    assert not completed(engine, second)


def test_a_numeric_correlation_key_is_its_text(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message())
    instance = engine.instances.create("wait", {"key": 42})

    publish("order-paid", "42")

    assert completed(engine, instance)


def test_a_missing_correlation_key_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(waiting_for_message())
    instance = engine.instances.create("wait")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    assert incident.value.error_type == "EXTRACT_VALUE_ERROR"
    assert incident.value.error_message == (
        "Failed to extract the correlation key for 'key': The value must be either a string or a "
        "number, but was 'NULL'. The evaluation reported the following warnings:\n"
        "[NO_VARIABLE_FOUND] No variable found with name 'key'"
    )
    assert incident.value.process_instance_key == instance
    assert incident.value.element_id == "catch"


def test_resolving_the_correlation_key_incident_opens_the_subscription(engine: TestEngine, publish) -> None:
    engine.deploy(waiting_for_message())
    instance = engine.instances.create("wait")
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    engine.variables.set(instance, {"key": "order-1"})
    engine.incidents.resolve(incident.key)
    publish("order-paid", "order-1")

    assert completed(engine, instance)


# -- message start events ----------------------------------------------------------------------


def started_by_message(job_type: str = "handle") -> bpmn.ProcessBuilder:
    return (
        bpmn.process("start_by_message")
        .start_event("on_order")
        .message("order-placed")
        .service_task("handle", job_type=job_type)
        .end_event("end")
    )


def test_a_message_start_event_starts_an_instance_per_message(engine: TestEngine, publish) -> None:
    engine.deploy(started_by_message())

    publish("order-placed", "", {"order": 1})
    publish("order-placed", "", {"order": 2})

    starts = (
        engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION)
        .with_intent(MessageStartEventSubscriptionIntent.CORRELATED)
        .limit(3)
    )
    assert len(starts) == 2
    processes = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(3)
    )
    assert [p.key for p in processes] == [s.value.process_instance_key for s in starts]
    # the message's variables are the start event's, then its flow scope's
    for process, order in zip(processes, ("1", "2"), strict=True):
        variable = engine.records.variables().with_name("order").with_value(scope_key=process.key).first()
        assert variable.value.value == order


def test_the_start_event_is_activated_with_the_message(engine: TestEngine, publish) -> None:
    engine.deploy(started_by_message())

    publish("order-placed")

    lifecycle = [
        (r.value.element_id, PI(r.intent).name) for r in engine.records.process_instances().events().limit(6)
    ]
    assert lifecycle == [
        ("start_by_message", "ELEMENT_ACTIVATING"),
        ("start_by_message", "ELEMENT_ACTIVATED"),
        ("on_order", "ELEMENT_ACTIVATING"),
        ("on_order", "ELEMENT_ACTIVATED"),
        ("on_order", "ELEMENT_COMPLETING"),
        ("on_order", "ELEMENT_COMPLETED"),
    ]


def test_one_instance_per_correlation_key_is_active_at_a_time(engine: TestEngine, publish) -> None:
    engine.deploy(started_by_message())
    publish("order-placed", "customer-1", {"n": 1})
    publish("order-placed", "customer-1", {"n": 2})
    publish("order-placed", "customer-2", {"n": 3})

    def active() -> list:
        processes = engine.records.process_instances().with_element_type(BpmnElementType.PROCESS)
        return processes.with_intent(PI.ELEMENT_ACTIVATED).limit(5)

    assert len(active()) == 2

    [job] = engine.jobs.activate("handle", max_jobs=1)
    engine.jobs.complete(job.key)

    assert len(active()) == 3
    third = active()[2]
    n = engine.records.variables().with_name("n").with_value(scope_key=third.key).first()
    assert n.value.value == "2"


def test_a_new_version_replaces_the_message_start_subscription(engine: TestEngine, publish) -> None:
    engine.deploy(started_by_message())
    engine.deploy(started_by_message(job_type="handle-v2"))

    subscriptions = engine.records.of(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION).limit(4)
    assert [MessageStartEventSubscriptionIntent(r.intent).name for r in subscriptions] == [
        "CREATED",
        "DELETED",
        "CREATED",
    ]
    publish("order-placed")
    [process] = engine.records.process_instances().with_element_type(BpmnElementType.PROCESS).limit(1)
    assert process.value.version == 2
