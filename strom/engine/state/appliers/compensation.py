"""Appliers for COMPENSATION_SUBSCRIPTION events."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.compensation import CompensationSubscription
from strom.protocol.enums import ValueType
from strom.protocol.intents import CompensationSubscriptionIntent
from strom.protocol.record import Record


class CompensationSubscriptionCreatedV1:
    """Stores the subscription of a completed compensable activity as the record has it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(CompensationSubscription(record.key, record.value))


class CompensationSubscriptionTriggeredV1:
    """Stores the subscription as the record has it: with the throw event and the handler
    instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(CompensationSubscription(record.key, record.value))


class CompensationSubscriptionCompletedV1:
    """The activity was compensated: the subscription is gone."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.key, record.value)


class CompensationSubscriptionDeletedV1:
    """The activity can no longer be compensated: the subscription is gone."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.key, record.value)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    comp = ValueType.COMPENSATION_SUBSCRIPTION
    intents = CompensationSubscriptionIntent
    appliers.register(comp, intents.CREATED, CompensationSubscriptionCreatedV1(state))
    appliers.register(comp, intents.TRIGGERED, CompensationSubscriptionTriggeredV1(state))
    appliers.register(comp, intents.COMPLETED, CompensationSubscriptionCompletedV1(state))
    appliers.register(comp, intents.DELETED, CompensationSubscriptionDeletedV1(state))
