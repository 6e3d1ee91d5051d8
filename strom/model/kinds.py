"""BPMN element kinds by XML tag: what is a task, an event, a container, what Zeebe runs.

Shared by validation and compilation so both agree on what an element is.
"""

from __future__ import annotations

from strom.model.reader import Node
from strom.protocol.bpmn import BpmnElementType, BpmnEventType

TASKS = frozenset(
    {
        "task",
        "serviceTask",
        "userTask",
        "receiveTask",
        "sendTask",
        "businessRuleTask",
        "scriptTask",
        "manualTask",
    }
)
SUBPROCESSES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
ACTIVITIES = TASKS | SUBPROCESSES | {"callActivity"}
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
EVENTS = frozenset(
    {
        "startEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "endEvent",
        "implicitThrowEvent",
    }
)
CATCH_EVENTS = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
THROW_EVENTS = frozenset({"intermediateThrowEvent", "endEvent", "implicitThrowEvent"})
FLOW_NODES = ACTIVITIES | GATEWAYS | EVENTS | {"callChoreography", "choreographyTask", "subChoreography"}
NON_EXECUTABLE = frozenset({"dataObject", "dataObjectReference", "dataStoreReference"})
FLOW_ELEMENTS = FLOW_NODES | NON_EXECUTABLE | {"sequenceFlow"}
CONTAINERS = frozenset({"process"}) | SUBPROCESSES

UNSUPPORTED = {
    "complexGateway": "ComplexGateway",
    "transaction": "Transaction",
    "callChoreography": "CallChoreography",
    "choreographyTask": "ChoreographyTask",
    "subChoreography": "SubChoreography",
    "implicitThrowEvent": "ImplicitThrowEvent",
}
"""Flow elements Zeebe does not execute, with the type name Zeebe reports."""

ELEMENT_TYPES: dict[str, BpmnElementType] = {
    "process": BpmnElementType.PROCESS,
    "subProcess": BpmnElementType.SUB_PROCESS,
    "adHocSubProcess": BpmnElementType.AD_HOC_SUB_PROCESS,
    "startEvent": BpmnElementType.START_EVENT,
    "intermediateCatchEvent": BpmnElementType.INTERMEDIATE_CATCH_EVENT,
    "intermediateThrowEvent": BpmnElementType.INTERMEDIATE_THROW_EVENT,
    "boundaryEvent": BpmnElementType.BOUNDARY_EVENT,
    "endEvent": BpmnElementType.END_EVENT,
    "serviceTask": BpmnElementType.SERVICE_TASK,
    "receiveTask": BpmnElementType.RECEIVE_TASK,
    "userTask": BpmnElementType.USER_TASK,
    "manualTask": BpmnElementType.MANUAL_TASK,
    "task": BpmnElementType.TASK,
    "exclusiveGateway": BpmnElementType.EXCLUSIVE_GATEWAY,
    "parallelGateway": BpmnElementType.PARALLEL_GATEWAY,
    "eventBasedGateway": BpmnElementType.EVENT_BASED_GATEWAY,
    "inclusiveGateway": BpmnElementType.INCLUSIVE_GATEWAY,
    "sequenceFlow": BpmnElementType.SEQUENCE_FLOW,
    "callActivity": BpmnElementType.CALL_ACTIVITY,
    "businessRuleTask": BpmnElementType.BUSINESS_RULE_TASK,
    "scriptTask": BpmnElementType.SCRIPT_TASK,
    "sendTask": BpmnElementType.SEND_TASK,
}

EVENT_TYPES: dict[str, BpmnEventType] = {
    "messageEventDefinition": BpmnEventType.MESSAGE,
    "timerEventDefinition": BpmnEventType.TIMER,
    "errorEventDefinition": BpmnEventType.ERROR,
    "escalationEventDefinition": BpmnEventType.ESCALATION,
    "signalEventDefinition": BpmnEventType.SIGNAL,
    "linkEventDefinition": BpmnEventType.LINK,
    "terminateEventDefinition": BpmnEventType.TERMINATE,
    "compensateEventDefinition": BpmnEventType.COMPENSATION,
    "conditionalEventDefinition": BpmnEventType.CONDITIONAL,
}
"""Event definitions Zeebe supports (``cancelEventDefinition`` is not one of them)."""


def boolean(node: Node, attribute: str, default: bool) -> bool:
    """An ``xsd:boolean`` attribute read as Zeebe reads it (``Boolean.parseBoolean``)."""
    value = node.get(attribute)
    return default if value is None else value.strip().lower() == "true"


def is_event_subprocess(node: Node) -> bool:
    return node.tag == "subProcess" and boolean(node, "triggeredByEvent", False)


def is_executable_process(node: Node) -> bool:
    return node.tag == "process" and boolean(node, "isExecutable", False)


def event_type_of(node: Node) -> BpmnEventType:
    """The event type of an event node: NONE without definitions, else its first definition's."""
    definitions = node.event_definitions
    if not definitions:
        return BpmnEventType.NONE
    return EVENT_TYPES.get(definitions[0].tag, BpmnEventType.UNSPECIFIED)


def is_interrupting(node: Node) -> bool:
    """``cancelActivity`` for boundary events, ``isInterrupting`` for start events (default true)."""
    attribute = "cancelActivity" if node.tag == "boundaryEvent" else "isInterrupting"
    return boolean(node, attribute, True)
