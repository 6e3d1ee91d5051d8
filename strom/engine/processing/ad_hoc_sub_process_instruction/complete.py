"""AD_HOC_SUB_PROCESS_INSTRUCTION COMPLETE: the completion condition of a running ad-hoc sub-process
is fulfilled (Zeebe 8.8's ``AdHocSubProcessInstructionCompleteProcessor``). Written by the engine
for a job worker's result (``isCompletionConditionFulfilled``).

The sub-process completes at once when nothing runs in it; otherwise it terminates what runs when
``cancelRemainingInstances`` is set, or waits for it. COMPLETED marks the condition fulfilled on
the sub-process's element instance, so that the inner instances still running complete it
instead of asking the worker again.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.container.ad_hoc_activities import AdHocActivities
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import AdHocSubProcessInstructionIntent
from strom.protocol.record import Record


class AdHocSubProcessInstructionCompleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, activities: AdHocActivities) -> None:
        self._instances = state.element_instances
        self._transitions = behaviors.state_transitions
        self._activities = activities

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        key = value.ad_hoc_sub_process_instance_key
        instance = self._instances.get(key)
        if instance is None:
            writers.reject(command, RejectionType.NOT_FOUND, f"No element instance found with key '{key}'")
            return
        if instance.value.bpmn_element_type is not BpmnElementType.AD_HOC_SUB_PROCESS:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"The element instance with key '{key}' is not an ad-hoc sub-process.",
            )
            return
        if not instance.is_active:
            writers.reject(
                command, RejectionType.INVALID_STATE, f"The element instance with key '{key}' is not active"
            )
            return
        context = self._transitions.context_of(instance)
        self._activities.completion_condition_fulfilled(writers, context, value.cancel_remaining_instances)
        event_key = command.key if command.key > 0 else key
        writers.respond(writers.append_event(event_key, AdHocSubProcessInstructionIntent.COMPLETED, value))
