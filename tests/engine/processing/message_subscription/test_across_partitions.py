"""The message subscription handshake between partitions: an instance on one partition, its
message on the partition of the correlation key's hash; lost commands are sent again."""

from __future__ import annotations

import pytest

from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.protocol.intents import MessageSubscriptionIntent, ProcessMessageSubscriptionIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.keys import partition_of
from strom.testing import TestEngine, bpmn

pytestmark = pytest.mark.partitions(3)


def receive_process() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("wait")
        .start_event()
        .receive_task("receive", message="order-paid", correlation_key="=key")
        .end_event("done")
    )


def instance_elsewhere(engine: TestEngine, correlation_key: str) -> int:
    """An instance waiting for ``correlation_key`` on another partition than the message's (one
    that round robin put on the message's partition is canceled)."""
    message_partition = partition_for_correlation_key(correlation_key, 3)
    for _ in range(3):
        key = engine.instances.create("wait", {"key": correlation_key})
        if partition_of(key) != message_partition:
            return key
        engine.instances.cancel(key)
    raise AssertionError("round robin never left the message's partition")


def completed(engine: TestEngine, instance_key: int) -> bool:
    return (
        engine.records.process_instances().with_key(instance_key).with_intent(PI.ELEMENT_COMPLETED).exists()
    )


def test_a_message_published_after_the_subscription_reaches_an_instance_on_another_partition(
    engine: TestEngine, publish
) -> None:
    engine.deploy(receive_process())
    instance = instance_elsewhere(engine, "order-1")

    publish("order-paid", "order-1", {"paid": True})

    assert completed(engine, instance)
    created = (
        engine.records.message_subscriptions()
        .with_intent(MessageSubscriptionIntent.CREATED)
        .where(
            lambda r: (
                r.value.element_instance_key > 0
                and partition_of(r.value.process_instance_key) == partition_of(instance)
            )
        )
        .first()
    )
    assert created.partition_id == partition_for_correlation_key("order-1", 3) != partition_of(instance)


def test_a_message_published_before_the_subscription_reaches_an_instance_on_another_partition(
    engine: TestEngine, publish
) -> None:
    engine.deploy(receive_process())
    publish("order-paid", "order-2", {"paid": True})

    instance = instance_elsewhere(engine, "order-2")

    assert completed(engine, instance)


def test_lost_handshake_commands_are_sent_again(engine: TestEngine, publish) -> None:
    engine.deploy(receive_process())
    engine.transport.hold()
    instance = instance_elsewhere(engine, "order-3")
    assert engine.transport.drop(), "the subscription's CREATE went to the message's partition"

    engine.advance_time(11)  # the process side sends MESSAGE_SUBSCRIPTION CREATE again
    assert (
        engine.records.process_message_subscriptions()
        .with_intent(ProcessMessageSubscriptionIntent.CREATED)
        .exists()
    )
    engine.transport.hold()
    publish("order-paid", "order-3")
    assert engine.transport.drop(), "the CORRELATE went to the instance's partition"
    assert not completed(engine, instance)

    engine.advance_time(11)  # within two resend intervals the message side sends
    engine.advance_time(11)  # PROCESS_MESSAGE_SUBSCRIPTION CORRELATE again

    assert completed(engine, instance)


def test_a_handshake_in_flight_survives_a_restart_of_the_waiting_side(engine: TestEngine) -> None:
    engine.deploy(receive_process())
    engine.transport.hold()
    instance = instance_elsewhere(engine, "order-4")
    engine.transport.drop()

    engine.restart_partition(partition_of(instance))  # the pending CREATE is found in the state
    engine.run()

    assert (
        engine.records.process_message_subscriptions()
        .with_intent(ProcessMessageSubscriptionIntent.CREATED)
        .exists()
    )
