"""How builtins declare themselves, and the argument checks they share."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from .._runtime import Invalid
from ..temporal import ExtDate, ExtDateTime, ExtTime
from ..values import SINGLE_VALUE_PARAMS, FeelFunction, FeelRange, Overload, type_name

__all__ = ["REGISTRY", "Invalid", "builtin", "expect", "int_arg", "list_arg", "num", "text"]

REGISTRY: dict[str, list[Overload]] = {}
F = TypeVar("F", bound=Callable[..., Any])
NUMT = (int, Decimal, float)


# parameters that take a list or any value: a singleton list there is itself, not its element
_LIST_OR_ANY = frozenset(
    {"list", "item", "element", "newItem", "value", "value1", "value2", "default", "keys", "key or keys"}
    | {"contexts", "entries", "precedes"}
)


def builtin(
    name: str, params: str = "", *, varargs: bool = False, nulls: bool = True, any_value: str = ""
) -> Callable[[F], F]:
    """Register an overload. ``params`` lists names, ``?`` marks optional ones.

    With ``nulls`` (the default) a null argument makes the result null without calling the
    function, which is what almost every builtin in the spec does. ``any_value`` names further
    parameters that take any value (``string(from)``), beyond the usual list/any names; on every
    other parameter a singleton list stands for its element.
    """
    names = [p.strip() for p in params.split(",") if p.strip()]
    required = sum(1 for p in names if not p.endswith("?"))
    clean = tuple(p.rstrip("?") for p in names)
    keep = _LIST_OR_ANY | {p.strip() for p in any_value.split(",")}
    single = () if varargs else tuple(i for i, p in enumerate(clean) if p not in keep)

    def deco(fn: F) -> F:
        impl: Callable[..., Any] = fn
        if nulls:

            def impl(*args: Any, _fn: Callable[..., Any] = fn) -> Any:
                for a in args:
                    if a is None:
                        return None
                return _fn(*args)

        REGISTRY.setdefault(name, []).append(Overload(clean, required, impl, varargs))
        if single:
            SINGLE_VALUE_PARAMS[impl] = single
        return fn

    return deco


def expect(value: Any, what: str, pname: str) -> None:
    raise Invalid(f"expected {what}, got {type_name(value)} for '{pname}'")


def num(x: Any, pname: str) -> Any:
    if type(x) not in NUMT:
        expect(x, "number", pname)
    if type(x) is float:
        return Decimal(repr(x))
    return x


def int_arg(x: Any, pname: str) -> int:
    x = num(x, pname)
    if x != int(x):
        raise Invalid(f"expected an integer for '{pname}', got {x}")
    return int(x)


def text(x: Any, pname: str) -> str:
    if type(x) is not str:
        expect(x, "string", pname)
    return x


def list_arg(x: Any, pname: str) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]  # DMN 1.5 10.3.2.9.4: a single value converts to a singleton list


def ctx_arg(x: Any, pname: str) -> Mapping[str, Any]:
    if isinstance(x, Mapping):
        return x
    expect(x, "context", pname)
    return {}


def func_arg(x: Any, pname: str) -> FeelFunction:
    if isinstance(x, FeelFunction):
        return x
    expect(x, "function", pname)
    raise AssertionError


def is_temporal(x: Any) -> bool:
    return type(x) in (_dt.date, _dt.datetime, _dt.time, ExtDate, ExtDateTime, ExtTime)


def is_range(x: Any) -> bool:
    return type(x) is FeelRange
