"""Numeric builtins (DMN 1.5 10.3.4.5) and Camunda's ``random number``."""

from __future__ import annotations

import decimal
import random
from decimal import Decimal
from typing import Any

from .._numbers import CTX, to_decimal
from ._registry import Invalid, builtin, num

_MIN_SCALE, _MAX_SCALE = -6111, 6176


def _int_if_integral(d: Decimal) -> Any:
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 34:
        return int(d)
    return d


def _round(n: Any, scale: Any, mode: str) -> Any:
    d = to_decimal(num(n, "n"))
    sc = int(num(scale, "scale"))
    if not _MIN_SCALE <= sc <= _MAX_SCALE:
        raise Invalid(f"scale {sc} out of range")
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -sc and sc > 0:
        return d
    exp = Decimal(1).scaleb(-sc)
    try:
        q = d.quantize(exp, rounding=mode, context=CTX)
    except decimal.InvalidOperation:
        raise Invalid("result has more than 34 digits") from None
    return _int_if_integral(q) if sc <= 0 else q


@builtin("decimal", "n, scale")
def decimal_(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


@builtin("floor", "n")
def floor1(n: Any) -> Any:
    return _round(n, 0, decimal.ROUND_FLOOR)


@builtin("floor", "n, scale")
def floor2(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_FLOOR)


@builtin("ceiling", "n")
def ceiling1(n: Any) -> Any:
    return _round(n, 0, decimal.ROUND_CEILING)


@builtin("ceiling", "n, scale")
def ceiling2(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_CEILING)


@builtin("round up", "n, scale")
def round_up(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_UP)


@builtin("round down", "n, scale")
def round_down(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin("round half up", "n, scale")
def round_half_up(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin("round half down", "n, scale")
def round_half_down(n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", "n")
def abs_(n: Any) -> Any:
    import datetime as _dt

    from ..temporal import YearsMonthsDuration

    if type(n) is _dt.timedelta:
        return abs(n)
    if type(n) is YearsMonthsDuration:
        return YearsMonthsDuration(abs(n.months))
    x = num(n, "n")
    return abs(x) if type(x) is int else CTX.abs(x)


@builtin("modulo", "dividend, divisor")
def modulo(dividend: Any, divisor: Any) -> Any:
    a, b = num(dividend, "dividend"), num(divisor, "divisor")
    if b == 0:
        raise Invalid("division by zero")
    if type(a) is int and type(b) is int:
        return a % b
    da, db = to_decimal(a), to_decimal(b)
    q = CTX.divide_int(da, db)
    r = CTX.subtract(da, CTX.multiply(db, q))
    if r != 0 and (r < 0) != (db < 0):
        r = CTX.add(r, db)
    return r


@builtin("sqrt", "number")
def sqrt(n: Any) -> Any:
    x = num(n, "number")
    if x < 0:
        raise Invalid("square root of a negative number")
    r = CTX.sqrt(to_decimal(x))
    return _int_if_integral(r) if type(x) is int else r


@builtin("log", "number")
def log(n: Any) -> Any:
    x = num(n, "number")
    if x <= 0:
        raise Invalid("logarithm of a number that is not positive")
    return CTX.ln(to_decimal(x))


@builtin("exp", "number")
def exp(n: Any) -> Any:
    return CTX.exp(to_decimal(num(n, "number")))


@builtin("odd", "number")
def odd(n: Any) -> Any:
    x = num(n, "number")
    if x != int(x):
        return None
    return int(x) % 2 == 1


@builtin("even", "number")
def even(n: Any) -> Any:
    x = num(n, "number")
    if x != int(x):
        return None
    return int(x) % 2 == 0


@builtin("random number")
def random_number() -> Any:
    return CTX.plus(Decimal(repr(random.random())))
