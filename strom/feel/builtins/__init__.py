"""All builtin functions, by name. Each area registers itself in its own module."""

from __future__ import annotations

from ..values import BuiltinFunction
from . import context, conversion, lists, misc, numeric, ranges, strings, temporal
from ._registry import REGISTRY

__all__ = ["BUILTINS"]

_AREAS = (context, conversion, lists, misc, numeric, ranges, strings, temporal)

#: name -> function value; the compiler binds calls to these at compile time
BUILTINS: dict[str, BuiltinFunction] = {
    name: BuiltinFunction(name, overloads) for name, overloads in REGISTRY.items()
}
