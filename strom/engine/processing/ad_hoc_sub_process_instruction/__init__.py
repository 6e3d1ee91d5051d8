"""AD_HOC_SUB_PROCESS_INSTRUCTION commands: what a job worker's result or a client asks of a running
ad-hoc sub-process (activate elements, the completion condition is fulfilled). The only wiring of
the value type's processors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strom.engine.processing.ad_hoc_sub_process_instruction.activate import (
    AdHocSubProcessInstructionActivateProcessor,
)
from strom.engine.processing.ad_hoc_sub_process_instruction.complete import (
    AdHocSubProcessInstructionCompleteProcessor,
)
from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.container.ad_hoc_activities import AdHocActivities
from strom.engine.state import ProcessingState
from strom.protocol.enums import ValueType
from strom.protocol.intents import AdHocSubProcessInstructionIntent

if TYPE_CHECKING:
    from strom.engine.processing import Processors


def register(
    processors: Processors, state: ProcessingState, behaviors: Behaviors, activities: AdHocActivities
) -> None:
    instruction = ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION
    processors.register(
        instruction,
        AdHocSubProcessInstructionIntent.ACTIVATE,
        AdHocSubProcessInstructionActivateProcessor(state, behaviors, activities),
    )
    processors.register(
        instruction,
        AdHocSubProcessInstructionIntent.COMPLETE,
        AdHocSubProcessInstructionCompleteProcessor(state, behaviors, activities),
    )
