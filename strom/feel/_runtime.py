"""Operators and helpers that compiled FEEL code calls on its slow paths.

Compiled code inlines the common int/str cases and calls these for everything else. Every
helper takes the evaluation environment ``E`` and a site number ``s`` so a failure can say what
failed and where; ``E.fail`` raises in strict mode and returns None (with a warning) in DMN mode.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ._numbers import CTX, fix_int, to_decimal
from .temporal import (
    ExtDate,
    ExtDateTime,
    ExtTime,
    YearsMonthsDuration,
    add_months,
    date_from_ordinal,
    datetime_from_utc_ns,
    datetime_from_wall_ns,
    make_time,
    nanosecond_of,
    ns_td,
    td_ns,
    time_ns,
    time_utc_ns,
    utc_ns,
    wall_ns,
    zone_of,
)
from .values import (
    SINGLE_VALUE_PARAMS,
    BuiltinFunction,
    FeelFunction,
    FeelRange,
    Overload,
    UserFunction,
    type_name,
)

NUMT = frozenset({int, Decimal, float})
#: placeholders in failure messages for the source text of the left and right operand
LEFT, RIGHT = "\x00L", "\x00R"
_ORDERED = frozenset({str, _dt.date, _dt.datetime, _dt.time, _dt.timedelta, YearsMonthsDuration})
MAX_ITEMS = 1_000_000
DT = _dt.datetime
D = _dt.date
TM = _dt.time
TD = _dt.timedelta
YM = YearsMonthsDuration
XD = ExtDate
XDT = ExtDateTime
XTM = ExtTime
#: 1 date, 2 date and time, 3 time: standard and extended (temporal.Ext*) types alike
_KIND = {D: 1, XD: 1, DT: 2, XDT: 2, TM: 3, XTM: 3}
_DAY_NS = 86_400_000_000_000


class Failure(Exception):
    """Raised by a strict environment; CompiledExpression turns it into FeelEvaluationError."""

    def __init__(self, site: int, message: str, operand: int | None = None) -> None:
        super().__init__(message)
        self.site = site
        self.message = message
        self.operand = operand


class Invalid(Exception):
    """Raised by builtins for bad arguments; the call site turns it into a failure."""


class Env:
    """Per-evaluation error policy: strict raises, DMN mode collects warnings."""

    __slots__ = ("iterations", "strict", "warnings")

    def __init__(self, strict: bool, warnings: list[tuple[int, str, int | None]] | None) -> None:
        self.strict = strict
        self.warnings = warnings
        self.iterations = 0
        """Loop iterations so far in this evaluation: nested loops (a ``for`` inside a ``for``, in
        a ``sum(...)``) share one budget of ``MAX_ITEMS``, so no expression can run for minutes or
        build a list of a trillion items, whatever each loop's own size."""

    def fail(self, site: int, message: str, operand: int | None = None) -> Any:
        if self.strict:
            raise Failure(site, message, operand)
        if self.warnings is not None:
            self.warnings.append((site, message, operand))
        return None

    def warn(self, site: int, message: str) -> None:
        if self.warnings is not None:
            self.warnings.append((site, message, None))

    def missing(self, name: str, site: int) -> Any:
        from .builtins import BUILTINS

        fn = BUILTINS.get(name)
        if fn is not None:
            return fn
        if self.warnings is not None:
            self.warnings.append((site, f"no variable found with name '{name}'", None))
        return None


class StrictEvaluation(Env):
    """A fresh ``Env(True, None)`` for one strict evaluation, made in half the time.

    The class has no ``__init__`` of its own to run: its fields start as these class attributes
    (they shadow ``Env``'s slots), and a loop's first ``iterations += 1`` gives the instance its own
    count. A new one per evaluation still, since it carries that evaluation's loop budget.
    """

    strict = True
    warnings = None
    iterations = 0

    __init__ = object.__init__


STRICT = Env(True, None)
QUIET = Env(False, None)


def isctx(x: Any) -> bool:
    return isinstance(x, Mapping)


def islist(x: Any) -> bool:
    return isinstance(x, (list, tuple))


def _aware(x: Any) -> bool:
    return x.tzinfo is not None


