"""Unary tests for decision-table input entries (DMN 1.5 10.3.2.9)."""

from __future__ import annotations

import datetime as dt

import pytest

from strom.feel import FeelEvaluationError, compile_unary_tests

CASES = [
    ("< 10", 5, True),
    ("< 10", 10, False),
    ("<= 10", 10, True),
    ("> 10", 11, True),
    (">= 10", 10, True),
    ("= 10", 10, True),
    ("!= 10", 10, False),
    ("!= 10", 11, True),
    ("[1..5]", 1, True),
    ("[1..5]", 5, True),
    ("(1..5)", 1, False),
    ("]1..5[", 5, False),
    ("[1..5)", 5, False),
    ("< 10, [20..30]", 25, True),
    ("< 10, [20..30]", 15, False),
    ("10", 10, True),
    ("10", 11, False),
    ('"a", "b"', "b", True),
    ('"a", "b"', "c", False),
    ('not("a", "b")', "c", True),
    ('not("a", "b")', "a", False),
    ("not(< 10)", 5, False),
    ("not(< 10)", 15, True),
    ("not([1..5], 7)", 7, False),
    ("-", 42, True),
    ("-", None, True),
    ("", "anything", True),
    ("null", None, True),
    ("null", 1, False),
    ("< 10", None, False),
    ("not(null)", 1, True),
    ("not(null)", None, False),
    ("true", True, True),
    ("true", False, False),
    ("false", False, True),
    ("? > 5", 6, True),
    ("? > 5", 5, False),
    ("? > 5 and ? < 10", 7, True),
    ('contains(?, "b")', "abc", True),
    ('starts with(?, "x")', "abc", False),
    ("[1, 2, 3]", 2, True),
    ("[1, 2, 3]", 4, False),
    ("odd(?)", 3, True),
    ("x", 7, True),
    ("x + 1", 8, True),
    ("< x", 6, True),
    ("[x..x + 2]", 9, True),
    ("limits", 2, True),
    ('"a"', 1, False),
    ("< 10", "a", False),
    ('< date("2020-01-01")', dt.date(2019, 12, 31), True),
    ('[date("2020-01-01")..date("2020-12-31")]', dt.date(2020, 6, 1), True),
    ('>= @"2020-01-01T00:00:00"', dt.datetime(2021, 1, 1), True),
    ('> duration("P1D")', dt.timedelta(days=2), True),
    ("< 10.5", 10.25, True),
    ("1.5", 1.5, True),
    ("[1, 2], [3]", [3], True),
    ("count(?) > 1", [1, 2], True),
    ("? = null", None, True),
    ('"x", null', None, True),
]


@pytest.mark.parametrize(("tests", "value", "expected"), CASES)
def test_matches(tests: str, value: object, expected: bool) -> None:
    compiled = compile_unary_tests(tests)
    variables = {"x": 7, "limits": [1, 2]}
    assert compiled.matches(value, variables) is expected
    assert compiled.matches(value, variables, mode="dmn") is expected


def test_evaluate_is_three_valued() -> None:
    assert compile_unary_tests("< 10").evaluate(None) is None
    assert compile_unary_tests("< 10").evaluate(5) is True
    assert compile_unary_tests("< 10").evaluate(50) is False


def test_free_names() -> None:
    assert compile_unary_tests("< x, [a..b]").free_names == frozenset({"x", "a", "b"})
    assert compile_unary_tests("? > 1").free_names == frozenset()


def test_strict_failures_inside_tests_raise() -> None:
    tests = compile_unary_tests('substring(?, "x")')
    with pytest.raises(FeelEvaluationError, match="substring"):
        tests.matches("abc")
    value, warnings = tests.evaluate_with_warnings("abc")
    assert value is False or value is None
    assert warnings


def test_tests_are_cached_and_reusable() -> None:
    a = compile_unary_tests("< 10")
    assert a is compile_unary_tests("< 10")
    assert [a.matches(v) for v in range(8, 12)] == [True, True, False, False]
