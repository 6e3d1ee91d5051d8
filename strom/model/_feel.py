"""The only link between the model and the FEEL package.

Expressions compile through ``compile_feel`` lazily, on first use, so the model works even
without ``strom.feel``. With it, ``SYNTAX_CHECK_AT_DEPLOYMENT`` turns on Zeebe's deployment-time
syntax check: a FEEL syntax error then rejects the resource instead of failing the first process
instance that evaluates it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

SYNTAX_CHECK_AT_DEPLOYMENT = True
"""Compile every FEEL expression while validating a resource (when ``strom.feel`` is there)."""


class CompiledFeel(Protocol):
    """What ``strom.feel.compile_expression`` returns."""

    @property
    def free_names(self) -> Any: ...

    def evaluate(self, variables: Any) -> Any: ...


class FeelUnavailableError(RuntimeError):
    """FEEL is needed to evaluate an expression but ``strom.feel`` cannot be imported."""


class ConstantEvaluationError(ValueError):
    """An expression that must be constant could not be evaluated without variables."""


@lru_cache(maxsize=1)
def _api() -> tuple[Callable[[str], CompiledFeel], type[Exception]] | None:
    try:
        from strom.feel import FeelSyntaxError, compile_expression
    except ImportError:
        return None
    return compile_expression, FeelSyntaxError


def checks_at_deployment() -> bool:
    """Whether FEEL is compiled (and start event names evaluated) while validating."""
    return SYNTAX_CHECK_AT_DEPLOYMENT and _api() is not None


@lru_cache(maxsize=4096)
def compile_feel(source: str) -> CompiledFeel:
    """Compile FEEL ``source`` (without the leading ``=``); raises ``strom.feel.FeelSyntaxError``."""
    api = _api()
    if api is None:
        raise FeelUnavailableError("FEEL expressions cannot be compiled: strom.feel is not available")
    return api[0](source)


def syntax_error_of(source: str) -> str | None:
    """Why ``source`` does not compile, or None when it does (or checking is off)."""
    api = _api()
    if not checks_at_deployment() or api is None:
        return None
    try:
        compile_feel(source)
    except api[1] as error:
        return _describe(error)
    except Exception as error:  # a compiler failure must reject the resource, not escape
        return f"cannot be compiled ({type(error).__name__}: {error})"
    return None


def evaluate_constant(source: str) -> Any:
    """Evaluate ``source`` with no variables, as Zeebe does for names of process start events."""
    try:
        return compile_feel(source).evaluate({})
    except Exception as error:  # syntax, evaluation or availability: all mean "not a constant"
        raise ConstantEvaluationError(str(error)) from None


def result_type(value: Any) -> str:
    """Zeebe's name for the type of an evaluation result."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return "NUMBER"
    if isinstance(value, list | tuple):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    if isinstance(value, datetime):
        return "DATE_TIME"
    if isinstance(value, timedelta):
        return "DURATION"
    if type(value).__name__ == "YearsMonthsDuration":
        return "PERIOD"
    return type(value).__name__.upper()


def _describe(error: Exception) -> str:
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    message = getattr(error, "message", None) or str(error)
    if line is not None and column is not None:
        return f"{message} (at line {line}, column {column} of the expression)"
    return str(message)
