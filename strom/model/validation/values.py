"""Rules on attribute values: which may be FEEL, which must be, and what static values must look
like (Zeebe's deployment-time "runtime validators")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from strom.model import _feel, timers
from strom.model.expressions import (
    feel_syntax_error,
    parse_csv,
    parse_expression,
    parse_int,
    path_problems,
)
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import document_rule, rule

StaticCheck = tuple[Callable[[str], bool], str]
_QUOTE_LIMIT = 120


def _shown(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """A value as quoted in a problem: long values are cut so a message stays a line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_expression(
    context: ValidationContext,
    node: Node,
    text: str | None,
    *,
    mandatory: bool = False,
    non_static: bool = False,
    static: StaticCheck | None = None,
) -> None:
    """Zeebe's expression verification: presence, FEEL syntax, FEEL-only, static shape."""
    if text is None:
        if mandatory:
            context.report(node, "Expected expression but not found.")
        return
    expression = parse_expression(text)
    if not expression.is_static:
        error = feel_syntax_error(expression)
        if error is not None:
            context.report(node, f"Invalid FEEL expression '{_shown(expression.source)}': {error}")
        return
    if non_static:
        shown = _shown(text)
        context.report(
            node,
            f"Expected expression but found static value '{shown}'. An expression must start with "
            f"'=' (e.g. '={shown}').",
        )
        return
    if static is not None:
        is_valid, description = static
        if not is_valid(text):
            context.report(node, f"Expected static value to {description}, but found '{_shown(text)}'.")


def _path(context: ValidationContext, node: Node, path: str | None) -> None:
    for problem in path_problems(path):
        context.report(node, problem)


@rule("zeebe:input")
def input_mapping(context: ValidationContext, node: Node) -> None:
    # no source: the target becomes null (Zeebe 8.8; the AI Agent template emits such inputs)
    if node.get("source") is not None:
        check_expression(context, node, node.get("source"), mandatory=True)
    _path(context, node, node.get("target"))


@rule("zeebe:output")
def output_mapping(context: ValidationContext, node: Node) -> None:
    check_expression(context, node, node.get("source"), mandatory=True, non_static=True)
    _path(context, node, node.get("target"))


@rule("zeebe:subscription")
def subscription(context: ValidationContext, node: Node) -> None:
    if node.get("correlationKey"):
        check_expression(context, node, node.get("correlationKey"), mandatory=True, non_static=True)


@rule("zeebe:publishMessage")
def publish_message(context: ValidationContext, node: Node) -> None:
    for attribute in ("correlationKey", "messageId", "timeToLive"):
        check_expression(context, node, node.get(attribute))


@rule("zeebe:loopCharacteristics")
def loop_characteristics(context: ValidationContext, node: Node) -> None:
    if node.get("inputCollection"):
        check_expression(context, node, node.get("inputCollection"), mandatory=True, non_static=True)
    check_expression(context, node, node.get("outputElement") or None, non_static=True)


@rule("multiInstanceLoopCharacteristics", "adHocSubProcess")
def completion_condition(context: ValidationContext, node: Node) -> None:
    condition = node.first("completionCondition")
    if condition is not None and condition.text:
        check_expression(context, condition, condition.text, non_static=node.tag == "adHocSubProcess")


@rule("zeebe:adHoc")
def ad_hoc(context: ValidationContext, node: Node) -> None:
    check_expression(context, node, node.get("activeElementsCollection") or None, non_static=True)
    check_expression(context, node, node.get("outputElement") or None)


@rule("conditionExpression")
def condition_expression(context: ValidationContext, node: Node) -> None:
    check_expression(context, node, node.text, mandatory=True, non_static=True)


@rule("condition")
def event_condition(context: ValidationContext, node: Node) -> None:
    if node.text:
        check_expression(context, node, node.text, non_static=True)


@rule("zeebe:taskDefinition", "zeebe:executionListener", "zeebe:taskListener")
def job_type_and_retries(context: ValidationContext, node: Node) -> None:
    if node.get("type"):
        check_expression(context, node, node.get("type"), mandatory=True)
    if node.get("retries"):
        check_expression(context, node, node.get("retries"), static=_INTEGER)


_INTEGER: StaticCheck = (lambda text: parse_int(text) is not None, "be a number")


@rule("zeebe:calledElement")
def called_element(context: ValidationContext, node: Node) -> None:
    if node.get("processId"):
        check_expression(context, node, node.get("processId"), mandatory=True)


@rule("zeebe:calledDecision")
def called_decision(context: ValidationContext, node: Node) -> None:
    if node.get("decisionId"):
        check_expression(context, node, node.get("decisionId"), mandatory=True)


@rule("zeebe:script")
def script(context: ValidationContext, node: Node) -> None:
    if node.get("expression"):
        check_expression(context, node, node.get("expression"), mandatory=True, non_static=True)


_CSV: StaticCheck = (
    lambda text: parse_csv(text) is not None,
    "be a list of comma-separated values, e.g. 'a,b,c'",
)


@rule("zeebe:assignmentDefinition")
def assignment(context: ValidationContext, node: Node) -> None:
    check_expression(context, node, node.get("assignee"))
    check_expression(context, node, node.get("candidateGroups"), static=_CSV)
    check_expression(context, node, node.get("candidateUsers"), static=_CSV)


def _is_date_time(text: str) -> bool:
    try:
        timers.parse_date_time(text)
    except timers.TimerValueError:
        return False
    return True


