"""Rules for processes, subprocesses (embedded, event, ad-hoc) and activities' event scopes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import rule

_COVERAGE = "https://docs.camunda.io/docs/components/modeler/bpmn/bpmn-coverage/"

_EVENT_SUBPROCESS_STARTS = (
    "timerEventDefinition",
    "messageEventDefinition",
    "errorEventDefinition",
    "signalEventDefinition",
    "escalationEventDefinition",
    "conditionalEventDefinition",
    "compensateEventDefinition",
)
_NON_INTERRUPTING = (
    "messageEventDefinition",
    "timerEventDefinition",
    "signalEventDefinition",
    "escalationEventDefinition",
    "conditionalEventDefinition",
)


@rule(kinds.UNSUPPORTED.keys())
def unsupported_element(context: ValidationContext, node: Node) -> None:
    context.report(
        node,
        f"Elements of type '{kinds.UNSUPPORTED[node.tag]}' are currently not supported. "
        f"Please refer to the documentation for a list of supported elements: {_COVERAGE}",
    )


@rule("process")
def process_start_events(context: ValidationContext, process: Node) -> None:
    starts = process.all("startEvent")
    if not starts:
        context.report(process, "Must have at least one start event")
    elif sum(1 for start in starts if not start.event_definitions) > 1:
        context.report(process, "Multiple none start events are not allowed")
    for start in starts:
        for definition in start.event_definitions:
            if definition.tag in kinds.EVENT_TYPES and definition.tag not in _PROCESS_STARTS:
                context.report(
                    start,
                    "Start events of a process must be one of: none, message, timer, signal "
                    "or conditional (other start events belong in event subprocesses)",
                )
    definitions = [d for start in starts for d in start.event_definitions]
    signals = [d for d in definitions if d.tag == "signalEventDefinition"]
    duplicate_event_definitions(context, process, signals)
    seen: set[int] = set()
    messages = []
    for definition in definitions:
        if definition.tag != "messageEventDefinition":
            continue
        message = context.resolve(definition.get("messageRef"), "message")
        if id(message) not in seen:
            seen.add(id(message))
            messages.append(definition)
    duplicate_event_definitions(context, process, messages)


_PROCESS_STARTS = frozenset(
    {
        "messageEventDefinition",
        "timerEventDefinition",
        "signalEventDefinition",
        "conditionalEventDefinition",
    }
)


@rule("process", kinds.SUBPROCESSES)
def event_subprocesses_unique(context: ValidationContext, container: Node) -> None:
    definitions = [
        definition
        for child in container.children
        if kinds.is_event_subprocess(child)
        for start in child.all("startEvent")
        for definition in start.event_definitions
    ]
    duplicate_event_definitions(context, container, definitions)
    duplicate_handlers(context, container, definitions)


@rule("process", kinds.SUBPROCESSES)
def link_events(context: ValidationContext, container: Node) -> None:
    catches = list(_link_catches(container))
    names = [d.get("name") for d in catches if d.get("name")]
    for name, count in Counter(names).items():
        if count > 1:
            context.report(
                container,
                f"Multiple intermediate catch link event definitions with the same name '{name}' "
                "are not allowed.",
            )
    by_scope: dict[int, set[str]] = {}
    for definition in catches:
        scope = context.scope_of(definition)
        by_scope.setdefault(id(scope), set()).add(definition.get("name") or "")
    for throw in container.all("intermediateThrowEvent"):
        for definition in throw.all("linkEventDefinition"):
            name = definition.get("name")
            if name and name not in by_scope.get(id(container), set()):
                context.report(
                    throw,
                    f"Can't find a catch link event for the throw link event with the name '{name}'.",
                )


def _link_catches(container: Node) -> Iterable[Node]:
    for child in container.children:
        if child.tag == "intermediateCatchEvent":
            yield from child.all("linkEventDefinition")
        elif child.tag in kinds.SUBPROCESSES:
            yield from _link_catches(child)


@rule(kinds.SUBPROCESSES)
def subprocess_start_event(context: ValidationContext, subprocess: Node) -> None:
    starts = subprocess.all("startEvent")
    if len(starts) != 1 and subprocess.tag != "adHocSubProcess":
        context.report(subprocess, "Must have exactly one start event")
    if not starts or subprocess.tag == "adHocSubProcess":
        return
    start = starts[0]
    definitions = start.event_definitions
    if not kinds.is_event_subprocess(subprocess):
        if definitions:
            context.report(subprocess, "Start events in subprocesses must be of type none")
        return
    expected = (
        "Start events in event subprocesses must be one of: message, timer, error, signal, "
        "escalation, conditional or compensation"
    )
    if not definitions:
        context.report(subprocess, expected)
    for definition in definitions:
        if definition.tag not in _EVENT_SUBPROCESS_STARTS:
            context.report(subprocess, expected)
        elif definition.tag == "compensateEventDefinition" and (
            subprocess.parent is None or subprocess.parent.tag == "process"
        ):
            context.report(subprocess, "A compensation event subprocess is not allowed on the process level")
        check_interrupting(context, start, definition, kinds.is_interrupting(start))


def check_interrupting(context: ValidationContext, event: Node, definition: Node, interrupting: bool) -> None:
    """Zeebe's rules on (non-)interrupting catch events: which types may not interrupt, and no
    interrupting timer cycles."""
    if not interrupting and definition.tag not in _NON_INTERRUPTING:
        context.report(event, "Non-Interrupting event of this type is not allowed")
    if interrupting and definition.tag == "timerEventDefinition" and definition.first("timeCycle"):
        context.report(event, "Interrupting timer event with time cycle is not allowed.")


@rule("adHocSubProcess")
def ad_hoc_subprocess(context: ValidationContext, subprocess: Node) -> None:
    children = [c for c in subprocess.children if c.tag in kinds.FLOW_ELEMENTS]
    if not children:
        context.report(subprocess, "Must have at least one activity.")
    if any(child.tag == "startEvent" for child in children):
        context.report(subprocess, "Must not contain a start event.")
    if any(child.tag == "endEvent" for child in children):
        context.report(subprocess, "Must not contain an end event.")
    if subprocess.one_ext("taskDefinition") is None:
        return
    if not kinds.boolean(subprocess, "cancelRemainingInstances", True):
        context.report(
            subprocess,
            "Must not set cancelRemainingInstances to false in combination with zeebe:taskDefinition",
        )
    if subprocess.first("completionCondition") is not None:
        context.report(
            subprocess, "Must not set completionCondition in combination with zeebe:taskDefinition"
        )
    ad_hoc = subprocess.one_ext("adHoc")
    if ad_hoc is not None and ad_hoc.get("activeElementsCollection"):
        context.report(
            subprocess,
            "Must not set activeElementsCollection in combination with zeebe:taskDefinition",
        )


@rule(kinds.ACTIVITIES)
def boundary_events_unique(context: ValidationContext, activity: Node) -> None:
    definitions = [d for event in context.boundary_events_of(activity) for d in event.event_definitions]
    duplicate_event_definitions(context, activity, definitions)
    duplicate_handlers(context, activity, definitions)


def duplicate_event_definitions(context: ValidationContext, owner: Node, definitions: list[Node]) -> None:
    """Zeebe's ``verifyNoDuplicatedEventDefinition``: message, signal and link names."""
    message_names = []
    signal_names = []
    link_names = []
    for definition in definitions:
        if definition.tag == "messageEventDefinition":
            message = context.resolve(definition.get("messageRef"), "message")
            if message is not None and message.name:
                message_names.append(message.name)
        elif definition.tag == "signalEventDefinition":
            signal = context.resolve(definition.get("signalRef"), "signal")
            if signal is not None and signal.name:
                signal_names.append(signal.name)
        elif definition.tag == "linkEventDefinition" and definition.get("name"):
            link_names.append(definition.get("name") or "")
    for kind, names in (("message", message_names), ("signal", signal_names)):
        for name, count in Counter(names).items():
            if count > 1:
                context.report(
                    owner,
                    f"Multiple {kind} event definitions with the same name '{name}' are not allowed.",
                )
    for name, count in Counter(link_names).items():
        if count > 1:
            context.report(
                owner,
                f"Multiple intermediate catch link event definitions with the same name '{name}' "
                "are not allowed.",
            )


def duplicate_handlers(context: ValidationContext, owner: Node, definitions: list[Node]) -> None:
    """At most one catch-all and one handler per code, for errors and for escalations."""
    for kind, tag, reference, code_attribute in (
        ("error", "errorEventDefinition", "errorRef", "errorCode"),
        ("escalation", "escalationEventDefinition", "escalationRef", "escalationCode"),
    ):
        targets = [context.resolve(d.get(reference), kind) for d in definitions if d.tag == tag]
        if not targets:
            continue
        catch_all = (
            f"The same scope can not contain more than one {kind} catch event without {kind} "
            f"code. An {kind} catch event without {kind} code catches all {kind}s."
        )
        if sum(1 for target in targets if target is None) > 1:
            context.report(owner, catch_all)
        codes = Counter(target.get(code_attribute) for target in targets if target is not None)
        for code, count in codes.items():
            if count <= 1:
                continue
            if code is None:
                context.report(owner, catch_all)
            else:
                context.report(
                    owner,
                    f"Multiple {kind} catch events with the same {kind} code '{code}' are not "
                    "supported on the same scope.",
                )
