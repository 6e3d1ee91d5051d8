"""Appliers for COMPENSATION_SUBSCRIPTION events."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.compensation import CompensationSubscription
from strom.protocol.enums import ValueType
from strom.protocol.intents import CompensationSubscriptionIntent
from strom.protocol.record import Record


class CompensationSubscriptionStoredV1:
    """CREATED and TRIGGERED: the subscription as the record has it (TRIGGERED names the throw
    event and the handler instance)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(CompensationSubscription(record.key, record.value))


class CompensationSubscriptionLeftV1:
    """COMPLETED and DELETED: the activity was compensated, or can no longer be."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.compensation_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.key, record.value)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    comp = ValueType.COMPENSATION_SUBSCRIPTION
    intents = CompensationSubscriptionIntent
    appliers.register(comp, intents.CREATED, CompensationSubscriptionStoredV1(state))
    appliers.register(comp, intents.TRIGGERED, CompensationSubscriptionStoredV1(state))
    appliers.register(comp, intents.COMPLETED, CompensationSubscriptionLeftV1(state))
    appliers.register(comp, intents.DELETED, CompensationSubscriptionLeftV1(state))
