"""Rules for Zeebe extension elements: required attributes, allowed values, where they may appear."""

from __future__ import annotations

from strom.model import kinds
from strom.model.expressions import parse_int
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import rule
from strom.model.validation.events import listener_event_types

_BINDING_TYPES = ("latest", "deployment", "versionTag")
_RESERVED_HEADER_PREFIX = "io.camunda.zeebe:"


def _required(context: ValidationContext, node: Node, *attributes: str) -> None:
    for attribute in attributes:
        if not node.get(attribute):
            context.report(node, f"Attribute '{attribute}' must be present and not empty")


def _present_not_empty(context: ValidationContext, node: Node, attribute: str) -> None:
    """For attributes with a default: absent is fine, an empty value is not."""
    if node.get(attribute) == "":
        context.report(node, f"Attribute '{attribute}' must be present and not empty")


@rule("zeebe:taskDefinition")
def task_definition(context: ValidationContext, node: Node) -> None:
    _required(context, node, "type")
    _present_not_empty(context, node, "retries")


@rule("zeebe:calledElement")
def called_element(context: ValidationContext, node: Node) -> None:
    _required(context, node, "processId")
    _binding(context, node)


@rule("zeebe:calledDecision")
def called_decision(context: ValidationContext, node: Node) -> None:
    _required(context, node, "decisionId", "resultVariable")
    _binding(context, node)


@rule("zeebe:script")
def script(context: ValidationContext, node: Node) -> None:
    _required(context, node, "expression", "resultVariable")


@rule("zeebe:subscription", "zeebe:publishMessage")
def correlation_key(context: ValidationContext, node: Node) -> None:
    _required(context, node, "correlationKey")


@rule("zeebe:linkedResource")
def linked_resource(context: ValidationContext, node: Node) -> None:
    _required(context, node, "resourceId", "resourceType")
    _binding(context, node)


@rule("zeebe:priorityDefinition")
def priority_definition(context: ValidationContext, node: Node) -> None:
    _required(context, node, "priority")


@rule("zeebe:jobPriorityDefinition")
def job_priority_definition(context: ValidationContext, node: Node) -> None:
    _required(context, node, "priority")
    priority = node.get("priority") or ""
    if priority and not priority.startswith("=") and not _is_int(priority):
        context.report(
            node,
            "Expected 'priority' to be a literal integer or a FEEL expression (starting with '='), "
            f"but got '{priority}'.",
        )


def _is_int(text: str) -> bool:
    return parse_int(text) is not None


@rule("zeebe:loopCharacteristics")
def loop_characteristics(context: ValidationContext, node: Node) -> None:
    _required(context, node, "inputCollection")
    has_collection, has_element = bool(node.get("outputCollection")), bool(node.get("outputElement"))
    if has_collection and not has_element:
        context.report(
            node, "Attribute 'outputElement' must be present if the attribute 'outputCollection' is set"
        )
    elif has_element and not has_collection:
        context.report(
            node, "Attribute 'outputCollection' must be present if the attribute 'outputElement' is set"
        )


@rule("zeebe:formDefinition")
def form_definition(context: ValidationContext, node: Node) -> None:
    _binding(context, node)
    owner = node.parent
    native = owner is not None and owner.one_ext("userTask") is not None
    form_key, form_id = node.get("formKey"), node.get("formId")
    reference, binding = node.get("externalReference"), node.get("bindingType")
    if not native:
        if _blank(form_key) == _blank(form_id):
            context.report(
                node, "Exactly one of the attributes 'formId, formKey' must be present and not blank"
            )
        if not _blank(form_key) and binding is not None:
            context.report(
                node, "Attribute 'formKey' must not be used in combination with attribute 'bindingType'"
            )
    else:
        if _blank(reference) == _blank(form_id):
            context.report(
                node,
                "Exactly one of the attributes 'formId, externalReference' must be present and not "
                "blank for native user tasks",
            )
        if not _blank(reference) and binding is not None:
            context.report(
                node,
                "Attribute 'externalReference' must not be used in combination with attribute 'bindingType'",
            )


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


@rule("zeebe:userTaskForm")
def user_task_form(context: ValidationContext, node: Node) -> None:
    if not node.text:
        context.report(node, "User task form text content has to be present and not empty")


