"""FEEL's string form of values: what ``string(x)`` returns and what messages show."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._numbers import CTX
from .temporal import format_temporal

__all__ = ["format_number", "to_feel_string"]


def format_number(x: Any) -> str:
    """Plain notation without trailing zeros: 1.50 -> "1.5", 1E+2 -> "100"."""
    t = type(x)
    if t is int:
        return str(x)
    if t is float:
        x = Decimal(repr(x))
    d: Decimal = x
    if d == d.to_integral_value():
        return str(int(d))
    text = format(d.normalize(CTX), "f")
    return text


_NOT_IN_KEYS = frozenset('{}[]():,"\\')


def _key(k: Any) -> str:
    """A context key as FEEL writes it: bare, or a string literal when bare would not read back."""
    key = str(k)
    if key and key.strip() == key and not any(c in _NOT_IN_KEYS for c in key):
        return key
    return to_feel_string(key, quoted=True)


def to_feel_string(v: Any, quoted: bool = False) -> str:
    """The string of a value; nested strings are quoted so lists and contexts read as FEEL."""
    if v is None:
        return "null"
    t = type(v)
    if t is str:
        if not quoted:
            return v
        escaped = v.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if t is bool:
        return "true" if v else "false"
    if t is int or t is Decimal or t is float:
        return format_number(v)
    temporal = format_temporal(v)
    if temporal is not None:
        return temporal
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(to_feel_string(x, True) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {to_feel_string(x, True)}" for k, x in v.items()) + "}"
    return str(v)
