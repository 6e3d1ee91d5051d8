"""Appliers for AD_HOC_SUB_PROCESS_INSTRUCTION events (Zeebe 8.8's
``AdHocSubProcessInstructionCompletedApplier``): an instruction's activations change no state of
their own (the inner instances they start are PROCESS_INSTANCE events); COMPLETED marks the
ad-hoc sub-process's completion condition fulfilled."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.element_instance_record import COMPLETION_CONDITION_FULFILLED
from strom.protocol.enums import ValueType
from strom.protocol.intents import AdHocSubProcessInstructionIntent
from strom.protocol.record import Record

_replace = msgspec.structs.replace


class AdHocSubProcessInstructionCompletedV1:
    """Stores on the ad-hoc sub-process's element instance whether its completion condition is
    fulfilled, for the inner instances still running to find when they complete."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        instance = self._instances.get(value.ad_hoc_sub_process_instance_key)
        if instance is None:
            return
        extra = {k: v for k, v in instance.extra.items() if k != COMPLETION_CONDITION_FULFILLED}
        if value.completion_condition_fulfilled:
            extra[COMPLETION_CONDITION_FULFILLED] = True
        self._instances.put(_replace(instance, extra=extra))


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    instruction = ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION
    appliers.register(
        instruction,
        AdHocSubProcessInstructionIntent.ACTIVATED,
        NoStateChange("the activated elements are written as their own PROCESS_INSTANCE events"),
    )
    appliers.register(
        instruction, AdHocSubProcessInstructionIntent.COMPLETED, AdHocSubProcessInstructionCompletedV1(state)
    )
