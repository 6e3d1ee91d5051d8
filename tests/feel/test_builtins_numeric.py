"""Numeric builtins, DMN 1.5 10.3.4.5."""

from __future__ import annotations

import datetime as dt

import pytest

from strom.feel import compile_expression

from .support import FAIL, NULL, D, check, ym

CASES = [
    ("decimal(1 / 3, 2)", D("0.33")),
    ("decimal(1.5, 0)", 2),
    ("decimal(2.5, 0)", 2),
    ("decimal(-2.5, 0)", -2),
    ("decimal(1.23456, 3)", D("1.235")),
    ("decimal(1 / 3, 2.5)", D("0.33")),
    ("decimal(123, -1)", 120),
    ('decimal("1", 1)', FAIL),
    ("decimal(null, 1)", None),
    ("floor(1.5)", 1),
    ("floor(-1.5)", -2),
    ("floor(1.56, 1)", D("1.5")),
    ("floor(-1.56, 1)", D("-1.6")),
    ("floor(5)", 5),
    ("ceiling(1.5)", 2),
    ("ceiling(-1.5)", -1),
    ("ceiling(1.56, 1)", D("1.6")),
    ("ceiling(-1.56, 1)", D("-1.5")),
    ("round up(5.5, 0)", 6),
    ("round up(-5.5, 0)", -6),
    ("round up(1.121, 2)", D("1.13")),
    ("round up(-1.126, 2)", D("-1.13")),
    ("round up(5.5, 6176)", D("5.5")),
    ("round down(5.5, 0)", 5),
    ("round down(-5.5, 0)", -5),
    ("round down(1.121, 2)", D("1.12")),
    ("round down(-1.126, 2)", D("-1.12")),
    ("round half up(5.5, 0)", 6),
    ("round half up(-5.5, 0)", -6),
    ("round half up(1.121, 2)", D("1.12")),
    ("round half up(-1.126, 2)", D("-1.13")),
    ("round half down(5.5, 0)", 5),
    ("round half down(-5.5, 0)", -5),
    ("round half down(1.121, 2)", D("1.12")),
    ("round half down(-1.126, 2)", D("-1.13")),
    ("abs(10)", 10),
    ("abs(-10)", 10),
    ("abs(-1.5)", D("1.5")),
    ('abs(duration("-P1D"))', dt.timedelta(days=1)),
    ('abs(duration("-P1Y"))', ym(1)),
    ('abs("-1")', FAIL),
    ("abs(null)", None),
    ("modulo(12, 5)", 2),
    ("modulo(-12, 5)", 3),
    ("modulo(12, -5)", -3),
    ("modulo(-12, -5)", -2),
    ("modulo(10.1, 4.5)", D("1.1")),
    ("modulo(-10.1, 4.5)", D("3.4")),
    ("modulo(10.1, -4.5)", D("-3.4")),
    ("modulo(-10.1, -4.5)", D("-1.1")),
    ("modulo(5, 0)", FAIL),
    ("sqrt(16)", 4),
    ("sqrt(2)", D("1.414213562373095048801688724209698")),
    ("sqrt(-1)", FAIL),
    ("sqrt(0)", 0),
    ("log(10)", D("2.302585092994045684017991454684364")),
    ("log(1)", 0),
    ("log(0)", FAIL),
    ("log(-1)", FAIL),
    ("exp(5)", D("148.4131591025766034211155800405523")),
    ("exp(0)", 1),
    ("odd(5)", True),
    ("odd(2)", False),
    ("odd(-3)", True),
    ("odd(0)", False),
    ("odd(1.5)", NULL),
    ("even(5)", False),
    ("even(2)", True),
    ("even(0)", True),
    ("even(-2)", True),
    ("even(null)", None),
    ('even("2")', FAIL),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_numeric_builtins(expr: str, expected: object) -> None:
    check(expr, expected)


def test_random_number_is_in_unit_interval() -> None:
    expr = compile_expression("random number()")
    for _ in range(20):
        value = expr.evaluate()
        assert 0 <= value < 1
