"""Appliers for TIMER events."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.protocol.enums import ValueType
from strom.protocol.intents import TimerIntent
from strom.protocol.record import Record


class TimerCreatedV1:
    """Stores the timer, indexed by due date and by its element instance (or process)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._timers = state.timers

    def __call__(self, record: Record[Any]) -> None:
        self._timers.put(record.key, record.value)


class TimerTriggeredV1:
    """A triggered timer is gone (a repeating one comes back as a new CREATED)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._timers = state.timers

    def __call__(self, record: Record[Any]) -> None:
        self._timers.remove(record.key)


class TimerCanceledV1:
    """A canceled timer is gone."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._timers = state.timers

    def __call__(self, record: Record[Any]) -> None:
        self._timers.remove(record.key)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(ValueType.TIMER, TimerIntent.CREATED, TimerCreatedV1(state))
    appliers.register(ValueType.TIMER, TimerIntent.TRIGGERED, TimerTriggeredV1(state))
    appliers.register(ValueType.TIMER, TimerIntent.CANCELED, TimerCanceledV1(state))
