"""Rules for events and their event definitions."""

from __future__ import annotations

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import rule
from strom.model.validation.processes import check_interrupting

_BOUNDARY = frozenset(
    {
        "timerEventDefinition",
        "messageEventDefinition",
        "errorEventDefinition",
        "signalEventDefinition",
        "escalationEventDefinition",
        "compensateEventDefinition",
        "conditionalEventDefinition",
    }
)
_INTERMEDIATE_CATCH = frozenset(
    {
        "messageEventDefinition",
        "timerEventDefinition",
        "signalEventDefinition",
        "linkEventDefinition",
        "conditionalEventDefinition",
    }
)
_INTERMEDIATE_THROW = frozenset(
    {
        "messageEventDefinition",
        "signalEventDefinition",
        "escalationEventDefinition",
        "linkEventDefinition",
        "compensateEventDefinition",
    }
)
_END = frozenset(
    {
        "errorEventDefinition",
        "messageEventDefinition",
        "terminateEventDefinition",
        "signalEventDefinition",
        "escalationEventDefinition",
        "compensateEventDefinition",
    }
)


def listener_event_types(node: Node) -> set[str]:
    return {
        listener.get("eventType") or ""
        for listeners in node.ext("executionListeners")
        for listener in listeners.children
        if listener.tag == "executionListener"
    }


@rule(kinds.EVENTS)
def supported_event_definitions(context: ValidationContext, event: Node) -> None:
    for definition in event.event_definitions:
        if definition.tag not in kinds.EVENT_TYPES:
            context.report(definition, "Event definition of this type is not supported")


@rule("startEvent")
def start_event(context: ValidationContext, event: Node) -> None:
    if len(event.event_definitions) > 1:
        context.report(event, "Start event can't have more than one type")
    for properties in event.ext("properties"):
        for prop in properties.children:
            if prop.get("name") == "publicAccess" and (prop.get("value") or "").lower() == "true":
                context.report(prop, "Start event forms with public access enabled are not supported")
    if "start" in listener_event_types(event):
        context.report(event, "Execution listeners of type 'start' are not supported by start events")


@rule("boundaryEvent")
def boundary_event(context: ValidationContext, event: Node) -> None:
    attached = context.resolve(event.get("attachedToRef"), *kinds.ACTIVITIES)
    if attached is None:
        context.report(event, "Must be attached to an activity")
    elif context.scope_of(attached) is not context.scope_of(event):
        context.report(event, f"Must be attached to an activity of its own scope, not '{attached.id}'")
    if context.incoming_of(event):
        context.report(event, "Cannot have incoming sequence flows")
    definitions = event.event_definitions
    is_compensation = any(d.tag == "compensateEventDefinition" for d in definitions)
    handlers = context.associations.get(event.id or "", [])
    if is_compensation and (context.outgoing_of(event) or not handlers):
        context.report(
            event,
            "Compensation boundary events must have a compensation association and no outgoing "
            "sequence flows",
        )
    for handler in handlers if is_compensation else ():
        if handler.tag not in kinds.ACTIVITIES or context.scope_of(handler) is not context.scope_of(event):
            context.report(
                event,
                f"The compensation handler '{handler.id}' must be an activity of the same scope as "
                "the boundary event",
            )
    if len(definitions) != 1:
        context.report(event, "Must have exactly one event definition")
    for definition in definitions:
        if definition.tag not in _BOUNDARY:
            context.report(
                event,
                "Boundary events must be one of: timer, message, error, signal, escalation, "
                "compensation or conditional",
            )
            continue
        if definition.tag == "escalationEventDefinition" and (
            attached is not None and attached.tag not in ("subProcess", "callActivity")
        ):
            context.report(
                event,
                "An escalation boundary event should only be attached to a subprocess, or a call activity.",
            )
        check_interrupting(context, event, definition, kinds.is_interrupting(event))
    listeners = listener_event_types(event)
    if listeners and is_compensation:
        context.report(
            event,
            "Execution listeners of type 'start' and 'end' are not supported by [compensation] "
            "boundary events",
        )
    elif "start" in listeners:
        context.report(event, "Execution listeners of type 'start' are not supported by boundary events")


