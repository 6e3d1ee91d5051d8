"""Appliers for MESSAGE, MESSAGE_SUBSCRIPTION, PROCESS_MESSAGE_SUBSCRIPTION and
MESSAGE_START_EVENT_SUBSCRIPTION events."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.message import StartLock
from strom.engine.state.message_subscription import MessageSubscription
from strom.engine.state.process_message_subscription import ProcessMessageSubscription, SubscriptionStatus
from strom.engine.state.start_event_subscription import MessageStartEventSubscription
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    MessageCorrelationIntent,
    MessageIntent,
    MessageStartEventSubscriptionIntent,
    MessageSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
)
from strom.protocol.record import Record

_replace = msgspec.structs.replace


class MessagePublishedV1:
    """Buffers the message (with its deadline) until it expires."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        self._messages.put(record.key, record.value)


class MessageExpiredV1:
    """Drops the message, its id and its correlation marks."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        self._messages.remove(record.key)


# -- MESSAGE_SUBSCRIPTION (the message's partition) -------------------------------------------


class MessageSubscriptionCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(MessageSubscription(record.key, record.value))


class MessageSubscriptionCorrelatingV1:
    """The subscription carries the message to its process instance; the message is marked as
    correlated to that process so it does not correlate to it twice."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_subscriptions
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._subscriptions.put(MessageSubscription(record.key, value, correlating=True))
        self._messages.put_correlation(value.message_key, value.bpmn_process_id)


class MessageSubscriptionCorrelatedV1:
    """The process instance took the message: an interrupting subscription is done, a
    non-interrupting one waits for the next message."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is None:
            return
        if subscription.record.interrupting:
            self._subscriptions.remove(value.element_instance_key, value.message_name)
        else:
            self._subscriptions.put(_replace(subscription, correlating=False))


class MessageSubscriptionRejectedV1:
    """The process instance could not take the message: it may correlate to the process again."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        self._messages.remove_correlation(record.value.message_key, record.value.bpmn_process_id)


class MessageSubscriptionDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.value.element_instance_key, record.value.message_name)


# -- PROCESS_MESSAGE_SUBSCRIPTION (the process instance's partition) --------------------------


class ProcessMessageSubscriptionCreatingV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(
            ProcessMessageSubscription(record.key, record.value, SubscriptionStatus.CREATING)
        )


class ProcessMessageSubscriptionCreatedV1:
    """The message partition confirmed the subscription: it is open."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is not None:
            self._subscriptions.put(_replace(subscription, status=int(SubscriptionStatus.CREATED)))


class ProcessMessageSubscriptionDeletingV1:
    """The subscription is closing (the message partition is told to delete its side)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is not None:
            self._subscriptions.put(_replace(subscription, status=int(SubscriptionStatus.DELETING)))


class ProcessMessageSubscriptionCorrelatedV1:
    """An interrupting subscription is done; a non-interrupting one stays open and remembers the
    last message it took (a message is taken once)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        if value.interrupting:
            self._subscriptions.remove(value.element_instance_key, value.message_name)
            return
        subscription = self._subscriptions.get(value.element_instance_key, value.message_name)
        if subscription is not None:
            self._subscriptions.put(
                _replace(
                    subscription,
                    record=_replace(subscription.record, message_key=value.message_key),
                    status=SubscriptionStatus.CREATED,
                )
            )


class ProcessMessageSubscriptionDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.value.element_instance_key, record.value.message_name)


# -- MESSAGE_START_EVENT_SUBSCRIPTION ----------------------------------------------------------


class MessageStartEventSubscriptionCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_start_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(MessageStartEventSubscription(record.key, record.value))


class MessageStartEventSubscriptionDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_start_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.value)


class MessageStartEventSubscriptionCorrelatedV1:
    """The message started an instance: it is correlated to the process, and with a correlation
    key the new instance holds the process's lock on that key until it ends."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._messages.put_correlation(value.message_key, value.bpmn_process_id)
        if value.correlation_key:
            self._messages.lock_start(
                value.process_instance_key,
                StartLock(value.tenant_id, value.bpmn_process_id, value.correlation_key),
            )


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    message = ValueType.MESSAGE
    appliers.register(message, MessageIntent.PUBLISHED, MessagePublishedV1(state))
    appliers.register(message, MessageIntent.EXPIRED, MessageExpiredV1(state))
    appliers.register(
        ValueType.MESSAGE_CORRELATION,
        MessageCorrelationIntent.CORRELATED,
        NoStateChange("the message's own PUBLISHED, subscription and EXPIRED events carry the correlation"),
    )

    ms = ValueType.MESSAGE_SUBSCRIPTION
    appliers.register(ms, MessageSubscriptionIntent.CREATED, MessageSubscriptionCreatedV1(state))
    appliers.register(ms, MessageSubscriptionIntent.CORRELATING, MessageSubscriptionCorrelatingV1(state))
    appliers.register(ms, MessageSubscriptionIntent.CORRELATED, MessageSubscriptionCorrelatedV1(state))
    appliers.register(ms, MessageSubscriptionIntent.REJECTED, MessageSubscriptionRejectedV1(state))
    appliers.register(ms, MessageSubscriptionIntent.DELETED, MessageSubscriptionDeletedV1(state))

    pms = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
    pmsi = ProcessMessageSubscriptionIntent
    appliers.register(pms, pmsi.CREATING, ProcessMessageSubscriptionCreatingV1(state))
    appliers.register(pms, pmsi.CREATED, ProcessMessageSubscriptionCreatedV1(state))
    appliers.register(pms, pmsi.DELETING, ProcessMessageSubscriptionDeletingV1(state))
    appliers.register(pms, pmsi.CORRELATED, ProcessMessageSubscriptionCorrelatedV1(state))
    appliers.register(pms, pmsi.DELETED, ProcessMessageSubscriptionDeletedV1(state))

    mses = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION
    msesi = MessageStartEventSubscriptionIntent
    appliers.register(mses, msesi.CREATED, MessageStartEventSubscriptionCreatedV1(state))
    appliers.register(mses, msesi.DELETED, MessageStartEventSubscriptionDeletedV1(state))
    appliers.register(mses, msesi.CORRELATED, MessageStartEventSubscriptionCorrelatedV1(state))
