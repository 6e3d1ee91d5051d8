"""Appliers for ESCALATION events, which change no state: a caught escalation triggers its catch
event through a PROCESS_EVENT, and an uncaught one only tells what happened."""

from __future__ import annotations

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import EscalationIntent


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    appliers.register(
        ValueType.ESCALATION,
        EscalationIntent.ESCALATED,
        NoStateChange("the catch event is triggered by the PROCESS_EVENT written with it"),
    )
    appliers.register(
        ValueType.ESCALATION,
        EscalationIntent.NOT_ESCALATED,
        NoStateChange("no catch event took the escalation"),
    )
