"""FEEL numbers: ints while exact, Decimal with 34 significant digits otherwise."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

__all__ = ["CTX", "NUMBER_TYPES", "is_number", "normalize_number", "parse_number", "to_decimal"]

#: IEEE 754 decimal128, which DMN prescribes; traps turn overflow into an evaluation error
CTX = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
NUMBER_TYPES = frozenset({int, Decimal, float})
_BIG = 10**34


def is_number(x: Any) -> bool:
    return type(x) in NUMBER_TYPES


def to_decimal(x: Any) -> Decimal:
    t = type(x)
    if t is Decimal:
        return x
    if t is float:
        return Decimal(repr(x))
    return Decimal(x)


def normalize_number(x: Any) -> Any:
    """Bring any number into FEEL's domain: ints stay ints when under 34 digits."""
    t = type(x)
    if t is int:
        if -_BIG < x < _BIG:
            return x
        return CTX.plus(Decimal(x))
    if t is float:
        if x != x or x in (float("inf"), float("-inf")):
            return None
        d = Decimal(repr(x))
        return int(d) if d == d.to_integral_value() and abs(d) < _BIG else CTX.plus(d)
    if t is Decimal:
        if not x.is_finite():
            return None
        return CTX.plus(x)
    return x


def fix_int(x: int) -> Any:
    """Keep int results inside 34 digits; beyond that they become rounded Decimals."""
    if -_BIG < x < _BIG:
        return x
    return CTX.plus(Decimal(x))


def parse_number(text: str) -> Any:
    """A FEEL numeric literal: int when integral and short, else Decimal rounded to 34 digits."""
    if text.isdigit() and len(text) <= 34:
        return int(text)
    d = Decimal(text)
    if d == d.to_integral_value() and abs(d) < _BIG and "e" not in text.lower() and "." not in text:
        return int(d)
    return CTX.plus(d)
