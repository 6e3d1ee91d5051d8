"""Boolean and miscellaneous builtins: not, is, is defined, get or else, assert, fromAi."""

from __future__ import annotations

import pytest

from strom.feel import FeelEvaluationError, compile_expression

from .support import FAIL, check

CASES = [
    # fromAi (Camunda 8.8): an AI agent's value, evaluated as the value itself
    ('fromAi("Berlin", "the city to look up", "string")', "Berlin"),
    ('fromAi(value: 3, description: "how many")', 3),
    ('fromAi({a: 1}, "a context", "object", {type: "object"}, {required: false})', {"a": 1}),
    ("fromAi(null)", None),
    ("not(true)", False),
    ("not(false)", True),
    ("not(null)", None),
    ('not("true")', None),
    ("is(1, 1)", True),
    ("is(1, 2)", False),
    ('is(1, "1")', False),
    ("is(null, null)", True),
    ('is(date("2012-12-25"), time("23:00:50"))', False),
    ('is(date("2012-12-25"), date("2012-12-25"))', True),
    ('is(time("23:00:50z"), time("23:00:50"))', False),
    ('is(time("23:00:50Z"), time("23:00:50+00:00"))', True),
    ("is defined(1)", True),
    ("is defined(null)", False),
    ("is defined(x)", False),
    ("is defined(y)", True),
    ("is defined(y.z)", False),
    ('get or else("this", "default")', "this"),
    ('get or else(null, "default")', "default"),
    ("get or else(null, null)", None),
    ('get or else(x, "none")', "none"),
    ("assert(1, true)", 1),
    ("assert(y, y != null)", {"a": 1}),
    ("assert(x, x != null)", FAIL),
    ("assert(-1, -1 > 0)", FAIL),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_misc_builtins(expr: str, expected: object) -> None:
    check(expr, expected, {"y": {"a": 1}})


def test_assert_cause_is_the_message() -> None:
    with pytest.raises(FeelEvaluationError, match="'b' should be positive"):
        compile_expression("assert(b, b >= 0, \"'b' should be positive\")").evaluate({"b": -1})