def _binding(context: ValidationContext, node: Node) -> None:
    binding = node.get("bindingType")
    if binding is not None and binding not in _BINDING_TYPES:
        context.report(node, f"Attribute 'bindingType' must be one of: {', '.join(_BINDING_TYPES)}")
    if binding == "versionTag" and not node.get("versionTag"):
        context.report(
            node, "Attribute 'versionTag' must be present and not empty if 'bindingType' is versionTag"
        )


@rule("zeebe:taskHeaders")
def task_headers(context: ValidationContext, node: Node) -> None:
    seen: dict[str, int] = {}
    for header in node.children:
        if header.tag != "header":
            continue
        key = header.get("key")
        if key is not None and key.startswith(_RESERVED_HEADER_PREFIX):
            context.report(
                header,
                f"Attribute 'key' contains '{key}', but header keys starting with "
                f"'{_RESERVED_HEADER_PREFIX}' are reserved for internal use.",
            )
        seen[key or ""] = seen.get(key or "", 0) + 1
        if seen[key or ""] == 2:
            context.report(header, f"Headers contain duplicate entries for key '{key}'")


_EXECUTION_LISTENER_EVENTS = ("start", "end")
_LISTENER_ELEMENTS = frozenset({"process", "subProcess", "callActivity", "adHocSubProcess"}) | (
    kinds.TASKS | kinds.EVENTS | kinds.GATEWAYS
) - {"complexGateway", "implicitThrowEvent"}


@rule("zeebe:executionListener")
def execution_listener(context: ValidationContext, node: Node) -> None:
    _required(context, node, "eventType", "type")
    _present_not_empty(context, node, "retries")
    event_type = node.get("eventType")
    if event_type and event_type not in _EXECUTION_LISTENER_EVENTS:
        context.report(node, f"Attribute 'eventType' must be one of: {', '.join(_EXECUTION_LISTENER_EVENTS)}")


@rule("zeebe:executionListeners")
def execution_listeners(context: ValidationContext, node: Node) -> None:
    listeners = [child for child in node.children if child.tag == "executionListener"]
    owner = node.parent
    if not listeners or owner is None:
        return
    if owner.tag not in _LISTENER_ELEMENTS and owner.tag != "multiInstanceLoopCharacteristics":
        context.report(
            node,
            f"Execution listeners are not supported for the '{owner.tag}' element. Currently, only "
            f"{', '.join(sorted(_LISTENER_ELEMENTS))} elements can have execution listeners.",
        )
        return
    counts: dict[tuple[str, str], int] = {}
    for listener in listeners:
        key = (listener.get("eventType") or "", listener.get("type") or "")
        counts[key] = counts.get(key, 0) + 1
    for (event_type, job_type), count in counts.items():
        if count > 1:
            context.report(
                node,
                f"Found '{count}' duplicates based on eventType[{event_type}] and type[{job_type}], "
                "these combinations should be unique.",
            )


TASK_LISTENER_EVENTS = {
    "creating": "creating",
    "assigning": "assigning",
    "updating": "updating",
    "completing": "completing",
    "canceling": "canceling",
    "create": "creating",
    "assignment": "assigning",
    "update": "updating",
    "complete": "completing",
    "cancel": "canceling",
}
"""Task listener event types, with Zeebe's deprecated names mapped to the current ones."""


@rule("zeebe:taskListener")
def task_listener(context: ValidationContext, node: Node) -> None:
    _required(context, node, "eventType", "type")
    _present_not_empty(context, node, "retries")
    event_type = node.get("eventType")
    if event_type and event_type not in TASK_LISTENER_EVENTS:
        context.report(
            node,
            f"Task listener event type '{event_type}' is not supported. Currently, only "
            "'creating', 'assigning', 'updating', 'completing', 'canceling' event types and "
            "'create', 'assignment', 'update', 'complete', 'cancel' deprecated event types are supported.",
        )


@rule("zeebe:taskListeners")
def task_listeners(context: ValidationContext, node: Node) -> None:
    owner = node.parent
    if not any(child.tag == "taskListener" for child in node.children) or owner is None:
        return
    if owner.tag != "userTask" or owner.one_ext("userTask") is None:
        context.report(node, "Task listeners are only allowed on Camunda user tasks.")


@rule(kinds.GATEWAYS)
def gateway_listeners(context: ValidationContext, gateway: Node) -> None:
    if "end" in listener_event_types(gateway):
        context.report(gateway, "Execution listeners of type 'end' are not supported by gateway element")
