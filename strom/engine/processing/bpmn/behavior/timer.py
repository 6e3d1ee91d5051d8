"""Timer values at run time: evaluating a timer definition and computing its due dates.

Static values were parsed at deployment; FEEL values are evaluated here (a date-time, a duration
or an ISO 8601 / cron text) and parsed with the same grammar. A date or duration fires once;
``R[n]/...`` fires n times (forever without n) and a cron expression forever.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.feel import YearsMonthsDuration
from strom.model import TimerDefinition
from strom.model.timers import (
    INFINITE,
    CronSchedule,
    Interval,
    RepeatingInterval,
    TimerKind,
    TimerValue,
    TimerValueError,
    parse_timer,
)
from strom.protocol.values.enums import ErrorType

_UTC = _dt.UTC


@dataclass(frozen=True, slots=True)
class TimerSchedule:
    """When a timer fires first and how often (``repetitions`` -1: forever)."""

    value: TimerValue
    due_date: int
    repetitions: int


def to_datetime(millis: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(millis / 1000, _UTC)


def to_millis(moment: _dt.datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    return int(moment.timestamp() * 1000)


def repetitions_of(value: TimerValue) -> int:
    if isinstance(value, RepeatingInterval):
        return value.repetitions
    if isinstance(value, CronSchedule):
        return INFINITE
    return 1


def first_due(value: TimerValue, now: int) -> int:
    """The first due date of a timer started at ``now`` (epoch milliseconds)."""
    if isinstance(value, _dt.datetime):
        return to_millis(value)
    return to_millis(value.due_date(to_datetime(now)))


def next_due(value: TimerValue, previous_due: int, now: int) -> int:
    """The next due date of a repeating timer that fired at ``previous_due``: a cron schedule's
    next match after now; an interval's next step after the previous due date that lies after
    now (a timer that fired late does not fire again for the steps it missed)."""
    if isinstance(value, CronSchedule):
        return to_millis(value.due_date(to_datetime(now)))
    if isinstance(value, RepeatingInterval):
        interval = value.interval
        moment = to_datetime(previous_due)
        following = interval.add_to(moment)
        current = to_datetime(now)
        while following <= current:
            step = interval.add_to(following)
            if step <= following:
                break
            following = step
        return to_millis(following)
    return first_due(value, now)


def _coerce(kind: TimerKind, value: object, source: str) -> TimerValue | str:
    """A FEEL result as a timer value, or the reason it is not one."""
    if isinstance(value, str):
        try:
            return parse_timer(kind, value)
        except TimerValueError as error:
            return str(error)
    if kind is TimerKind.DATE:
        if isinstance(value, _dt.datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
        if isinstance(value, _dt.date):
            return _dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
        expected = "DATE_TIME"
    elif kind is TimerKind.DURATION:
        if isinstance(value, _dt.timedelta):
            return Interval(duration=value)
        if isinstance(value, YearsMonthsDuration):
            return Interval(months=value.months)
        expected = "DURATION, PERIOD, STRING"
    else:
        if isinstance(value, _dt.timedelta):
            return RepeatingInterval(INFINITE, Interval(duration=value))
        expected = "STRING"
    feel_type = "NULL" if value is None else type(value).__name__.upper()
    return f"Expected result of the expression '{source}' to be one of '[{expected}]', but was '{feel_type}'"


class TimerBehavior:
    def __init__(self, expressions: ExpressionBehavior) -> None:
        self._expressions = expressions

    def evaluate(self, definition: TimerDefinition, scope_key: int) -> TimerValue | Failure:
        """The timer's value: the parsed static one, or the FEEL result parsed."""
        expression = definition.expression
        static = definition.value
        if static is not None:
            return static
        result = self._expressions.evaluate(expression, scope_key)
        if isinstance(result, Failure):
            return result
        value = _coerce(definition.kind, result, expression.source)
        if isinstance(value, str):
            return Failure(value, ErrorType.EXTRACT_VALUE_ERROR, scope_key)
        return value

    def schedule(self, definition: TimerDefinition, scope_key: int, now: int) -> TimerSchedule | Failure:
        value = self.evaluate(definition, scope_key)
        if isinstance(value, Failure):
            return value
        try:
            due = first_due(value, now)
        except (OverflowError, ValueError):
            return Failure(
                "Timer duration is too large and results in arithmetic overflow. "
                "Please use a smaller duration value.",
                ErrorType.EXTRACT_VALUE_ERROR,
                scope_key,
            )
        return TimerSchedule(value, due, repetitions_of(value))