@rule("intermediateCatchEvent")
def intermediate_catch_event(context: ValidationContext, event: Node) -> None:
    definitions = event.event_definitions
    if len(definitions) != 1:
        context.report(event, "Must have exactly one event definition")
        return
    definition = definitions[0]
    if definition.tag not in _INTERMEDIATE_CATCH:
        context.report(event, "Event definition must be one of: message, timer, signal, link, or conditional")
    elif definition.tag == "timerEventDefinition" and not (
        definition.first("timeDuration") or definition.first("timeDate")
    ):
        context.report(
            event, "Intermediate timer catch event must have either a time duration or a time date."
        )


@rule("intermediateThrowEvent")
def intermediate_throw_event(context: ValidationContext, event: Node) -> None:
    definitions = event.event_definitions
    if len(definitions) > 1:
        context.report(event, "Must have at most one event definition")
    for definition in definitions:
        if definition.tag in kinds.EVENT_TYPES and definition.tag not in _INTERMEDIATE_THROW:
            context.report(
                event,
                "Intermediate throw events must be one of: none, message, signal, escalation, link "
                "or compensation",
            )
        if definition.tag == "compensateEventDefinition" and not _waits(definition):
            context.report(
                event,
                "A compensation intermediate throwing event waitForCompletion attribute must be "
                "true or not present",
            )


@rule("endEvent")
def end_event(context: ValidationContext, event: Node) -> None:
    if context.outgoing_of(event):
        context.report(event, "End events must not have outgoing sequence flows to other elements.")
    definitions = event.event_definitions
    if len(definitions) > 1:
        context.report(event, "Must have at most one event definition")
    for definition in definitions:
        if definition.tag in kinds.EVENT_TYPES and definition.tag not in _END:
            context.report(
                event,
                "End events must be one of: none, error, message, terminate, signal, escalation or "
                "compensation",
            )
        if definition.tag == "compensateEventDefinition" and not _waits(definition):
            context.report(
                event,
                "A compensation end event waitForCompletion attribute must be true or not present",
            )
    if (
        definitions
        and definitions[0].tag in ("errorEventDefinition", "escalationEventDefinition")
        and "end" in listener_event_types(event)
    ):
        context.report(
            event,
            "Execution listeners of type 'end' are not supported by [escalation, error] end events",
        )


def _waits(definition: Node) -> bool:
    return kinds.boolean(definition, "waitForCompletion", True)


@rule("intermediateThrowEvent", "endEvent")
def message_throw_event(context: ValidationContext, event: Node) -> None:
    definition = event.first("messageEventDefinition")
    if definition is None:
        return
    publish = definition.ext("publishMessage") + event.ext("publishMessage")
    jobs = event.ext("taskDefinition")
    if not ((len(publish) == 1 and not jobs) or (not publish and len(jobs) == 1)):
        context.report(
            event,
            "Must have either one 'zeebe:publishMessage' or one 'zeebe:taskDefinition' extension element",
        )
    elif not jobs and not definition.get("messageRef"):
        context.report(event, "Must reference a message")


def reference(context: ValidationContext, node: Node, attribute: str, tag: str) -> Node | None:
    """Resolve a reference attribute, reporting a value that points nowhere."""
    value = node.get(attribute)
    if not value:
        return None
    target = context.resolve(value, tag)
    if target is None:
        other = context.resolve(value)
        if other is None:
            context.report(node, f"References {tag} '{value}', which does not exist")
        else:
            context.report(node, f"References {tag} '{value}', but that is a '{other.tag}' element")
    return target


@rule("timerEventDefinition")
def timer_definition(context: ValidationContext, definition: Node) -> None:
    count = sum(1 for tag in ("timeDate", "timeDuration", "timeCycle") if definition.first(tag))
    if count != 1:
        context.report(definition, "Must be exactly one type of timer: timeDuration, timeDate or timeCycle")


