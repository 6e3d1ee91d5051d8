"""Appliers for SIGNAL_SUBSCRIPTION events (SIGNAL BROADCASTED changes no state)."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.signal_subscription import SignalSubscription
from strom.protocol.enums import ValueType
from strom.protocol.intents import SignalIntent, SignalSubscriptionIntent
from strom.protocol.record import Record


class SignalSubscriptionCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.signal_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.put(SignalSubscription(record.key, record.value))


class SignalSubscriptionDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.signal_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        self._subscriptions.remove(record.value)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(
        ValueType.SIGNAL,
        SignalIntent.BROADCASTED,
        NoStateChange("the catch events it triggers and the instances it starts have their own events"),
    )
    sub = ValueType.SIGNAL_SUBSCRIPTION
    appliers.register(sub, SignalSubscriptionIntent.CREATED, SignalSubscriptionCreatedV1(state))
    appliers.register(sub, SignalSubscriptionIntent.DELETED, SignalSubscriptionDeletedV1(state))
