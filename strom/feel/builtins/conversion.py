"""Conversion builtins (DMN 1.5 10.3.4.1): date, time, number, string, duration, range, JSON."""

from __future__ import annotations

import datetime as _dt
import json as _json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .._format import format_number, to_feel_string
from .._numbers import CTX, normalize_number, to_decimal
from ..temporal import (
    ExtDate,
    ExtDateTime,
    ExtTime,
    YearsMonthsDuration,
    make_date,
    make_datetime,
    make_time,
    nanosecond_of,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_time,
)
from ..values import FeelFunction, FeelRange, to_python
from ._registry import Invalid, builtin, expect, int_arg, num, text


@builtin("date", "from")
def date1(x: Any) -> Any:
    t = type(x)
    if t is str:
        d = parse_date(x)
        if d is None:
            raise Invalid(f"invalid date {x!r}")
        return d
    if t is _dt.datetime or t is ExtDateTime:
        return x.date()
    if t is _dt.date or t is ExtDate:
        return x
    expect(x, "string or date and time", "from")


@builtin("date", "year, month, day")
def date3(y: Any, m: Any, d: Any) -> Any:
    try:
        return make_date(int_arg(y, "year"), int_arg(m, "month"), int_arg(d, "day"))
    except (ValueError, OverflowError) as e:
        raise Invalid(f"invalid date: {e}") from None


@builtin("date and time", "from")
def date_and_time1(x: Any) -> Any:
    t = type(x)
    if t is str:
        d = parse_datetime(x)
        if d is None:
            raise Invalid(f"invalid date and time {x!r}")
        return d
    if t is _dt.datetime or t is ExtDateTime:
        return x
    if t is _dt.date:
        return _dt.datetime(x.year, x.month, x.day)
    if t is ExtDate:
        return make_datetime(x.year, x.month, x.day)
    expect(x, "string", "from")


@builtin("date and time", "date, time")
def date_and_time2(d: Any, tm: Any) -> Any:
    td, tt = type(d), type(tm)
    if td not in (_dt.date, _dt.datetime, ExtDate, ExtDateTime):
        expect(d, "date", "date")
    if tt is not _dt.time and tt is not ExtTime:
        expect(tm, "time", "time")
    if (td is _dt.date or td is _dt.datetime) and tt is _dt.time:
        return _dt.datetime.combine(d if td is _dt.date else d.date(), tm)
    return make_datetime(
        d.year,
        d.month,
        d.day,
        tm.hour,
        tm.minute,
        tm.second,
        tm.microsecond,
        tm.tzinfo,
        nanosecond_of(tm),
        tm.fold,
    )


@builtin("time", "from")
def time1(x: Any) -> Any:
    t = type(x)
    if t is str:
        v = parse_time(x)
        if v is None:
            raise Invalid(f"invalid time {x!r}")
        return v
    if t is _dt.datetime or t is ExtDateTime:
        return x.timetz()
    if t is _dt.time or t is ExtTime:
        return x
    if t is _dt.date or t is ExtDate:
        return _dt.time(0, 0, 0, tzinfo=_dt.UTC)
    expect(x, "string", "from")


@builtin("time", "hour, minute, second, offset?", nulls=False)
def time4(h: Any, m: Any, s: Any, offset: Any = None) -> Any:
    if h is None or m is None or s is None:
        return None
    sec = to_decimal(num(s, "second"))
    whole = int(sec)
    micro, nano = divmod(int((sec - whole) * 1000000000), 1000)
    tz = None
    if offset is not None:
        if type(offset) is not _dt.timedelta:
            expect(offset, "days and time duration", "offset")
        if abs(offset) > _dt.timedelta(hours=18):
            raise Invalid("offset out of range")
        tz = _dt.timezone(offset) if offset else _dt.UTC
    try:
        return make_time(int_arg(h, "hour"), int_arg(m, "minute"), whole, micro, tz, nano)
    except ValueError as e:
        raise Invalid(f"invalid time: {e}") from None


@builtin("number", "from, grouping separator?, decimal separator?", nulls=False)
def number(x: Any, grouping: Any = None, decimal_sep: Any = None) -> Any:
    if x is None:
        return None
    s = text(x, "from")
    if grouping is not None and grouping not in (" ", ",", "."):
        raise Invalid(f"invalid grouping separator {grouping!r}")
    if decimal_sep is not None and decimal_sep not in (",", "."):
        raise Invalid(f"invalid decimal separator {decimal_sep!r}")
    if grouping is not None and grouping == decimal_sep:
        raise Invalid("grouping and decimal separators must differ")
    if grouping is not None:
        s = s.replace(grouping, "")
    if decimal_sep is not None and decimal_sep != ".":
        s = s.replace(decimal_sep, ".")
    s = s.strip()
    if not s or any(ch not in "0123456789.-+eE" for ch in s):
        raise Invalid(f"not a number: {x!r}")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise Invalid(f"not a number: {x!r}") from None
    return (
        normalize_number(d)
        if d == d.to_integral_value() and "." not in s and "e" not in s.lower()
        else CTX.plus(d)
    )


