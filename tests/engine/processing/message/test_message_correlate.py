"""MESSAGE_CORRELATION CORRELATE: publish and correlate at once, answering with the instance the
message reached; a message nothing waits for is NOT_FOUND and leaves nothing behind."""

from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import MessageCorrelationIntent, MessageIntent, MessageSubscriptionIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.message import MessageCorrelationRecordValue
from strom.testing import TestEngine, bpmn


def _correlate(engine: TestEngine, name: str, key: str, expect_rejection: bool = False, **variables: object):
    value = MessageCorrelationRecordValue(name=name, correlation_key=key, variables=dict(variables))
    return engine.send(value, MessageCorrelationIntent.CORRELATE, expect_rejection=expect_rejection)


def test_a_correlated_message_answers_with_the_waiting_instance_and_moves_it_on(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait")
        .start_event()
        .intermediate_catch_event("catch")
        .message("order-paid", "=orderId")
        .end_event("end")
    )
    instance = engine.instances.create("wait", {"orderId": "o-1"})

    answer = _correlate(engine, "order-paid", "o-1", total=9)

    assert answer.intent == MessageCorrelationIntent.CORRELATED
    assert answer.value.process_instance_key == instance
    assert answer.value.message_key > 0
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
    assert engine.records.message_subscriptions().with_intent(MessageSubscriptionIntent.CORRELATED).exists()
    expired = engine.records.of(ValueType.MESSAGE).with_intent(MessageIntent.EXPIRED).limit(1)
    assert [r.key for r in expired] == [answer.value.message_key]  # never buffered


def test_a_correlated_message_can_start_an_instance(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("started").start_event("start").message("go").end_event())

    answer = _correlate(engine, "go", "")

    started = (
        engine.records.process_instances()
        .with_intent(PI.ELEMENT_ACTIVATED)
        .with_value(bpmn_process_id="started", bpmn_element_type="PROCESS")
        .first()
    )
    assert answer.value.process_instance_key == started.key


def test_a_message_nothing_waits_for_is_not_found_and_writes_nothing(engine: TestEngine) -> None:
    rejection = _correlate(engine, "nobody-waits", "k-1", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to find subscription for message with name 'nobody-waits' and correlation key 'k-1', "
        "but none was found."
    )
    assert not engine.records.of(ValueType.MESSAGE).exists()
