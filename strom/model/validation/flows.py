"""Rules for sequence flows and gateways."""

from __future__ import annotations

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import rule
from strom.model.validation.processes import duplicate_event_definitions

_CONDITIONAL_SOURCES = ("exclusiveGateway", "inclusiveGateway")
_EVENT_GATEWAY_TARGETS = (
    "messageEventDefinition",
    "timerEventDefinition",
    "signalEventDefinition",
    "conditionalEventDefinition",
)


@rule("sequenceFlow")
def flow_ends(context: ValidationContext, flow: Node) -> None:
    source = _end(context, flow, "sourceRef")
    target = _end(context, flow, "targetRef")
    if source is None or target is None:
        return
    if context.scope_of(source) is not context.scope_of(flow) or context.scope_of(
        target
    ) is not context.scope_of(flow):
        context.report(
            flow,
            f"Must connect elements of its own scope, but connects '{source.id}' and '{target.id}' "
            "across a subprocess boundary",
        )


def _end(context: ValidationContext, flow: Node, attribute: str) -> Node | None:
    reference = flow.get(attribute)
    if reference is None or not reference.strip():
        context.report(flow, f"SequenceFlow is missing required attribute {attribute}")
        return None
    node = context.resolve(reference, *kinds.FLOW_NODES)
    if node is None or not context.is_in_executable_process(node):
        context.report(flow, f"SequenceFlow has {attribute} '{reference}' which cannot be resolved")
        return None
    return node


@rule("sequenceFlow")
def flow_condition(context: ValidationContext, flow: Node) -> None:
    source = context.resolve(flow.get("sourceRef"))
    if source is None or source.tag not in _CONDITIONAL_SOURCES:
        return
    outgoing = context.outgoing_of(source)
    if len(outgoing) <= 1 or flow.first("conditionExpression") is not None:
        return
    if context.resolve(source.get("default")) is flow:
        return
    if source.tag == "exclusiveGateway":
        context.report(flow, "Must have a condition or be default flow")
    else:
        context.report(flow, "Must have a condition")


@rule(kinds.FLOW_NODES)
def conditions_only_at_gateways(context: ValidationContext, node: Node) -> None:
    if node.tag in _CONDITIONAL_SOURCES:
        return
    if any(flow.first("conditionExpression") is not None for flow in context.outgoing_of(node)):
        context.report(
            node, "Conditional sequence flows are only supported at exclusive or inclusive gateway"
        )


@rule(_CONDITIONAL_SOURCES)
def default_flow(context: ValidationContext, gateway: Node) -> None:
    reference = gateway.get("default")
    if not reference:
        return
    flow = context.resolve(reference, "sequenceFlow")
    if flow is None:
        context.report(gateway, f"Default flow '{reference}' does not exist")
    elif context.resolve(flow.get("sourceRef")) is not gateway:
        context.report(gateway, "Default flow must start at gateway")


@rule("eventBasedGateway")
def event_based_gateway(context: ValidationContext, gateway: Node) -> None:
    outgoing = context.outgoing_of(gateway)
    if len(outgoing) < 2:
        context.report(gateway, "Event-based gateway must have at least 2 outgoing sequence flows.")
    targets = [context.flow_target(flow) for flow in outgoing]
    if not all(target is not None and _is_gateway_target(target) for target in targets):
        context.report(
            gateway,
            "Event-based gateway must not have an outgoing sequence flow to other elements than "
            "message/timer/signal/conditional intermediate catch events.",
        )
    definitions = [
        definition
        for target in targets
        if target is not None and target.tag == "intermediateCatchEvent"
        for definition in target.event_definitions
        if definition.tag in ("messageEventDefinition", "signalEventDefinition")
    ]
    duplicate_event_definitions(context, gateway, definitions)
    for target in targets:
        if target is None:
            continue
        sources = {id(context.flow_source(flow)) for flow in context.incoming_of(target)}
        if sources - {id(gateway)}:
            context.report(
                gateway,
                "Target elements of an event gateway must not have any additional incoming "
                "sequence flows other than that from the event gateway.",
            )
            break


def _is_gateway_target(node: Node) -> bool:
    definitions = node.event_definitions
    return (
        node.tag == "intermediateCatchEvent"
        and len(definitions) == 1
        and definitions[0].tag in _EVENT_GATEWAY_TARGETS
    )