# -- arithmetic ----------------------------------------------------------------------------
def _mismatch(op: str, a: Any, b: Any, E: Env, s: int) -> None:
    if type(a) in NUMT and type(b) not in NUMT:
        return E.fail(s, f"expected number, got {type_name(b)}", 1)
    if type(b) in NUMT and type(a) not in NUMT:
        return E.fail(s, f"expected number, got {type_name(a)}", 0)
    return E.fail(
        s, f"operator '{op}' is not defined for {LEFT} ({type_name(a)}) and {RIGHT} ({type_name(b)})"
    )


def add(a: Any, b: Any, E: Env, s: int) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if ta is int and tb is int:
            return fix_int(a + b)
        return CTX.add(to_decimal(a), to_decimal(b))
    if a is None or b is None:
        return None
    if ta is str and tb is str:
        return a + b
    try:
        if tb is YM and ta in (D, DT):
            return add_months(a, b.months)
        if ta is YM and tb in (D, DT):
            return add_months(b, a.months)
        if ta is YM and tb is YM:
            return YM(a.months + b.months)
        if tb is TD and ta is D:
            return (DT(a.year, a.month, a.day) + b).date()
        if ta is TD and tb is D:
            return (DT(b.year, b.month, b.day) + a).date()
        if tb is TD and ta is DT:
            return _dt_plus(a, b)
        if ta is TD and tb is DT:
            return _dt_plus(b, a)
        if ta is TD and tb is TD:
            return a + b
        if ta is TM and tb is TD:
            return (DT.combine(D(2000, 1, 1), a) + b).timetz()
        if ta is TD and tb is TM:
            return (DT.combine(D(2000, 1, 1), b) + a).timetz()
    except OverflowError:
        pass  # beyond the years Python holds: the general path below
    return _temporal_op("+", _t_add, a, b, E, s)


def sub(a: Any, b: Any, E: Env, s: int) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if ta is int and tb is int:
            return fix_int(a - b)
        return CTX.subtract(to_decimal(a), to_decimal(b))
    if a is None or b is None:
        return None
    try:
        if ta is D and tb is D:
            return a - b
        if ta is DT and tb is DT:
            if _aware(a) != _aware(b):
                return E.fail(s, "can't subtract a date and time with a time zone and one without")
            return _utc(a) - _utc(b)
        if (ta is DT and tb is D) or (ta is D and tb is DT):
            # a date counts as midnight UTC; a local date and time has no instant to compare
            other = a if ta is DT else b
            if other.tzinfo is None:
                return E.fail(s, "can't subtract a date and a date and time without a time zone")
            a2 = a if ta is DT else DT(a.year, a.month, a.day, tzinfo=_dt.UTC)
            b2 = b if tb is DT else DT(b.year, b.month, b.day, tzinfo=_dt.UTC)
            return a2 - b2
        if ta is TM and tb is TM:
            if _aware(a) != _aware(b):
                return E.fail(s, "can't subtract a time with a time zone and one without")
            day = D(2000, 1, 1)
            return DT.combine(day, a) - DT.combine(day, b)
        if ta in (D, DT) and tb is YM:
            return add_months(a, -b.months)
        if ta is YM and tb is YM:
            return YM(a.months - b.months)
        if tb is TD and ta is D:
            return (DT(a.year, a.month, a.day) - b).date()
        if tb is TD and ta is DT:
            return _dt_plus(a, -b)
        if tb is TD and ta is TD:
            return a - b
        if ta is TM and tb is TD:
            return (DT.combine(D(2000, 1, 1), a) - b).timetz()
    except OverflowError:
        pass  # beyond the years Python holds: the general path below
    return _temporal_op("-", _t_sub, a, b, E, s)


# -- the general temporal path: every year in temporal.MIN_YEAR..MAX_YEAR, nanoseconds -------
class _TemporalFailure(Exception):
    pass


def _temporal_op(op: str, fn: Callable[[Any, Any], Any], a: Any, b: Any, E: Env, s: int) -> Any:
    """``a op b`` when the standard types can't do it: an extended value (temporal.Ext*) or a
    result outside years 1..9999."""
    try:
        r = fn(a, b)
    except OverflowError:
        return E.fail(s, "date out of range")
    except _TemporalFailure as e:
        return E.fail(s, str(e))
    if r is NotImplemented:
        return _mismatch(op, a, b, E, s)
    return r


