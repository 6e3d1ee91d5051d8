"""Compiled expressions: the objects other packages hold and evaluate."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from . import ast
from ._runtime import LEFT, RIGHT, STRICT, Env, Failure, StrictEvaluation
from .compiler import CompiledCode, add_strict, compile_tree
from .errors import FeelError, FeelEvaluationError, position_of
from .parser import parse_expression

__all__ = ["CompiledExpression", "Evaluate", "TypePredicates", "compile_expression"]

_EMPTY: Mapping[str, Any] = {}
_MODES = ("strict", "dmn")


class _Compiled:
    __slots__ = ("_code", "_fn", "free_names", "source")

    def __init__(self, source: str, code: CompiledCode, free: frozenset[str]) -> None:
        self.source = source
        self._code = code
        self._fn = code.func
        #: top-level variable names the expression reads (fetch only these)
        self.free_names = free

    def _describe(self, site: int, message: str, operand: int | None) -> tuple[str, int, int]:
        start, end, operands = self._code.sites[site]
        if LEFT in message or RIGHT in message:
            texts = [f"'{self.source[a:b]}'" for a, b in operands] or [f"'{self.source[start:end]}'"] * 2
            message = message.replace(LEFT, texts[0]).replace(RIGHT, texts[-1])
        if operand is not None and operand < len(operands):
            o_start, o_end = operands[operand]
            message = f"{message} for '{self.source[o_start:o_end]}'"
            start = o_start
        line, column = position_of(self.source, start)
        return message, line, column

    def _warning_text(self, w: tuple[int, str, int | None]) -> str:
        message, line, column = self._describe(*w)
        if "\n" in self.source:
            return f"{message} at line {line}, column {column}"
        return f"{message} at column {column}"

    def _failure(self, f: Failure) -> FeelEvaluationError:
        message, line, column = self._describe(f.site, f.message, f.operand)
        return FeelEvaluationError(message, line, column, self.source)

    def _unexpected(self, e: BaseException) -> FeelEvaluationError:
        if isinstance(e, RecursionError):
            message = "evaluation nested too deeply (recursive function?)"
        else:
            message = f"evaluation failed: {type(e).__name__}: {e}"
        return FeelEvaluationError(message, 1, 1, self.source)

    def python_source(self) -> str:
        """The generated Python code (for debugging the compiler)."""
        return self._code.python_source

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source!r}>"


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"mode must be 'strict' or 'dmn', not {mode!r}")


class Evaluate(Protocol):
    """``CompiledExpression.evaluate``: the value of the expression.

    ``mode`` "strict" (or None, the default): a failed operation raises FeelEvaluationError;
    missing variables are null. "dmn": failures yield null (see ``evaluate_with_warnings`` for
    the reasons).
    """

    def __call__(self, variables: Mapping[str, Any] | None = None, mode: str | None = None) -> Any: ...


class CompiledExpression(_Compiled):
    """A FEEL expression compiled once; evaluate it as often as needed, from any thread.

    ``evaluate(variables=None, mode=None)`` (see ``Evaluate``; None is "strict") is not a method
    but an attribute: from the second strict evaluation on it is a function of the expression's own
    (``compiler.add_strict``), so that a strict evaluation is one Python call, as fast as a
    hand-written lambda doing the same. Generating it costs ~100 µs (more than compiling the
    expression did), so an expression evaluated only once, or only in dmn mode, never pays it.
    """

    __slots__ = ("_tree", "_types", "evaluate")

    evaluate: Evaluate

    def __init__(
        self,
        source: str,
        code: CompiledCode,
        free: frozenset[str],
        tree: ast.Node | None = None,
        types: Mapping[str, Callable[[Any], bool]] | None = None,
    ) -> None:
        super().__init__(source, code, free)
        self._tree = tree  # kept until the fast function is built
        self._types = types
        self.evaluate = self._cold

    def _cold(self, variables: Mapping[str, Any] | None = None, mode: str | None = None) -> Any:
        """The first strict evaluation: the general path; the next one builds the fast function.

        Evaluations in dmn mode don't count: the fast function is for strict mode only.
        """
        if mode is None or mode == "strict":
            self.evaluate = self._warm
        return self._evaluate(variables, mode)

    def _warm(self, variables: Mapping[str, Any] | None = None, mode: str | None = None) -> Any:
        """The second strict evaluation: build the fast function and make it ``evaluate``.

        Without a lock: the thread that takes the tree builds (two that both take it build the
        same); any thread that finds the function built installs it (again, should a late first
        evaluation have put this method back).
        """
        if mode is not None and mode != "strict":
            return self._evaluate(variables, mode)
        tree, self._tree = self._tree, None
        code = self._code
        if tree is not None and code.strict is None:
            hooks: dict[str, Callable[..., Any]] = {
                "_failure": self._failure,
                "_deopt": self._evaluate_strict,
                "_other": self._evaluate,
            }
            add_strict(code, self.source, tree, self._types, hooks)
        if code.strict is not None:
            self.evaluate = code.strict
            return code.strict(variables, mode)
        if tree is not None:  # too long to specialise
            self.evaluate = self._evaluate
        return self._evaluate(variables, mode)

    def strict_python_source(self) -> str:
        """The generated strict evaluation (empty until built; see the class docstring)."""
        return self._code.strict_source

    def _evaluate(self, variables: Mapping[str, Any] | None = None, mode: str | None = None) -> Any:
        if mode is None or mode == "strict":
            return self._evaluate_strict(variables)
        return self.evaluate_with_warnings(variables, mode)[0]

    def _evaluate_strict(self, variables: Mapping[str, Any] | None) -> Any:
        """The general strict path, which the generated one falls back to."""
        try:
            # a fresh Env per evaluation when it carries a loop budget; else a shared one
            env = StrictEvaluation() if self._code.loops else STRICT
            return self._fn(_EMPTY if variables is None else variables, env)
        except Failure as f:
            raise self._failure(f) from None
        except FeelError:
            raise
        except Exception as e:
            raise self._unexpected(e) from None

    def evaluate_with_warnings(
        self, variables: Mapping[str, Any] | None = None, mode: str = "dmn"
    ) -> tuple[Any, list[str]]:
        """(value, warnings); in strict mode failures still raise."""
        _check_mode(mode)
        warnings: list[tuple[int, str, int | None]] = []
        env = Env(mode == "strict", warnings)
        try:
            value = self._fn(_EMPTY if variables is None else variables, env)
        except Failure as f:
            raise self._failure(f) from None
        except FeelError:
            raise
        except Exception as e:
            if mode == "strict":
                raise self._unexpected(e) from None
            return None, [self._warning_text(w) for w in warnings] + [str(self._unexpected(e).message)]
        return value, [self._warning_text(w) for w in warnings]


TypePredicates = Mapping[str, Callable[[Any], bool]]
_TypeKey = tuple[tuple[str, Callable[[Any], bool]], ...] | None


@functools.lru_cache(maxsize=4096)
def _compile_expression(source: str, names: tuple[str, ...] | None, types: _TypeKey) -> CompiledExpression:
    tree = parse_expression(source, names)
    type_map = dict(types) if types else None
    code, free = compile_tree(source, tree, type_map)
    return CompiledExpression(source, code, free, tree, type_map)


def _keys(
    source: str, names: Iterable[str] | None, types: TypePredicates | None
) -> tuple[tuple[str, ...] | None, _TypeKey]:
    if not isinstance(source, str):
        raise TypeError("FEEL source must be a string")
    return (
        tuple(sorted(names)) if names else None,
        tuple(sorted(types.items(), key=lambda kv: kv[0])) if types else None,
    )


def compile_expression(
    source: str, names: Iterable[str] | None = None, types: TypePredicates | None = None
) -> CompiledExpression:
    """Parse and compile; raises FeelSyntaxError(message, line, column, source) at once.

    ``names``: variable names containing characters FEEL would read as operators
    (``Pre-bureau risk``), so the parser can recognise them. ``types``: extra type names for
    ``instance of`` (a DMN model's item definitions) as predicates. Results are cached.
    """
    return _compile_expression(source, *_keys(source, names, types))
