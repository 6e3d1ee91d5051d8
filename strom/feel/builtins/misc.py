"""Boolean and miscellaneous builtins: not, is, is defined, get or else, assert, fromAi."""

from __future__ import annotations

from typing import Any

from .._runtime import QUIET, Invalid, eq
from ..values import type_name
from ._registry import builtin


@builtin("not", "negand", nulls=False)
def not_(x: Any) -> Any:
    if type(x) is list and len(x) == 1:  # a singleton list is its element (DMN 1.5 10.3.2.9.4)
        x = x[0]
    if x is True:
        return False
    if x is False:
        return True
    return None


@builtin("is", "value1, value2", nulls=False)
def is_(a: Any, b: Any) -> Any:
    if type_name(a) != type_name(b):
        return False
    import datetime as _dt

    from ..temporal import ExtDateTime, ExtTime

    if type(a) in (_dt.datetime, _dt.time, ExtDateTime, ExtTime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        if a.tzinfo is not None and (a.utcoffset() != b.utcoffset() or str(a.tzinfo) != str(b.tzinfo)):
            return False
    return eq(a, b, QUIET, 0) is True


@builtin("is defined", "value", nulls=False)
def is_defined(x: Any) -> Any:
    return x is not None


@builtin("get or else", "value, default", nulls=False)
def get_or_else(x: Any, default: Any) -> Any:
    return default if x is None else x


@builtin("assert", "value, condition", nulls=False)
def assert2(value: Any, condition: Any) -> Any:
    if condition is not True:
        raise Invalid("the assertion failed")
    return value


@builtin("assert", "value, condition, cause", nulls=False)
def assert3(value: Any, condition: Any, cause: Any) -> Any:
    if condition is not True:
        raise Invalid(str(cause))
    return value


@builtin(
    "fromAi",
    "value, description?, type?, schema?, options?",
    nulls=False,
    any_value="value, description, type, schema, options",
)
def from_ai(
    value: Any, description: Any = None, kind: Any = None, schema: Any = None, options: Any = None
) -> Any:
    """Camunda 8.8's marker for a value an AI agent fills in (a tool's input mapping): it evaluates
    to ``value``; the other arguments describe it to the agent (``adHocSubProcessElements``)."""
    return value
