"""The only link between the model and the FEEL package.

``strom.feel`` is written alongside this package. Expressions compile through ``compile_feel``
lazily, on first use, so the model works before FEEL exists. Once ``compile_expression`` is
available, ``SYNTAX_CHECK_AT_DEPLOYMENT`` turns on Zeebe's deployment-time syntax check: a FEEL
syntax error then rejects the resource instead of failing the first process instance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

SYNTAX_CHECK_AT_DEPLOYMENT = True
"""Compile every FEEL expression while validating a resource (needs ``strom.feel``)."""


class CompiledFeel(Protocol):
    """What ``strom.feel.compile_expression`` returns."""

    @property
    def free_names(self) -> Any: ...

    def evaluate(self, variables: Any) -> Any: ...


class FeelUnavailableError(RuntimeError):
    """FEEL is needed to evaluate an expression but ``strom.feel`` is not installed yet."""


@lru_cache(maxsize=4096)
def compile_feel(source: str) -> CompiledFeel:
    """Compile FEEL ``source`` (without the leading ``=``); raises ``strom.feel.FeelSyntaxError``."""
    try:
        from strom.feel import compile_expression  # type: ignore[attr-defined]
    except ImportError as error:
        raise FeelUnavailableError(
            "FEEL expressions cannot be evaluated: strom.feel.compile_expression is not available"
        ) from error
    compiled: CompiledFeel = compile_expression(source)
    return compiled


def syntax_error_of(source: str) -> str | None:
    """The syntax error message of ``source``, or None when it compiles (or checking is off)."""
    if not SYNTAX_CHECK_AT_DEPLOYMENT:
        return None
    from strom.feel import FeelSyntaxError  # type: ignore[attr-defined]

    try:
        compile_feel(source)
    except FeelSyntaxError as error:
        return _describe(error)
    return None


class ConstantEvaluationError(ValueError):
    """An expression that must be constant could not be evaluated without variables."""


def evaluate_constant(source: str) -> Any:
    """Evaluate ``source`` with no variables, as Zeebe does for names of process start events."""
    try:
        return compile_feel(source).evaluate({})
    except FeelUnavailableError:
        raise
    except Exception as error:  # FeelSyntaxError, FeelEvaluationError: both end the same way
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
