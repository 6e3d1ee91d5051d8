"""Shared helpers for the FEEL tests: evaluate a case and compare FEEL values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from strom.feel import FeelEvaluationError, FeelRange, compile_expression
from strom.feel.temporal import YearsMonthsDuration


class _Fail:
    """Expected outcome: strict mode raises, DMN mode yields null with a warning."""

    def __repr__(self) -> str:
        return "FAIL"


class _Null:
    """Expected outcome: null (how it got there is not checked)."""

    def __repr__(self) -> str:
        return "NULL"


FAIL = _Fail()
NULL = _Null()


def D(text: str) -> Decimal:
    return Decimal(text)


def ym(years: int = 0, months: int = 0) -> YearsMonthsDuration:
    return YearsMonthsDuration(years * 12 + months)


def same(a: Any, b: Any) -> bool:
    """FEEL-value equality for assertions: numbers by value, containers recursively, types strict."""
    if isinstance(b, bool) or isinstance(a, bool):
        return type(a) is type(b) and a == b
    if isinstance(b, (int, Decimal, float)):
        if not isinstance(a, (int, Decimal, float)) or isinstance(a, bool):
            return False
        return Decimal(str(a)) == Decimal(str(b))
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in b)
    if isinstance(b, FeelRange):
        return (
            isinstance(a, FeelRange)
            and a.start_included == b.start_included
            and a.end_included == b.end_included
            and same(a.start, b.start)
            and same(a.end, b.end)
        )
    if b is None:
        return a is None
    if isinstance(b, (dt.date, dt.time, dt.timedelta, YearsMonthsDuration)):
        return type(a) is type(b) and a == b and getattr(a, "tzinfo", None) == getattr(b, "tzinfo", None)
    return type(a) is type(b) and a == b


def check(expr: str, expected: Any, variables: dict[str, Any] | None = None) -> None:
    """Evaluate in both modes and compare with the expected value, FAIL or NULL."""
    compiled = compile_expression(expr)
    if expected is FAIL:
        value, warnings = compiled.evaluate_with_warnings(variables, mode="dmn")
        assert value is None, f"{expr!r} gave {value!r}, expected a failure"
        assert warnings, f"{expr!r} failed without a warning"
        with pytest.raises(FeelEvaluationError) as first:
            compiled.evaluate(variables)
        # again: from the second strict evaluation on, ``evaluate`` is the generated function
        with pytest.raises(FeelEvaluationError) as again:
            compiled.evaluate(variables)
        assert str(again.value) == str(first.value)
        return
    value = compiled.evaluate(variables, mode="dmn")
    if expected is NULL:
        assert value is None, f"{expr!r} gave {value!r}, expected null"
        return
    assert same(value, expected), f"{expr!r} gave {value!r}, expected {expected!r}"
    for _ in range(2):  # the second: the generated strict function (from the second strict evaluation)
        strict = compiled.evaluate(variables)
        assert same(strict, expected), f"{expr!r} in strict mode gave {strict!r}"
