"""Unary tests: decision-table input entries compiled once, matched against input values."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, cast

from ._runtime import Env, Failure
from .compiler import CompiledCode, compile_tests_tree
from .errors import FeelError
from .expression import _EMPTY, TypePredicates, _check_mode, _Compiled, _keys, _TypeKey
from .parser import parse_unary_tests

__all__ = ["CompiledUnaryTests", "Matches", "compile_unary_tests"]


class Matches(Protocol):
    """``CompiledUnaryTests.matches``: does the input value pass the tests?

    ``mode`` "strict" (or None, the default): a failed operation raises FeelEvaluationError (a
    mismatch of input and test is no match, not a failure); "dmn": failures are no match.
    """

    def __call__(
        self, input_value: Any, variables: Mapping[str, Any] | None = None, mode: str | None = None
    ) -> bool: ...


class CompiledUnaryTests(_Compiled):
    """Decision-table input entries compiled once; ask whether an input value matches.

    ``matches`` (see ``Matches``) is a function of the tests' own rather than a method, generated
    with them (``compiler._matches_lines``), so that the hot loop of a decision table makes one
    call per entry and no allocation: it asks for every input entry of every rule it tries.
    """

    __slots__ = ("matches",)

    matches: Matches

    def __init__(self, source: str, code: CompiledCode, free: frozenset[str]) -> None:
        super().__init__(source, code, free)
        ns = code.strict_ns
        ns["_failure"] = self._failure
        ns["_unexpected"] = self._unexpected
        ns["_other"] = self._other
        self.matches = cast(Matches, code.strict)  # compile_tests_tree always makes it

    def _other(self, input_value: Any, variables: Mapping[str, Any] | None, mode: str) -> bool:
        return self.evaluate_with_warnings(input_value, variables, mode)[0] is True

    def evaluate(
        self, input_value: Any, variables: Mapping[str, Any] | None = None, mode: str = "strict"
    ) -> bool | None:
        """True, False, or None when a test could not decide (null input, type mismatch)."""
        return self.evaluate_with_warnings(input_value, variables, mode)[0]

    def evaluate_with_warnings(
        self, input_value: Any, variables: Mapping[str, Any] | None = None, mode: str = "dmn"
    ) -> tuple[bool | None, list[str]]:
        _check_mode(mode)
        warnings: list[tuple[int, str, int | None]] = []
        env = Env(mode == "strict", warnings)
        try:
            value = self._fn(input_value, _EMPTY if variables is None else variables, env)
        except Failure as f:
            raise self._failure(f) from None
        except FeelError:
            raise
        except Exception as e:
            if mode == "strict":
                raise self._unexpected(e) from None
            return None, [self._warning_text(w) for w in warnings] + [str(self._unexpected(e).message)]
        return value, [self._warning_text(w) for w in warnings]


@functools.lru_cache(maxsize=4096)
def _compile_tests(source: str, names: tuple[str, ...] | None, types: _TypeKey) -> CompiledUnaryTests:
    tree = parse_unary_tests(source, names)
    code, free = compile_tests_tree(source, tree, dict(types) if types else None)
    return CompiledUnaryTests(source, code, free)


def compile_unary_tests(
    source: str, names: Iterable[str] | None = None, types: TypePredicates | None = None
) -> CompiledUnaryTests:
    """Compile decision-table input entries: ``< 10``, ``[1..5]``, ``"a","b"``, ``not(...)``, ``-``."""
    return _compile_tests(source, *_keys(source, names, types))
