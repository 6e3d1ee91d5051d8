"""A singleton list passed where one value is expected is that value (DMN 1.5 10.3.2.9.4).

Parameters that take a list or any value (``count``'s list, ``list contains``'s element,
``string``'s from) keep the list as it is; a list of more or fewer items is not converted; and the
conversion happens once (``[["a"]]`` is not a string).
"""

from __future__ import annotations

import pytest

from strom.feel import compile_expression

from .support import FAIL, check

CASES = [
    ('upper case(["a"])', "A"),
    ('string length(["abc"]) + 1', 4),
    ('substring(["abcd"], [2], [2])', "bc"),
    ('contains(["abc"], "b")', True),
    ('matches(["abc"], ["^a"])', True),
    ("abs([-3])", 3),
    ("floor([1.5])", 1),
    ('date(["2024-01-31"]) = date("2024-01-31")', True),
    ('date and time([date("2024-01-31")], [time("10:00:00")]) = date and time("2024-01-31T10:00:00")', True),
    ('day of week([date("2024-01-01")])', "Monday"),
    ("not([true])", False),
    ("not([false])", True),
    ("before([1], 2)", True),
    ("sublist([1, 2, 3], [2])", [2, 3]),
    ('string join(["a", "b"], [", "])', "a, b"),
    ("(function(x: number) x + 1)([1])", 2),
    # not converted: more or fewer items, nested singletons, untyped or list/any parameters
    ('upper case(["a", "b"])', FAIL),
    ("upper case([])", FAIL),
    ('upper case([["a"]])', FAIL),
    ("(function(x: number) x + 1)([1, 2])", FAIL),
    ("(function(x) x + 1)([1])", FAIL),
    ("(function(x: list<number>) count(x))([5])", 1),
    ("string([1])", "[1]"),
    ("list contains([1, 2], [1])", False),
    ("list contains([[1], 2], [1])", True),
    ("index of([[1], 1], [1])", [1]),
    ("append([1], [2])", [1, [2]]),
    ("count([[1, 2]])", 1),
    ("is defined([1])", True),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_singleton_list_where_one_value_is_expected(expr: str, expected: object) -> None:
    check(expr, expected)


def test_decimal_of_a_singleton_list() -> None:
    assert str(compile_expression("decimal([1.25], [1])").evaluate()) == "1.2"
