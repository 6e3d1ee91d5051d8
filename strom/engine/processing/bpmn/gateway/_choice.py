"""Choosing the outgoing flows of exclusive and inclusive gateways by their conditions."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.model import SequenceFlow
from strom.protocol.values.enums import ErrorType

NO_OUTGOING_FLOW_CHOSEN = "Expected at least one condition to evaluate to true, or to have a default flow"


def choose_flows(
    expressions: ExpressionBehavior, context: ElementContext, *, first_only: bool
) -> tuple[SequenceFlow, ...] | Failure:
    """The flows whose condition holds (only the first one for ``first_only``), in model order;
    else the default flow; else a CONDITION_ERROR failure. No outgoing flow: nothing to take (the
    gateway ends the path); a single flow without a condition is simply taken."""
    element = context.element
    outgoing = element.outgoing
    if not outgoing:
        return ()
    if len(outgoing) == 1 and outgoing[0].condition is None:
        return outgoing
    default_id = element.default_flow_id
    chosen: list[SequenceFlow] = []
    default: SequenceFlow | None = None
    for flow in outgoing:
        if flow.id == default_id:
            default = flow
            continue
        if flow.condition is None:
            continue
        holds = expressions.evaluate_bool(flow.condition, context.key, "condition", ErrorType.CONDITION_ERROR)
        if isinstance(holds, Failure):
            holds.scope_key = context.key
            return holds
        if holds:
            chosen.append(flow)
            if first_only:
                break
    if chosen:
        return tuple(chosen)
    if default is not None:
        return (default,)
    return Failure(NO_OUTGOING_FLOW_CHOSEN, ErrorType.CONDITION_ERROR, context.key)
