"""Document-level rules: executable processes, unique ids, and the root messages, signals,
errors and escalations that events refer to."""

from __future__ import annotations

import re

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import document_rule, rule


@document_rule
def has_executable_process(context: ValidationContext) -> None:
    if not context.processes:
        context.report(
            context.document.root,
            'Must contain at least one executable process (a process with isExecutable="true")',
        )


@document_rule
def unique_ids(context: ValidationContext) -> None:
    for value, line, first_line in context.document.duplicate_ids:
        context.report_at(line, value, f"Duplicate id '{value}': already used on line {first_line}")


@document_rule
def target_namespace(context: ValidationContext) -> None:
    if not context.document.root.get("targetNamespace"):
        context.report(
            context.document.root, "Attribute 'targetNamespace' must appear on element 'definitions'"
        )


_NCNAME = re.compile(r"[^\W\d][\w.\-]*")


@rule("process", kinds.FLOW_ELEMENTS)
def has_id(context: ValidationContext, node: Node) -> None:
    if not node.id:
        context.report(node, f"Id must be present and not empty (on a '{node.tag}' element)")
    elif not _NCNAME.fullmatch(node.id):
        context.report(
            node,
            f"Id '{node.id}' is not a valid XML id: it must start with a letter or '_' and contain "
            "only letters, digits, '_', '-' and '.'",
        )


def _catching_message(context: ValidationContext, message: Node) -> bool:
    for node in context.references_to("messageRef", message):
        if node.tag == "receiveTask":
            return True
        event = node.parent
        if node.tag == "messageEventDefinition" and event is not None:
            if event.tag in ("intermediateCatchEvent", "boundaryEvent"):
                return True
            if (
                event.tag == "startEvent"
                and event.parent is not None
                and kinds.is_event_subprocess(event.parent)
            ):
                return True
    return False


def _throwing_message(context: ValidationContext, message: Node) -> bool:
    for node in context.references_to("messageRef", message):
        if node.tag == "sendTask":
            return True
        event = node.parent
        if node.tag == "messageEventDefinition" and event is not None and event.tag in kinds.THROW_EVENTS:
            return True
    return False


def _process_start_events_referring(context: ValidationContext, attribute: str, target: Node) -> int:
    count = 0
    for node in context.references_to(attribute, target):
        event = node.parent
        if event is not None and event.tag == "startEvent" and event.parent is not None:
            count += event.parent.tag == "process"
    return count


def _require_name(context: ValidationContext, node: Node) -> None:
    if not node.name:
        context.report(node, "Name must be present and not empty")


@document_rule
def root_messages(context: ValidationContext) -> None:
    for message in context.document.root.all("message"):
        if _catching_message(context, message):
            _require_name(context, message)
            if len(message.ext("subscription")) != 1:
                context.report(message, "Must have exactly one zeebe:subscription extension element")
        elif _throwing_message(context, message):
            _require_name(context, message)
        else:
            starts = _process_start_events_referring(context, "messageRef", message)
            if starts > 1:
                context.report(message, "A message cannot be referred by more than one start event")
            elif starts == 1:
                _require_name(context, message)


@document_rule
def root_signals(context: ValidationContext) -> None:
    for signal in context.document.root.all("signal"):
        if context.references_to("signalRef", signal):
            _require_name(context, signal)


@document_rule
def root_escalations(context: ValidationContext) -> None:
    for escalation in context.document.root.all("escalation"):
        thrown = any(
            node.parent is not None and node.parent.tag in kinds.THROW_EVENTS
            for node in context.references_to("escalationRef", escalation)
        )
        if thrown and not escalation.get("escalationCode"):
            context.report(escalation, "EscalationCode must be present and not empty")