def _t_plus(a: Any, kind: int, ns: int) -> Any:
    """A date (kind 1), date and time (2) or time (3) plus ``ns`` nanoseconds, as the standard
    path does: a date moves by whole days from its midnight; a date and time in a named zone by
    exact time (across DST changes), other ones by wall clock; a time wraps around midnight."""
    if kind == 1:
        return date_from_ordinal(a.toordinal() + ns // _DAY_NS)
    if kind == 2:
        tz = a.tzinfo
        if isinstance(tz, ZoneInfo):
            return datetime_from_utc_ns(utc_ns(a) + ns, tz)
        return datetime_from_wall_ns(wall_ns(a) + ns, tz)
    us, nano = divmod((time_ns(a) + ns) % _DAY_NS, 1000)
    secs, us = divmod(us, 1_000_000)
    h, rest = divmod(secs, 3600)
    return make_time(h, rest // 60, rest % 60, us, a.tzinfo, nano, a.fold)


def _t_add(a: Any, b: Any) -> Any:
    if type(a) is TD or type(a) is YM:
        a, b = b, a
    ta, tb = type(a), type(b)
    kind = _KIND.get(ta)
    if kind is None:
        return a + b if ta is TD and tb is TD else NotImplemented
    if tb is YM:
        return add_months(a, b.months) if kind != 3 else NotImplemented
    if tb is TD:
        return _t_plus(a, kind, td_ns(b))
    return NotImplemented


def _t_sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    ka, kb = _KIND.get(ta), _KIND.get(tb)
    if ka is None:
        return a - b if ta is TD and tb is TD else NotImplemented
    if tb is YM:
        return add_months(a, -b.months) if ka != 3 else NotImplemented
    if tb is TD:
        return _t_plus(a, ka, -td_ns(b))
    if kb is None:
        return NotImplemented
    if ka == 1 and kb == 1:
        return _duration((a.toordinal() - b.toordinal()) * _DAY_NS)
    if ka == 3 and kb == 3:
        if _aware(a) != _aware(b):
            raise _TemporalFailure("can't subtract a time with a time zone and one without")
        return _duration(time_utc_ns(a) - time_utc_ns(b))
    if ka == 2 and kb == 2:
        if _aware(a) != _aware(b):
            raise _TemporalFailure("can't subtract a date and time with a time zone and one without")
        return _duration(utc_ns(a) - utc_ns(b))
    if (ka, kb) in ((1, 2), (2, 1)):
        # a date counts as midnight UTC; a local date and time has no instant to compare
        if (a if ka == 2 else b).tzinfo is None:
            raise _TemporalFailure("can't subtract a date and a date and time without a time zone")
        na = utc_ns(a) if ka == 2 else a.toordinal() * _DAY_NS
        nb = utc_ns(b) if kb == 2 else b.toordinal() * _DAY_NS
        return _duration(na - nb)
    return NotImplemented


def _duration(ns: int) -> TD:
    try:
        return ns_td(ns)
    except OverflowError:
        raise _TemporalFailure("duration out of range") from None


def _t_key(x: Any, kind: int) -> int:
    """What orders values of one kind: the day, the instant (the wall clock when local)."""
    if kind == 1:
        return x.toordinal()
    if kind == 2:
        return utc_ns(x)
    return time_utc_ns(x)


def _t_compare(a: Any, b: Any, kind: int, E: Env, s: int) -> int | None:
    if kind != 1 and _aware(a) != _aware(b):
        E.fail(s, f"can't compare a {type_name(a)} with a time zone and one without")
        return None
    x, y = _t_key(a, kind), _t_key(b, kind)
    return -1 if x < y else (1 if x > y else 0)


def _t_eq(a: Any, b: Any, kind: int) -> bool:
    if kind == 1:
        return bool(a.toordinal() == b.toordinal())
    if _aware(a) != _aware(b):
        return False
    # as the standard path: fractions of a second don't count
    x = _t_key(a, kind) - a.microsecond * 1000 - nanosecond_of(a)
    y = _t_key(b, kind) - b.microsecond * 1000 - nanosecond_of(b)
    return x == y


def _utc(x: _dt.datetime) -> _dt.datetime:
    """An aware date and time as UTC (Python compares same-zone values by wall clock)."""
    return x.astimezone(_dt.UTC) if x.tzinfo is not None else x


def _dt_plus(a: _dt.datetime, d: _dt.timedelta) -> _dt.datetime:
    """date and time + days and time duration: exact time, so it crosses DST changes right."""
    if a.tzinfo is None or not isinstance(a.tzinfo, ZoneInfo):
        return a + d
    return (a.astimezone(_dt.UTC) + d).astimezone(a.tzinfo)


def _td_scale(td: _dt.timedelta, n: Any) -> _dt.timedelta:
    us = (td.days * 86400 + td.seconds) * 1000000 + td.microseconds
    return _dt.timedelta(microseconds=int(CTX.multiply(Decimal(us), to_decimal(n)).to_integral_value()))


def mul(a: Any, b: Any, E: Env, s: int) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if ta is int and tb is int:
            return fix_int(a * b)
        return CTX.multiply(to_decimal(a), to_decimal(b))
    if a is None or b is None:
        return None
    try:
        if ta is TD and tb in NUMT:
            return _td_scale(a, b)
        if tb is TD and ta in NUMT:
            return _td_scale(b, a)
        if ta is YM and tb in NUMT:
            return YM(int(CTX.multiply(Decimal(a.months), to_decimal(b))))
        if tb is YM and ta in NUMT:
            return YM(int(CTX.multiply(Decimal(b.months), to_decimal(a))))
    except OverflowError:
        return E.fail(s, "duration out of range")
    return _mismatch("*", a, b, E, s)


def div(a: Any, b: Any, E: Env, s: int) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if b == 0:
            return E.fail(s, "division by zero", 1)
        if ta is int and tb is int and a % b == 0:
            return fix_int(a // b)
        return CTX.divide(to_decimal(a), to_decimal(b))
    if a is None or b is None:
        return None
    try:
        if ta is TD and tb in NUMT:
            if b == 0:
                return E.fail(s, "division by zero", 1)
            us = (a.days * 86400 + a.seconds) * 1000000 + a.microseconds
            return _dt.timedelta(microseconds=int(CTX.divide(Decimal(us), to_decimal(b)).to_integral_value()))
        if ta is TD and tb is TD:
            if not b:
                return E.fail(s, "division by zero", 1)
            ua = (a.days * 86400 + a.seconds) * 1000000 + a.microseconds
            ub = (b.days * 86400 + b.seconds) * 1000000 + b.microseconds
            return div(ua, ub, E, s)
        if ta is YM and tb in NUMT:
            if b == 0:
                return E.fail(s, "division by zero", 1)
            return YM(int(CTX.divide(Decimal(a.months), to_decimal(b))))
        if ta is YM and tb is YM:
            if not b.months:
                return E.fail(s, "division by zero", 1)
            return div(a.months, b.months, E, s)
    except OverflowError:
        return E.fail(s, "duration out of range")
    return _mismatch("/", a, b, E, s)


def power(a: Any, b: Any, E: Env, s: int) -> Any:
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if ta is int and tb is int and b >= 0 and a.bit_length() * b <= 240:
            return fix_int(a**b)
        da, db = to_decimal(a), to_decimal(b)
        if db == db.to_integral_value():
            db = db.to_integral_value()
        elif da < 0:
            return E.fail(s, "can't raise a negative number to a fractional power")
        if da == 0 and db < 0:
            return E.fail(s, "division by zero")
        return CTX.power(da, db)
    if a is None or b is None:
        return None
    return _mismatch("**", a, b, E, s)


def neg(a: Any, E: Env, s: int) -> Any:
    t = type(a)
    if t is int:
        return -a
    if t is Decimal:
        return CTX.minus(a)
    if t is float:
        return CTX.minus(to_decimal(a))
    if a is None:
        return None
    if t is TD:
        return -a
    if t is YM:
        return YM(-a.months)
    return E.fail(s, f"expected number, got {type_name(a)}", 0)


# -- comparison ----------------------------------------------------------------------------
def compare(a: Any, b: Any, E: Env, s: int) -> int | None:
    """-1/0/1, or None when either side is null or the two can't be ordered."""
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        return -1 if a < b else (1 if a > b else 0)
    if a is None or b is None:
        return None
    if ta is tb and ta in _ORDERED:
        if (ta is DT or ta is TM) and _aware(a) != _aware(b):
            E.fail(s, f"can't compare a {type_name(a)} with a time zone and one without")
            return None
        if ta is TM and a.tzinfo is not None:
            a, b = _time_key(a), _time_key(b)
        elif ta is DT and a.tzinfo is not None:
            try:
                a, b = _utc(a), _utc(b)
            except OverflowError:
                return _t_compare(a, b, 2, E, s)
        return -1 if a < b else (1 if a > b else 0)
    kind = _KIND.get(ta)
    if kind is not None and kind == _KIND.get(tb):
        return _t_compare(a, b, kind, E, s)
    E.fail(s, f"can't compare {LEFT} ({type_name(a)}) with {RIGHT} ({type_name(b)})")
    return None


def _time_key(t: _dt.time) -> Any:
    return DT.combine(D(2000, 1, 1), t).astimezone(_dt.UTC)


def lt(a: Any, b: Any, E: Env, s: int) -> bool | None:
    c = compare(a, b, E, s)
    return None if c is None else c < 0


def le(a: Any, b: Any, E: Env, s: int) -> bool | None:
    c = compare(a, b, E, s)
    return None if c is None else c <= 0


def gt(a: Any, b: Any, E: Env, s: int) -> bool | None:
    c = compare(a, b, E, s)
    return None if c is None else c > 0


def ge(a: Any, b: Any, E: Env, s: int) -> bool | None:
    c = compare(a, b, E, s)
    return None if c is None else c >= 0


def eq(a: Any, b: Any, E: Env, s: int) -> bool | None:
    """FEEL equality: null = null is true, null = x false, different types null."""
    if a is None:
        return b is None
    if b is None:
        return False
    ta, tb = type(a), type(b)
    if ta in NUMT and tb in NUMT:
        if ta is float or tb is float:
            return to_decimal(a) == to_decimal(b)
        return bool(a == b)
    if ta is tb and (ta is str or ta is bool or ta is D or ta is TD or ta is YM):
        return bool(a == b)
    if ta is tb and (ta is DT or ta is TM):
        if _aware(a) != _aware(b):
            return False
        if a.microsecond or b.microsecond:
            a, b = a.replace(microsecond=0), b.replace(microsecond=0)
        if ta is TM and a.tzinfo is not None:
            return bool(_time_key(a) == _time_key(b))
        if ta is DT and a.tzinfo is not None:
            try:
                return bool(_utc(a) == _utc(b))
            except OverflowError:
                return _t_eq(a, b, 2)
        return bool(a == b)
    if islist(a) and islist(b):
        if len(a) != len(b):
            return False
        result: bool | None = True
        for x, y in zip(a, b, strict=True):
            r = eq(x, y, E, s)
            if r is False:
                return False
            if r is None:
                result = None
        return result
    if isctx(a) and isctx(b):
        if set(a) != set(b):
            return False
        result = True
        for k in a:
            r = eq(a[k], b[k], E, s)
            if r is False:
                return False
            if r is None:
                result = None
        return result
    if ta is FeelRange and tb is FeelRange:
        return (
            a.origin == b.origin
            and a.start_included == b.start_included
            and a.end_included == b.end_included
            and eq(a.start, b.start, QUIET, s) is True
            and eq(a.end, b.end, QUIET, s) is True
        )
    if isinstance(a, FeelFunction) and isinstance(b, FeelFunction):
        return a is b
    if ta is NotEqualTest and tb is NotEqualTest:
        return eq(a.value, b.value, E, s)
    kind = _KIND.get(ta)
    if kind is not None and kind == _KIND.get(tb):
        return _t_eq(a, b, kind)
    E.fail(s, f"can't compare {LEFT} ({type_name(a)}) with {RIGHT} ({type_name(b)})")
    return None


def ne(a: Any, b: Any, E: Env, s: int) -> bool | None:
    r = eq(a, b, E, s)
    return None if r is None else not r


def and2(a: Any, b: Any) -> bool | None:
    """Second half of ``a and b`` once a is known not to be false."""
    if b is False:
        return False
    if a is True and b is True:
        return True
    return None


def or2(a: Any, b: Any) -> bool | None:
    if b is True:
        return True
    if a is False and b is False:
        return False
    return None


def between(v: Any, lo: Any, hi: Any, E: Env, s: int, s2: int) -> bool | None:
    a = ge(v, lo, E, s)
    if a is False:
        return False
    b = le(v, hi, E, s2)
    return and2(a, b)


# -- ranges and unary tests ----------------------------------------------------------------
def in_range(v: Any, si: bool, lo: Any, hi: Any, ei: bool, unbounded: bool = False) -> bool | None:
    """``v in [lo..hi]``: ``lo <= v and v <= hi`` (DMN 1.5 Table 55).

    A null endpoint compares as null, so the result is false or null, never true (DMN 1.5, issue
    DMN15-78); with ``unbounded`` (a ``< 10`` range's missing side) it is no bound at all.
    """
    if v is None:
        return None
    unknown = False
    if lo is not None:
        c = compare(v, lo, QUIET, 0)
        if c is None:
            return None
        if c < 0 or (c == 0 and not si):
            return False
    elif not unbounded:
        unknown = True
    if hi is not None:
        c = compare(v, hi, QUIET, 0)
        if c is None:
            return None
        if c > 0 or (c == 0 and not ei):
            return False
    elif not unbounded:
        unknown = True
    return None if unknown else True


def make_range(si: bool, lo: Any, hi: Any, ei: bool, E: Env, s: int) -> FeelRange | None:
    if lo is not None and hi is not None:
        ok = (
            (type(lo) in NUMT and type(hi) in NUMT)
            or (type(lo) is type(hi) and type(lo) in _ORDERED)
            or (type(lo) in _KIND and _KIND[type(lo)] == _KIND.get(type(hi)))
        )
        if not ok:
            E.fail(s, f"a range needs endpoints of one type, got {type_name(lo)} and {type_name(hi)}")
            return None
    elif lo is None and hi is None:
        return E.fail(s, "a range needs at least one endpoint")
    return FeelRange(si, lo, hi, ei)


class NotEqualTest:
    """The value of ``!= x`` in an expression: a test that matches anything but x."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def unary_value(op: str, v: Any, E: Env, s: int) -> Any:
    """``< 10`` used as a value is a range (DMN 1.4); ``= x`` is [x..x]."""
    if op == "<":
        return FeelRange(False, None, v, False, op)
    if op == "<=":
        return FeelRange(False, None, v, True, op)
    if op == ">":
        return FeelRange(False, v, None, False, op)
    if op == ">=":
        return FeelRange(True, v, None, False, op)
    if op == "=":
        return FeelRange(True, v, v, True, op)
    return NotEqualTest(v)


def match(v: Any, t: Any) -> bool | None:
    """Does input v satisfy the evaluated positive unary test t? (DMN 1.5, 10.3.2.9.1)"""
    tt = type(t)
    if tt is FeelRange:
        return in_range(v, t.start_included, t.start, t.end, t.end_included, bool(t.origin))
    if tt is NotEqualTest:
        return ne(v, t.value, QUIET, 0)
    if t is None:
        return v is None
    if tt is bool and type(v) is not bool:
        return t
    if islist(t):
        if islist(v) and eq(v, t, QUIET, 0) is True:
            return True
        seen_null = False
        for x in t:
            if type(x) is FeelRange or type(x) is NotEqualTest:
                r = match(v, x)
            else:
                r = eq(v, x, QUIET, 0)
            if r is True:
                return True
            if r is None:
                seen_null = True
        return None if seen_null and v is None else False
    r = eq(v, t, QUIET, 0)
    return r


# -- paths, filters, iteration -------------------------------------------------------------
def _duration_parts(td: _dt.timedelta) -> tuple[int, int, int, int, int]:
    us = (td.days * 86400 + td.seconds) * 1000000 + td.microseconds
    sign = -1 if us < 0 else 1
    secs = abs(us) // 1000000
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    return sign, days, hours, minutes, seconds


def _offset(x: Any) -> Any:
    if x.tzinfo is None:
        return None
    if type(x) is TM or type(x) is XTM:
        return x.utcoffset() if zone_of(x.tzinfo) is None else None
    return x.utcoffset()


def _prop(obj: Any, name: str) -> Any:
    t = type(obj)
    if t is D or t is DT or t is XD or t is XDT:
        if name == "year":
            return obj.year
        if name == "month":
            return obj.month
        if name == "day":
            return obj.day
        if name == "weekday":
            return obj.isoweekday()
    if t is DT or t is TM or t is XDT or t is XTM:
        if name == "hour":
            return obj.hour
        if name == "minute":
            return obj.minute
        if name == "second":
            return obj.second
        if name == "time offset":
            return _offset(obj)
        if name == "timezone":
            return zone_of(obj.tzinfo) or (None if obj.tzinfo is None else _tzname(obj))
    if t is TD:
        sign, days, hours, minutes, seconds = _duration_parts(obj)
        if name == "days":
            return sign * days
        if name == "hours":
            return sign * hours
        if name == "minutes":
            return sign * minutes
        if name == "seconds":
            return sign * seconds
    if t is YM:
        sign = -1 if obj.months < 0 else 1
        if name == "years":
            return sign * (abs(obj.months) // 12)
        if name == "months":
            return sign * (abs(obj.months) % 12)
    if t is FeelRange:
        if name == "start":
            return obj.start
        if name == "end":
            return obj.end
        if name == "start included":
            return obj.start_included
        if name == "end included":
            return obj.end_included
    raise KeyError(name)


def _tzname(x: Any) -> Any:
    off = x.utcoffset()
    return "Z" if off == _dt.timedelta(0) else None


def path(obj: Any, name: str, E: Env, s: int) -> Any:
    if isinstance(obj, Mapping):
        if name in obj:
            return obj[name]
        E.warn(s, f"no context entry found with key '{name}'")
        return None
    if obj is None:
        return None
    if islist(obj):
        return [path(x, name, E, s) for x in obj]
    try:
        return _prop(obj, name)
    except KeyError:
        return E.fail(s, f"no property '{name}' on a value of type {type_name(obj)}")


def index(lst: Any, n: Any, E: Env, s: int) -> Any:
    if lst is None:
        return None
    if not islist(lst):
        lst = [lst]
    if type(n) not in NUMT:
        return E.fail(s, f"expected number as list index, got {type_name(n)}")
    if n != int(n):
        return E.fail(s, f"list index must be an integer, got {n}")
    i = int(n)
    size = len(lst)
    if 1 <= i <= size:
        return lst[i - 1]
    if -size <= i <= -1:
        return lst[size + i]
    E.warn(s, f"index {i} out of range for a list of size {size}")
    return None


def filter_(lst: Any, cond: Callable[[Any], Any], E: Env, s: int) -> Any:
    if lst is None:
        return None
    if not islist(lst):
        lst = [lst]
    out = []
    for i, item in enumerate(lst):
        r = cond(item)
        if r is True:
            out.append(item)
        elif i == 0 and type(r) in NUMT:
            return index(lst, r, E, s)
    return out


def iterate(v: Any, E: Env, s: int) -> Iterable[Any] | None:
    """Items of an iteration context; None (after E.fail) when it can't be iterated."""
    if islist(v):
        return v
    if type(v) is FeelRange:
        lo, hi = v.start, v.end
        if lo is None or hi is None or compare(lo, hi, QUIET, s) == 1:
            return E.fail(s, "can only iterate over a bounded, ascending range")
        if type(lo) in NUMT and type(hi) in NUMT and lo == int(lo) and hi == int(hi):
            lo = int(lo) if v.start_included else int(lo) + 1
            hi = int(hi) if v.end_included else int(hi) - 1
            return int_range(lo, hi, E, s) if lo <= hi else []
        if _KIND.get(type(lo)) == 1 and _KIND.get(type(hi)) == 1:
            first = lo.toordinal() + (0 if v.start_included else 1)
            last = hi.toordinal() - (0 if v.end_included else 1)
            return _date_range(first, last, E, s) if first <= last else []
        return E.fail(s, "can only iterate over ranges of integers or dates")
    if v is None:
        return E.fail(s, "can't iterate over null")
    return [v]


def too_many(E: Env, s: int) -> None:
    return E.fail(s, f"more than {MAX_ITEMS} iterations in one evaluation")


def _date_range(first: int, last: int, E: Env, s: int) -> Iterable[Any] | None:
    """The dates of days ``first`` to ``last`` (ordinals), ascending or descending."""
    days = last - first
    if abs(days) > MAX_ITEMS:
        return E.fail(s, "range too large to iterate")
    step = 1 if days >= 0 else -1
    try:
        return [date_from_ordinal(first + k) for k in range(0, days + step, step)]
    except OverflowError:
        return E.fail(s, "date out of range")


def int_range(lo: Any, hi: Any, E: Env, s: int) -> Iterable[Any] | None:
    """``for i in lo..hi``: integers or dates, ascending or descending."""
    if _KIND.get(type(lo)) == 1 and _KIND.get(type(hi)) == 1:
        return _date_range(lo.toordinal(), hi.toordinal(), E, s)
    if type(lo) not in NUMT or type(hi) not in NUMT:
        return E.fail(
            s, f"a range to iterate needs integers or dates, got {type_name(lo)} and {type_name(hi)}"
        )
    if lo != int(lo) or hi != int(hi):
        return E.fail(s, "a numeric range needs integers")
    a, b = int(lo), int(hi)
    if abs(b - a) > MAX_ITEMS:
        return E.fail(s, f"range of {abs(b - a) + 1} items is too large to iterate")
    return range(a, b + 1) if a <= b else range(a, b - 1, -1)


# -- calls ---------------------------------------------------------------------------------
def call_builtin(name: str, impl: Callable[..., Any], E: Env, s: int, *args: Any) -> Any:
    try:
        return impl(*args)
    except Invalid as e:
        unwrapped = _singletons_unwrapped(impl, args)
        if unwrapped is None:
            return E.fail(s, f"{name}: {e}")
    except (ArithmeticError, ValueError, OverflowError, TypeError, IndexError, KeyError) as e:
        return E.fail(s, f"{name}: {type(e).__name__}: {e}")
    try:  # once more with the singleton lists as their elements; no further unwrapping
        return impl(*unwrapped)
    except Invalid as e:
        return E.fail(s, f"{name}: {e}")
    except (ArithmeticError, ValueError, OverflowError, TypeError, IndexError, KeyError) as e:
        return E.fail(s, f"{name}: {type(e).__name__}: {e}")


def _singletons_unwrapped(impl: Callable[..., Any], args: tuple[Any, ...]) -> list[Any] | None:
    """The arguments with singleton lists unwrapped where one value is expected, or None if none is."""
    single = SINGLE_VALUE_PARAMS.get(impl, ())
    out = list(args)
    changed = False
    for i in single:
        if i < len(out) and type(out[i]) in (list, tuple) and len(out[i]) == 1:
            out[i] = out[i][0]
            changed = True
    return out if changed else None


def select_overload(fn: BuiltinFunction, n: int) -> Overload | None:
    for o in fn.overloads:
        if o.required <= n <= len(o.params) or (o.varargs and n >= o.required):
            return o
    return None


def select_named(fn: BuiltinFunction, names: list[str]) -> tuple[Overload, list[int]] | None:
    """The overload that takes exactly these names, and the position of each given name."""
    for o in fn.overloads:
        if all(nm in o.params for nm in names) and all(p in names for p in o.params[: o.required]):
            return o, [o.params.index(nm) for nm in names]
    return None


def call_value(f: Any, args: list[Any], named: dict[str, Any] | None, E: Env, s: int, label: str = "") -> Any:
    if isinstance(f, UserFunction):
        params = f.params
        if named is not None:
            unknown = [k for k in named if k not in params]
            if unknown:
                return E.fail(s, f"function has no parameter '{unknown[0]}'")
            args = [named.get(p) for p in params]
        elif len(args) != len(params):
            # positionally, every parameter needs its argument (DMN 1.5 10.3.2.13.2); by name one
            # left out is null
            return E.fail(s, f"expected {len(params)} arguments but got {len(args)}")
        return f.func(*args)
    if isinstance(f, BuiltinFunction):
        if named is not None:
            sel = select_named(f, list(named))
            if sel is None:
                return E.fail(s, f"no function '{f.name}' with parameters {', '.join(named)}")
            o, positions = sel
            full: list[Any] = [None] * (max(positions) + 1 if positions else 0)
            for (_, v), pos in zip(named.items(), positions, strict=True):
                full[pos] = v
            return call_builtin(f.name, o.impl, E, s, *full)
        o2 = select_overload(f, len(args))
        if o2 is None:
            return E.fail(s, f"no function '{f.name}' takes {len(args)} arguments")
        return call_builtin(f.name, o2.impl, E, s, *args)
    if f is None:
        return E.fail(s, f"no function found with name '{label}'" if label else "can't call null")
    return E.fail(s, f"expected function, got {type_name(f)}")


def invoke(f: Any, *args: Any) -> Any:
    """Call a function value from inside a builtin (e.g. sort's precedes)."""
    if isinstance(f, UserFunction):
        return f.func(*args)
    if isinstance(f, BuiltinFunction):
        o = select_overload(f, len(args))
        if o is None:
            raise Invalid(f"function '{f.name}' can't take {len(args)} arguments")
        return o.impl(*args)
    raise Invalid(f"expected function, got {type_name(f)}")


def not3(v: Any) -> bool | None:
    if v is True:
        return False
    if v is False:
        return True
    return None