@builtin("string", "from", nulls=False, any_value="from")
def string(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, FeelFunction):
        raise Invalid("can't convert a function to a string")
    return to_feel_string(x)


@builtin("duration", "from")
def duration(x: Any) -> Any:
    if type(x) in (_dt.timedelta, YearsMonthsDuration):
        return x
    s = text(x, "from")
    d = parse_duration(s)
    if d is None:
        raise Invalid(f"invalid duration {s!r}")
    return d


def _months_between(a: Any, b: Any) -> int:
    """Whole months from a's date to b's (java.time's ``Period.between``, days dropped).

    Only the calendar dates count, as written: a date and time contributes its local date, its
    time of day and zone none. That is what feel-scala (Zeebe) and Drools compute, so
    ``2011-01-28T10:00`` to ``2011-02-28T09:00`` is one month, not zero.
    """
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and b.day < a.day:
        months -= 1
    elif months < 0 and b.day > a.day:
        months += 1
    return months


@builtin("years and months duration", "from, to")
def years_and_months_duration(a: Any, b: Any) -> Any:
    for v, p in ((a, "from"), (b, "to")):
        if type(v) not in (_dt.date, _dt.datetime, ExtDate, ExtDateTime):
            expect(v, "date or date and time", p)
    return YearsMonthsDuration(_months_between(a, b))


def _literal_endpoint(node: Any) -> bool:
    """range() accepts literals and date/time/duration calls on string literals only."""
    from .. import ast

    if node is None:
        return True
    if isinstance(node, ast.Literal):  # null included: "[1..null]" is a range, "[null..null]" is not
        return True
    if isinstance(node, ast.Call) and isinstance(node.callee, ast.Name) and node.named is None:
        return (
            node.callee.name in ("date", "time", "date and time", "duration")
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Literal)
            and node.args[0].kind == "string"
        )
    return False


def _is_null(node: Any) -> bool:
    from .. import ast

    return node is None or (isinstance(node, ast.Literal) and node.kind == "null")


@builtin("range", "from")
def range_(x: Any) -> Any:
    from .. import ast
    from .._runtime import QUIET, compare
    from ..errors import FeelSyntaxError
    from ..expression import compile_expression
    from ..parser import parse_expression

    s = text(x, "from")
    try:
        node = parse_expression(s)
    except FeelSyntaxError as e:
        raise Invalid(f"invalid range {s!r}: {e.message}") from None
    if not isinstance(node, ast.RangeLit) or not (
        _literal_endpoint(node.low) and _literal_endpoint(node.high)
    ):
        raise Invalid(f"not a range literal: {s!r}")
    if _is_null(node.low) and _is_null(node.high):
        raise Invalid(f"a range needs at least one endpoint that is not null: {s!r}")
    value = compile_expression(s).evaluate({}, mode="dmn")
    if type(value) is not FeelRange:
        raise Invalid(f"invalid range {s!r}")
    if value.start is not None and value.end is not None and compare(value.start, value.end, QUIET, 0) == 1:
        raise Invalid(f"range start is after its end: {s!r}")
    return value


def _json_default(v: Any) -> Any:
    if type(v) is Decimal:
        return float(v)
    return to_python(v, json=True)


@builtin("to json", "value", nulls=False)
def to_json(x: Any) -> Any:
    plain = to_python(x, json=True, exact=True)

    def enc(v: Any) -> str:
        if type(v) is Decimal:
            return format_number(v)
        if isinstance(v, Mapping):
            return "{" + ",".join(f"{_json.dumps(str(k))}:{enc(w)}" for k, w in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ",".join(enc(w) for w in v) + "]"
        return _json.dumps(v, ensure_ascii=False)

    return enc(plain)


@builtin("from json", "value")
def from_json(x: Any) -> Any:
    s = text(x, "value")
    try:
        return _json.loads(
            s,
            parse_float=lambda t: normalize_number(Decimal(t)),
            parse_int=lambda t: normalize_number(int(t)),
            parse_constant=lambda t: None,
        )
    except ValueError as e:
        raise Invalid(f"not JSON: {e}") from None
