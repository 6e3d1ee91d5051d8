"""The one-call strict evaluation an expression installs at its second strict evaluation.

``evaluate`` then runs a function generated for the expression (variables read into locals,
comparisons with a number literal left to Python where Python and FEEL agree). What a user sees
must not change: the same values, the same nulls, the same failures with the same messages, the
loop budget per evaluation, ``mode`` as before.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from strom.feel import (
    FeelError,
    FeelEvaluationError,
    FeelFunction,
    YearsMonthsDuration,
    compile_expression,
    compile_unary_tests,
)

_MISSING = object()

#: values a variable can hold: FEEL numbers of each kind around the literals below, the two
#: booleans (not numbers in FEEL, 0 and 1 in Python), null, and values Python can't order with
#: a number
VALUES: list[Any] = [
    1200,
    1000,
    999,
    5,
    1,
    0,
    -7,
    10**40,
    Decimal("1000.5"),
    Decimal("999.5"),
    Decimal("0.5"),
    1000.0,
    0.5,
    float("nan"),
    True,
    False,
    None,
    "1200",
    dt.date(2024, 1, 31),
    dt.timedelta(days=1),
    YearsMonthsDuration(3),
    [1200],
    {"a": 1},
    _MISSING,
]
#: FEEL values with types of their own (extended temporal values, a range, a function)
VALUES += [
    compile_expression(source).evaluate()
    for source in [
        'date("-2021-01-01")',
        'date and time("99999-12-31T11:22:33")',
        'time("10:30:00.123456789")',
        "[1..10]",
        "function(a) a",
    ]
]

EXPRESSIONS = [
    "x > 1000",
    "x < 1000",
    "x >= 1000",
    "x <= 1000",
    "x > 0",
    "x < 1",
    "x >= 1",
    "x <= 0",
    "x > -1",
    "x < 2",
    "x > 999.5",
    "x <= 0.5",
    "x = 1000",
    "x = true",
    "x != false",
    "x != null",
    "x > 5 and y < 1000",
    "x > 5 or y < 1",
    "not(x > 1000)",
    'if x > 1000 then "big" else "small"',
    "x + 1 > 1000",
    "[x][item > 5]",
    "{a: x}.a > 5",
    "for i in [x] return i > 5",
    "some i in [x, y] satisfies i > 999",
    "x",
    "count([x]) > 0",
]


def _outcome(run: Callable[[], Any]) -> tuple[str, str]:
    try:
        value = run()
    except FeelError as e:
        return "failure", str(e)
    return type(value).__name__, repr(value)


def _variables(value: Any) -> dict[str, Any]:
    return {} if value is _MISSING else {"x": value, "y": value}


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_every_evaluation_gives_what_the_general_strict_path_gives(source: str) -> None:
    expression = compile_expression(source)
    for value in VALUES:
        variables = _variables(value)
        # evaluate_with_warnings always takes the general path (it collects warnings)
        expected = _outcome(lambda v=variables: expression.evaluate_with_warnings(v, mode="strict")[0])
        for _ in range(3):  # the first evaluation, the one that installs the fast function, the fast one
            got = _outcome(lambda v=variables: expression.evaluate(v))
            assert got == expected, f"{source!r} with x={value!r}"
            assert _outcome(lambda v=variables: expression.evaluate(v, mode="strict")) == expected


def _evaluations(source: str, variables: dict[str, Any] | None) -> list[tuple[str, str]]:
    expression = compile_expression(source)
    return [_outcome(lambda: expression.evaluate(variables)) for _ in range(3)]


def test_amount_greater_than_1000() -> None:
    cases: list[tuple[dict[str, Any] | None, Any]] = [
        ({"amount": 1200}, True),
        ({"amount": 1000}, False),
        ({"amount": Decimal("1000.01")}, True),
        ({"amount": Decimal("999.99")}, False),
        ({"amount": 1000.5}, True),
        ({"amount": None}, None),
        ({}, None),
        (None, None),
    ]
    for variables, expected in cases:
        assert _evaluations("amount > 1000", variables) == [_outcome(lambda e=expected: e)] * 3


@pytest.mark.parametrize(
    ("source", "value", "message"),
    [
        ("amount > 1000", True, "can't compare 'amount' (boolean) with '1000' (number)"),
        ("amount > 0", True, "can't compare 'amount' (boolean) with '0' (number)"),
        ("amount < 1", False, "can't compare 'amount' (boolean) with '1' (number)"),
        ("amount >= 1000", "1200", "can't compare 'amount' (string) with '1000' (number)"),
        ("amount < 10", dt.date(2024, 1, 1), "can't compare 'amount' (date) with '10' (number)"),
    ],
)
def test_a_boolean_or_a_non_number_compared_with_a_number_fails_every_time(
    source: str, value: Any, message: str
) -> None:
    expression = compile_expression(source)
    for _ in range(3):
        with pytest.raises(FeelEvaluationError) as info:
            expression.evaluate({"amount": value})
        assert info.value.message == message
    assert expression.evaluate({"amount": value}, mode="dmn") is None


def test_a_missing_variable_named_like_a_builtin_is_that_function() -> None:
    expression = compile_expression("abs")
    for _ in range(3):
        assert isinstance(expression.evaluate({}), FeelFunction)
        assert expression.evaluate({"abs": 5}) == 5


def test_filter_reads_the_item_first_then_the_variable() -> None:
    expression = compile_expression("items[price > limit].id")
    variables = {"items": [{"id": 1, "price": 5}, {"id": 2, "price": 50}], "limit": 10}
    assert [expression.evaluate(variables) for _ in range(3)] == [[2]] * 3
    other = compile_expression("items[limit > 10].id")
    assert [other.evaluate(variables) for _ in range(3)] == [[]] * 3
    assert [other.evaluate({**variables, "limit": 11}) for _ in range(3)] == [[1, 2]] * 3


def test_a_comparison_inside_a_feel_function_fails_as_feel_not_as_the_builtin_calling_it() -> None:
    expression = compile_expression("sort(xs, function(a, b) a < b)")
    assert [expression.evaluate({"xs": [3, 1, 2]}) for _ in range(3)] == [[1, 2, 3]] * 3
    for _ in range(3):
        with pytest.raises(FeelEvaluationError) as info:
            expression.evaluate({"xs": [3, "a"]})
        assert "can't compare" in info.value.message
    with_literal = compile_expression("sort(xs, function(a, b) a < 100)")
    for _ in range(3):
        with pytest.raises(FeelEvaluationError) as info:
            with_literal.evaluate({"xs": [3, "a"]})
        assert info.value.message.startswith("can't compare 'a' (string) with '100' (number)")


def test_the_loop_budget_is_per_evaluation() -> None:
    # 600,000 iterations each: within the budget of 1,000,000 every time, not cumulatively
    some = compile_expression("some i in [1..n] satisfies i < 0")
    assert [some.evaluate({"n": 600_000}) for _ in range(3)] == [False] * 3
    nested = compile_expression("for i in 1..1001 return for j in 1..1000 return j")
    for _ in range(3):
        with pytest.raises(FeelEvaluationError) as info:
            nested.evaluate()
        assert info.value.message == "more than 1000000 iterations in one evaluation"


def test_mode_is_still_checked_and_dmn_mode_still_yields_null() -> None:
    expression = compile_expression("x > 5")
    for _ in range(3):
        assert expression.evaluate({"x": 6}) is True
        with pytest.raises(ValueError, match="mode must be 'strict' or 'dmn'"):
            expression.evaluate({"x": 6}, mode="lenient")
        assert expression.evaluate({"x": "a"}, mode="dmn") is None
        assert expression.evaluate({"x": 6}, mode="dmn") is True


def test_an_if_whose_condition_fails_behaves_per_mode_as_before() -> None:
    expression = compile_expression('if x > 5 then "big" else "small"')
    for _ in range(3):
        assert expression.evaluate({"x": "a"}) == "small"
        assert expression.evaluate({"x": 6}) == "big"
        assert expression.evaluate({"x": "a"}, mode="dmn") == "small"


def test_a_reference_to_evaluate_taken_before_the_first_evaluation_keeps_working() -> None:
    evaluate = compile_expression("limit2 > 3").evaluate
    assert [evaluate({"limit2": n}) for n in (2, 4, 5, None)] == [False, True, True, None]


def test_evaluations_from_many_threads_during_the_first_ones_agree() -> None:
    expression = compile_expression("a1 * 2 > threshold1")
    results: list[Any] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        got = [expression.evaluate({"a1": n, "threshold1": 10}) for _ in range(50)]
        with lock:
            results.append((n, got))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(n, [n * 2 > 10] * 50) for n in range(8)]


def test_decision_table_entries_with_a_loop_get_a_budget_per_match() -> None:
    # entries without a loop share one strict Env; one with a loop must not
    tests = compile_unary_tests("count(for i in 1..n return i)")
    assert [tests.matches(600_000, {"n": 600_000}) for _ in range(3)] == [True] * 3
    assert [compile_unary_tests("< 10").matches(n) for n in (5, 10, 15)] == [True, False, False]


def test_the_fast_function_is_built_at_the_second_strict_evaluation_only() -> None:
    expression = compile_expression("only_dmn > 1")
    for _ in range(3):
        assert expression.evaluate({"only_dmn": 2}, mode="dmn") is True
    assert expression.strict_python_source() == ""  # dmn evaluations don't pay for it
    assert expression.evaluate({"only_dmn": 2}) is True
    assert expression.strict_python_source() == ""  # nor does the first strict one
    assert expression.evaluate({"only_dmn": 0}) is False
    assert "def _evaluate(variables=None, mode=None):" in expression.strict_python_source()


def test_equal_to_a_boolean_literal() -> None:
    equal = compile_expression("approved = true")
    unequal = compile_expression("approved != false")
    for variables, is_true, is_not_false in [
        ({"approved": True}, True, True),
        ({"approved": False}, False, False),
        ({"approved": None}, False, True),  # null = true is false, null != false is true
        ({}, False, True),
    ]:
        assert [equal.evaluate(variables) for _ in range(3)] == [is_true] * 3
        assert [unequal.evaluate(variables) for _ in range(3)] == [is_not_false] * 3
    for _ in range(3):  # a number is not a boolean: not comparable (null in dmn mode)
        with pytest.raises(FeelEvaluationError, match="can't compare 'approved' \\(number\\)"):
            equal.evaluate({"approved": 1})
        assert equal.evaluate({"approved": 1}, mode="dmn") is None


def test_decision_table_entries_match_and_fail_as_before() -> None:
    tests = compile_unary_tests('< date(limit), "x"')
    day = dt.date(2020, 1, 1)
    for _ in range(2):
        assert tests.matches(day, {"limit": "2024-01-01"}) is True
        assert tests.matches("x", {"limit": "2024-01-01"}, "strict") is True
        assert tests.matches(5, {"limit": "2024-01-01"}) is False  # a number against a date: no match
        with pytest.raises(FeelEvaluationError) as info:
            tests.matches(day, {"limit": "bad"})
        assert str(info.value) == 'FEEL: date: invalid date \'bad\' at column 3 of "< date(limit), "x""'
        assert tests.matches(day, {"limit": "bad"}, "dmn") is False
        with pytest.raises(ValueError, match="mode must be 'strict' or 'dmn'"):
            tests.matches(day, None, "lenient")
    assert compile_unary_tests("-").matches(None) is True
    assert compile_unary_tests("null").matches(None) is True
    assert compile_unary_tests("not(null)").matches(None) is False
