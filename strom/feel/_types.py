"""``instance of``: turn a parsed type into a predicate once, at compile time."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from . import ast
from .temporal import ExtDate, ExtDateTime, ExtTime, YearsMonthsDuration
from .values import FeelFunction, FeelRange

__all__ = ["type_checker"]

_SIMPLE: dict[str, Callable[[Any], bool]] = {
    "number": lambda v: type(v) in (int, Decimal, float),
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "date": lambda v: type(v) is _dt.date or type(v) is ExtDate,
    "time": lambda v: type(v) is _dt.time or type(v) is ExtTime,
    "date and time": lambda v: type(v) is _dt.datetime or type(v) is ExtDateTime,
    "dateTime": lambda v: type(v) is _dt.datetime or type(v) is ExtDateTime,
    "days and time duration": lambda v: type(v) is _dt.timedelta,
    "dayTimeDuration": lambda v: type(v) is _dt.timedelta,
    "years and months duration": lambda v: type(v) is YearsMonthsDuration,
    "yearMonthDuration": lambda v: type(v) is YearsMonthsDuration,
    "list": lambda v: isinstance(v, (list, tuple)),
    "context": lambda v: isinstance(v, Mapping),
    "range": lambda v: type(v) is FeelRange,
    "function": lambda v: isinstance(v, FeelFunction),
    "Any": lambda v: v is not None,
    "Null": lambda v: v is None,
}


def type_checker(
    t: ast.TypeRef, extra: Mapping[str, Callable[[Any], bool]] | None = None
) -> Callable[[Any], bool]:
    """A predicate for the type; raises ValueError for an unknown type name.

    ``extra`` adds named types (a DMN model's item definitions) as predicates.
    """
    name = t.name
    if extra and name in extra and not t.params and not t.fields:
        return extra[name]
    if name == "list" and t.params:
        inner = type_checker(t.params[0], extra)
        return lambda v: isinstance(v, (list, tuple)) and all(inner(x) for x in v if x is not None)
    if name == "range" and t.params:
        inner = type_checker(t.params[0], extra)
        return lambda v: type(v) is FeelRange and all(inner(x) for x in (v.start, v.end) if x is not None)
    if name == "context" and t.fields:
        fields = [(k, type_checker(ft, extra)) for k, ft in t.fields]
        return lambda v: (
            isinstance(v, Mapping) and all(k in v and (v[k] is None or chk(v[k])) for k, chk in fields)
        )
    if name == "function":
        return _SIMPLE["function"]
    try:
        return _SIMPLE[name]
    except KeyError:
        raise ValueError(f"unknown type '{name}'") from None