@rule("messageEventDefinition")
def message_definition(context: ValidationContext, definition: Node) -> None:
    message = reference(context, definition, "messageRef", "message")
    event = definition.parent
    if (
        message is None
        and event is not None
        and event.tag in kinds.CATCH_EVENTS
        and not definition.get("messageRef")
    ):
        context.report(event, "Must reference a message")


@rule("signalEventDefinition")
def signal_definition(context: ValidationContext, definition: Node) -> None:
    signal = reference(context, definition, "signalRef", "signal")
    if signal is None and not definition.get("signalRef"):
        context.report(definition.parent or definition, "Must reference a signal")


@rule("errorEventDefinition")
def error_definition(context: ValidationContext, definition: Node) -> None:
    error = reference(context, definition, "errorRef", "error")
    event = definition.parent or definition
    if event.tag == "endEvent":
        if error is None:
            if not definition.get("errorRef"):
                context.report(event, "Must reference an error")
        elif not error.get("errorCode"):
            context.report(error, "ErrorCode must be present and not empty")
    elif error is not None and (error.get("errorCode") or "").startswith("="):
        context.report(event, "The errorCode of the error catch event is not allowed to be an expression")


@rule("escalationEventDefinition")
def escalation_definition(context: ValidationContext, definition: Node) -> None:
    escalation = reference(context, definition, "escalationRef", "escalation")
    event = definition.parent or definition
    if event.tag in ("intermediateThrowEvent", "endEvent"):
        if escalation is None and not definition.get("escalationRef"):
            context.report(event, "Must reference an escalation")
    elif escalation is not None and (escalation.get("escalationCode") or "").startswith("="):
        context.report(
            event, "The escalationCode of the escalation catch event is not allowed to be an expression"
        )


@rule("linkEventDefinition")
def link_definition(context: ValidationContext, definition: Node) -> None:
    if not definition.get("name"):
        context.report(definition.parent or definition, "Link name must be present and not empty.")


@rule("compensateEventDefinition")
def compensation_definition(context: ValidationContext, definition: Node) -> None:
    reference_value = definition.get("activityRef")
    if not reference_value:
        return
    event = definition.parent or definition
    activity = context.resolve(reference_value, *kinds.ACTIVITIES)
    if activity is None:
        context.report(event, f"The referenced compensation activity '{reference_value}' doesn't exist")
        return
    has_handler = any(
        d.tag == "compensateEventDefinition"
        for boundary in context.boundary_events_of(activity)
        for d in boundary.event_definitions
    )
    if not has_handler and not (activity.tag == "subProcess" and not kinds.is_event_subprocess(activity)):
        context.report(
            event,
            f"The referenced compensation activity '{activity.id}' must have either a compensation "
            "boundary event or be a subprocess",
        )
    if context.scope_of(activity) is not context.scope_of(event):
        context.report(
            event,
            f"The referenced compensation activity '{activity.id}' must be in the same scope as the "
            "compensation throw event",
        )


_VARIABLE_EVENTS = ("create", "update")


@rule("conditionalEventDefinition")
def conditional_definition(context: ValidationContext, definition: Node) -> None:
    event = definition.parent or definition
    container = event.parent
    valid_place = event.tag in ("boundaryEvent", "intermediateCatchEvent") or (
        event.tag == "startEvent"
        and container is not None
        and (container.tag == "process" or kinds.is_event_subprocess(container))
    )
    if not valid_place:
        context.report(
            event,
            "Conditional events are only supported on boundary events, intermediate catch events, "
            "event subprocess start events, and root-level start events",
        )
    condition = definition.first("condition")
    if condition is None:
        context.report(event, "Must have a condition")
        return
    if not condition.text:
        context.report(condition, "Condition expression must not be empty")
    valid = ", ".join(_VARIABLE_EVENTS)
    for variable in event.ext("conditionVariable") + definition.ext("conditionVariable"):
        for name in (variable.get("variableEvents") or "").split(","):
            name = name.strip()
            if name and name not in _VARIABLE_EVENTS:
                context.report(variable, f"Invalid variable event '{name}'. Valid values are: {valid}")
