"""AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE: start elements of a running ad-hoc sub-process, each in
a new inner instance with the variables the instruction gives it (Zeebe 8.8's
``AdHocSubProcessInstructionActivateProcessor``). Written by the engine for a job worker's result
(``activateElements``) and by clients (REST ``activateAdHocSubProcessActivities``)."""

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


def java_list(items: list[str]) -> str:
    """A list as Zeebe's messages print one (Java's ``List.toString``): ``[a, b]``."""
    return "[" + ", ".join(items) + "]"


class AdHocSubProcessInstructionActivateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, activities: AdHocActivities) -> None:
        self._instances = state.element_instances
        self._transitions = behaviors.state_transitions
        self._activities = activities

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        key = value.ad_hoc_sub_process_instance_key
        instance = self._instances.get(key)
        if instance is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                "Expected to activate activities for ad-hoc sub-process but no ad-hoc sub-process "
                f"instance found with key '{key}'.",
            )
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
                command,
                RejectionType.INVALID_STATE,
                f"Expected to activate activities for ad-hoc sub-process with key '{key}', but it is "
                "not active.",
            )
            return
        element_ids = [element.element_id for element in value.activate_elements]
        if len(set(element_ids)) != len(element_ids):
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to activate activities for ad-hoc sub-process with key '{key}', but "
                "duplicate activities were given.",
            )
            return
        context = self._transitions.context_of(instance)
        ad_hoc = context.element.ad_hoc
        known = ad_hoc.activity_ids if ad_hoc is not None else ()
        unknown = [element_id for element_id in element_ids if element_id not in known]
        if unknown:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to activate activities for ad-hoc sub-process with key '{key}', but the "
                f"given elements {java_list(unknown)} do not exist.",
            )
            return
        for element in value.activate_elements:
            self._activities.activate(writers, context, element.element_id, element.variables)
        event_key = command.key if command.key > 0 else key
        writers.respond(writers.append_event(event_key, AdHocSubProcessInstructionIntent.ACTIVATED, value))