_DATE_TIME: StaticCheck = (_is_date_time, "be a valid DateTime String, e.g. '2023-03-02T15:35+02:00'")


@rule("zeebe:taskSchedule")
def schedule(context: ValidationContext, node: Node) -> None:
    for attribute in ("dueDate", "followUpDate"):
        value = node.get(attribute)
        if value and value.strip():
            check_expression(context, node, value, static=_DATE_TIME)


def _is_priority(text: str) -> bool:
    return parse_int(text) is not None


@rule("zeebe:priorityDefinition")
def priority(context: ValidationContext, node: Node) -> None:
    value = node.get("priority")
    if not value:
        return
    check_expression(
        context, node, value, mandatory=True, static=(_is_priority, "be a valid Number between 0 and 100")
    )
    number = parse_int(value)
    if number is not None and not 0 <= number <= 100:
        context.report(node, f"Priority must be a number between 0 and 100, but was '{value}'")


@rule("zeebe:formDefinition")
def form(context: ValidationContext, node: Node) -> None:
    check_expression(context, node, node.get("formId") or None)
    check_expression(context, node, node.get("externalReference") or None)


@rule("errorEventDefinition", "escalationEventDefinition")
def thrown_code(context: ValidationContext, definition: Node) -> None:
    event = definition.parent
    if event is None or event.tag not in ("endEvent", "intermediateThrowEvent"):
        return
    attribute, code = (
        ("errorRef", "errorCode")
        if definition.tag == "errorEventDefinition"
        else ("escalationRef", "escalationCode")
    )
    target = context.resolve(definition.get(attribute))
    if target is not None:
        check_expression(context, definition, target.get(code) or None)


@rule("startEvent")
def start_event_name(context: ValidationContext, event: Node) -> None:
    """Message and signal names of process start events must be constant strings (Zeebe
    subscribes to them at deployment, before any variable exists)."""
    if event.parent is None or event.parent.tag != "process" or not _feel.checks_at_deployment():
        return
    for definition in event.event_definitions:
        if definition.tag not in ("messageEventDefinition", "signalEventDefinition"):
            continue
        kind = "message" if definition.tag == "messageEventDefinition" else "signal"
        target = context.resolve(definition.get(f"{kind}Ref"), kind)
        name = target.name if target is not None else None
        if not name:
            continue
        expression = parse_expression(name)
        if expression.is_static or feel_syntax_error(expression) is not None:
            continue
        try:
            value = _feel.evaluate_constant(expression.source)
        except _feel.ConstantEvaluationError as error:
            context.report(
                event,
                f"Expected constant expression but found '{name}', which could not be evaluated "
                f"without context: {error}",
            )
            continue
        if not isinstance(value, str):
            context.report(
                event,
                f"Expected constant expression of type String for {kind} name '{name}', "
                f"but was {_feel.result_type(value)}",
            )


@document_rule
def root_names(context: ValidationContext) -> None:
    for tag in ("message", "signal"):
        for node in context.document.root.all(tag):
            check_expression(context, node, node.name)


_TIMER_KINDS = {
    "timeDate": timers.TimerKind.DATE,
    "timeDuration": timers.TimerKind.DURATION,
    "timeCycle": timers.TimerKind.CYCLE,
}


@rule("timerEventDefinition")
def timer_value(context: ValidationContext, definition: Node) -> None:
    """Static timers must parse; timers of process start events are evaluated without variables
    (Zeebe schedules them at deployment)."""
    event = definition.parent
    if event is None or event.tag not in ("startEvent", "intermediateCatchEvent", "boundaryEvent"):
        return
    process_start = event.tag == "startEvent" and event.parent is not None and event.parent.tag == "process"
    for child in definition.children:
        kind = _TIMER_KINDS.get(child.tag)
        if kind is None:
            continue
        expression = parse_expression(child.text)
        if not expression.is_static:
            check_expression(context, child, child.text)
            if process_start and feel_syntax_error(expression) is None and _feel.checks_at_deployment():
                _constant_timer(context, child, kind, expression.source)
            break
        try:
            value = timers.parse_timer(kind, child.text)
            timers.check_due_date(value, datetime.now(UTC))
        except timers.TimerValueError as error:
            context.report(child, f"Invalid timer {kind.value} expression ({_shown(str(error), 300)})")
        break


_TIMER_RESULTS = {
    timers.TimerKind.DATE: "[DATE_TIME, STRING]",
    timers.TimerKind.DURATION: "[DURATION, PERIOD, STRING]",
    timers.TimerKind.CYCLE: "[STRING]",
}


def _constant_timer(context: ValidationContext, node: Node, kind: timers.TimerKind, source: str) -> None:
    try:
        value = _feel.evaluate_constant(source)
        if isinstance(value, str):
            timers.check_due_date(timers.parse_timer(kind, value), datetime.now(UTC))
            return
        matches = {
            timers.TimerKind.DATE: isinstance(value, datetime),
            timers.TimerKind.DURATION: _feel.result_type(value) in ("DURATION", "PERIOD"),
            timers.TimerKind.CYCLE: False,
        }[kind]
        if not matches:
            raise timers.TimerValueError(
                f"Expected result of the expression '{source}' to be one of "
                f"'{_TIMER_RESULTS[kind]}', but was '{_feel.result_type(value)}'"
            )
    except (_feel.ConstantEvaluationError, timers.TimerValueError) as error:
        context.report(node, f"Invalid timer {kind.value} expression ({_shown(str(error), 300)})")
