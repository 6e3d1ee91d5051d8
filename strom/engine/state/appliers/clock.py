"""Appliers for CLOCK events: the partition's clock pinned at a time, and reset."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.protocol.enums import ValueType
from strom.protocol.intents import ClockIntent
from strom.protocol.record import Record


class ClockPinnedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._clock = state.clock
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._clock.pin(record.value.time)
        self._distributions.mark_if_received(record.key, record.partition_id)


class ClockResettedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._clock = state.clock
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._clock.reset()
        self._distributions.mark_if_received(record.key, record.partition_id)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(ValueType.CLOCK, ClockIntent.PINNED, ClockPinnedV1(state))
    appliers.register(ValueType.CLOCK, ClockIntent.RESETTED, ClockResettedV1(state))
