"""BPMN element and event types as Zeebe names them in records (``bpmnElementType``, ``bpmnEventType``).

These are string enums because Zeebe's exported records carry the names, not numbers.
"""

from __future__ import annotations

from enum import StrEnum


class BpmnElementType(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    PROCESS = "PROCESS"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"
    AD_HOC_SUB_PROCESS_INNER_INSTANCE = "AD_HOC_SUB_PROCESS_INNER_INSTANCE"
    START_EVENT = "START_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    END_EVENT = "END_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    USER_TASK = "USER_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
    CALL_ACTIVITY = "CALL_ACTIVITY"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    SEND_TASK = "SEND_TASK"

    @property
    def is_container(self) -> bool:
        """True for elements that hold child element instances (Zeebe's ``isContainerElement``)."""
        return self in _CONTAINERS


_CONTAINERS = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.SUB_PROCESS,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.AD_HOC_SUB_PROCESS,
        BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE,
        BpmnElementType.MULTI_INSTANCE_BODY,
    }
)


class BpmnEventType(StrEnum):
    UNSPECIFIED = "UNSPECIFIED"
    CONDITIONAL = "CONDITIONAL"
    ERROR = "ERROR"
    ESCALATION = "ESCALATION"
    LINK = "LINK"
    MESSAGE = "MESSAGE"
    NONE = "NONE"
    SIGNAL = "SIGNAL"
    TERMINATE = "TERMINATE"
    TIMER = "TIMER"
    COMPENSATION = "COMPENSATION"
