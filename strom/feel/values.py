"""FEEL's own value types and the mapping between FEEL values and plain Python.

Inside the evaluator a FEEL value is: None (null), bool, int or Decimal (number; float input is
accepted and read exactly by its shortest repr), str, ``datetime.date`` / ``time`` / ``datetime``
(:class:`~strom.feel.temporal.ExtDate` / ``ExtTime`` / ``ExtDateTime`` for what those can't
hold: years outside 1..9999, nanoseconds), ``timedelta`` (days and time duration),
:class:`YearsMonthsDuration`, list, dict with str keys (context), :class:`FeelRange` and
:class:`FeelFunction`. Input values are not copied on the way in (that would cost a walk over
every variable per evaluation); operators accept the raw forms.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ._numbers import normalize_number
from .temporal import (
    ExtDate,
    ExtDateTime,
    ExtTime,
    YearsMonthsDuration,
    format_temporal,
)

__all__ = [
    "BuiltinFunction",
    "FeelFunction",
    "FeelRange",
    "Overload",
    "UserFunction",
    "from_python",
    "to_python",
    "type_name",
]


@dataclass(frozen=True, slots=True)
class FeelRange:
    """An interval; an endpoint of None means unbounded (``< 10`` is ``(null..10)``)."""

    start_included: bool
    start: Any
    end: Any
    end_included: bool
    #: the operator when written as ``< 10`` etc.; such ranges differ from ``(null..10)``
    origin: str = ""

    def __str__(self) -> str:
        from ._format import to_feel_string

        left = "[" if self.start_included else "("
        right = "]" if self.end_included else ")"
        # "< 10" and "(null..10)" are different values (DMN TCK 0068); each prints as written
        if self.origin in ("<", "<=") and self.start is None:
            return ("<= " if self.end_included else "< ") + to_feel_string(self.end, quoted=True)
        if self.origin in (">", ">=") and self.end is None:
            return (">= " if self.start_included else "> ") + to_feel_string(self.start, quoted=True)
        return (
            f"{left}{to_feel_string(self.start, quoted=True)}..{to_feel_string(self.end, quoted=True)}{right}"
        )


class FeelFunction:
    """Base of function values: builtins and functions defined in FEEL."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def param_names(self) -> list[list[str]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<FEEL function {self.name or 'anonymous'}>"


@dataclass(frozen=True, slots=True)
class Overload:
    params: tuple[str, ...]
    required: int
    impl: Callable[..., Any]
    varargs: bool = False


SINGLE_VALUE_PARAMS: dict[Callable[..., Any], tuple[int, ...]] = {}
"""A builtin implementation's parameters (by position) that take one value, not a list or any value.

A singleton list passed there stands for its element (DMN 1.5 10.3.2.9.4, "from singleton list").
Only a call that fails is retried with the elements, so a successful call pays nothing for it."""


class BuiltinFunction(FeelFunction):
    """A builtin; overloads are chosen by argument count or by the names given."""

    __slots__ = ("overloads",)

    def __init__(self, name: str, overloads: list[Overload]) -> None:
        super().__init__(name)
        self.overloads = overloads

    def param_names(self) -> list[list[str]]:
        return [list(o.params) for o in self.overloads]


class UserFunction(FeelFunction):
    """A function with named parameters: a ``function(a, b) ...`` value, or any Python callable
    taking FEEL values (how the DMN layer hands BKMs and decision services to FEEL)."""

    __slots__ = ("func", "params")

    def __init__(self, params: tuple[str, ...], func: Callable[..., Any], name: str = "") -> None:
        super().__init__(name)
        self.params = params
        self.func = func

    def param_names(self) -> list[list[str]]:
        return [list(self.params)]


def type_name(v: Any) -> str:
    """The FEEL type name of a value, as used in messages and ``instance of``."""
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "boolean"
    if t is int or t is Decimal or t is float:
        return "number"
    if t is str:
        return "string"
    if t is _dt.datetime:
        return "date and time"
    if t is _dt.date:
        return "date"
    if t is _dt.time:
        return "time"
    if t is _dt.timedelta:
        return "days and time duration"
    if t is YearsMonthsDuration:
        return "years and months duration"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, Mapping):
        return "context"
    if t is FeelRange:
        return "range"
    if isinstance(v, FeelFunction):
        return "function"
    if t is ExtDateTime:
        return "date and time"
    if t is ExtDate:
        return "date"
    if t is ExtTime:
        return "time"
    if isinstance(v, _dt.datetime):
        return "date and time"
    if isinstance(v, _dt.date):
        return "date"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "number"
    if isinstance(v, str):
        return "string"
    return t.__name__


def from_python(value: Any) -> Any:
    """Turn plain Python data into canonical FEEL values (floats -> exact Decimal/int, tuples -> lists).

    Raises TypeError for objects FEEL has no type for.
    """
    if value is None:
        return None
    t = type(value)
    if t is bool or t is str:
        return value
    if t is int or t is float or t is Decimal:
        return normalize_number(value)
    if t in (
        _dt.date,
        _dt.datetime,
        _dt.time,
        _dt.timedelta,
        YearsMonthsDuration,
        FeelRange,
        ExtDate,
        ExtDateTime,
        ExtTime,
    ):
        return value
    if isinstance(value, FeelFunction):
        return value
    if isinstance(value, Mapping):
        return {str(k): from_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [from_python(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return normalize_number(int(value))
    if isinstance(value, float):
        return normalize_number(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return value
    raise TypeError(f"no FEEL type for Python {t.__name__}")


def to_python(value: Any, json: bool = False, exact: bool = False) -> Any:
    """Turn a FEEL value into plain Python.

    Numbers: integral -> int; others -> float, or Decimal when ``exact`` and a float would lose
    digits. With ``json=True`` the result is JSON-able: temporal values and ranges become their
    FEEL strings (``"2024-01-31"``, ``"P3D"``) as Zeebe stores them, functions become None.
    Without ``json`` temporal values stay as they are, also the extended ones (``ExtDate`` etc.,
    whose ``str()`` is their ISO 8601 text).
    """
    if value is None:
        return None
    t = type(value)
    if t is bool or t is str or t is int:
        return value
    return _converted(value, t, json, exact)


def _converted(value: Any, t: type, json: bool, exact: bool) -> Any:
    """``to_python`` beyond the scalars it returns as they are.

    Apart, because the comprehensions here close over ``json`` and ``exact``, which would make
    them cells created on every call of ``to_python`` — also for the ``True`` a condition gives
    (and a keyword-only parameter would keep Python from specialising the call): ~2x its cost.
    """
    if t is Decimal:
        if not value.is_finite():
            return None
        if value == value.to_integral_value():
            return int(value)
        f = float(value)
        if exact and Decimal(repr(f)) != value:
            return value
        return f
    if t is float:
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): to_python(v, json=json, exact=exact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_python(v, json=json, exact=exact) for v in value]
    if not json:
        return value
    temporal = format_temporal(value)
    if temporal is not None:
        return temporal
    if t is FeelRange:
        return str(value)
    if isinstance(value, FeelFunction):
        return None
    return value
