"""Appliers for COMMAND_DISTRIBUTION events, and version 2 of SIGNAL BROADCASTED and DEPLOYMENT
CREATED (they remember a command received from another partition, so a retried delivery has no
second effect)."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import CommandDistributionIntent, DeploymentIntent, SignalIntent
from strom.protocol.record import Record


class CommandDistributionDistributingV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._distributions.add_pending(record.key, record.value)


class CommandDistributionAcknowledgedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._distributions.remove_pending(record.key, record.value.partition_id)


class SignalBroadcastedV2:
    """A broadcast whose key another partition made was distributed here: remember the key, so
    that a repeated delivery is only acknowledged."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._distributions.mark_if_received(record.key, record.partition_id)


class DeploymentCreatedV2:
    """A deployment whose key another partition made was distributed here: remember the key, so
    that a repeated delivery is only acknowledged."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._distributions.mark_if_received(record.key, record.partition_id)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    distribution = ValueType.COMMAND_DISTRIBUTION
    appliers.register(
        distribution,
        CommandDistributionIntent.STARTED,
        NoStateChange("each target's pending entry is written by its DISTRIBUTING event"),
    )
    appliers.register(
        distribution, CommandDistributionIntent.DISTRIBUTING, CommandDistributionDistributingV1(state)
    )
    appliers.register(
        distribution, CommandDistributionIntent.ACKNOWLEDGED, CommandDistributionAcknowledgedV1(state)
    )
    appliers.register(
        distribution,
        CommandDistributionIntent.FINISHED,
        NoStateChange("every target acknowledged: nothing is pending any more"),
    )
    appliers.register(ValueType.SIGNAL, SignalIntent.BROADCASTED, SignalBroadcastedV2(state), version=2)
    appliers.register(ValueType.DEPLOYMENT, DeploymentIntent.CREATED, DeploymentCreatedV2(state), version=2)
