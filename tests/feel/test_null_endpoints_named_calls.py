"""Ranges with a null endpoint (DMN 1.5 10.3.2.7) and named-parameter calls that leave parameters out.

A null endpoint is not an unbounded side: ``[1..null]`` is not ``>= 1`` (DMN TCK 0068), prints as
written, ``range()`` reads it back, and comparing with it is null (DMN 1.5, issue DMN15-78), so
``5 in [1..null]`` is null where ``5 in >= 1`` is true.
"""

from __future__ import annotations

import pytest

from strom.feel import FeelRange

from .support import FAIL, check

RANGES = [
    # a null endpoint compares as null: false or null, never true (DMN 1.5, issue DMN15-78)
    ("5 in [1..null]", None),
    ("0 in [1..null]", False),
    ("5 in (null..10)", None),
    ("5 in [1..x]", None),
    ("5 in (< 10)", True),
    ("5 in (>= 1)", True),
    ("10 in (null..10)", False),
    ('date("2024-05-01") in [date("2024-01-01")..null]', None),
    ('date("2023-05-01") in [date("2024-01-01")..null]', False),
    ("[1..null] = [1..null]", True),
    ("[1..null] = (>= 1)", False),
    ("(null..10) = (< 10)", False),
    ("[1..null].start", 1),
    ("[1..null].end", None),
    ("[null..null]", FAIL),
    ("string([1..null])", "[1..null]"),
    ("string((null..10))", "(null..10)"),
    ("string(>= 1)", ">= 1"),
    ("string(< 10)", "< 10"),
    ('range("[1..null]")', FeelRange(True, 1, None, True)),
    ('range("(null..10)")', FeelRange(False, None, 10, False)),
    ('range("[1..null]") = [1..null]', True),
    ('7 in range("[5..null)")', None),
    ('string(range("[1..null)"))', "[1..null)"),
    ('range("[null..null]")', FAIL),
    ('range("[..2]")', FAIL),
    # range functions: only the comparisons they make with a null endpoint are null
    ("before(1, [2..null])", True),
    ("before(1, [null..5])", None),
    ("after(10, [null..5])", True),
    ("after([1..null], 0)", True),
    ("includes([null..5], [1..3])", None),
    ("includes([1..null], 0)", False),
    ("overlaps([1..null], [5..10])", None),
    ("includes(< 5, 3)", True),
    ("before(> 5, 1)", False),
]

NAMED_CALLS = [
    # optional parameters may be left out, in any order
    ('substring(start position: 2, string: "abcd")', "bcd"),
    ('substring(length: 2, string: "abcd", start position: 2)', "bc"),
    ('matches(pattern: "a", input: "A")', False),
    ('matches(flags: "i", pattern: "a", input: "A")', True),
    ('number(from: "1 000", grouping separator: " ")', 1000),
    ('number(from: "1000,5", decimal separator: ",") = 1000.5', True),
    ('time(hour: 10, minute: 5, second: 0) = time("10:05:00")', True),
    ("sort(list: [3, 1, 2])", [1, 2, 3]),
    ('string join(list: ["a", "b"])', "ab"),
    ("floor(n: 1.5)", 1),
    # required ones may not
    ('substring(string: "abcd")', FAIL),
    ("decimal(n: 1.25)", FAIL),
    ("insert before(list: [1], position: 1)", FAIL),
    ('substring(text: "abcd", start position: 1)', FAIL),
    # a user function's parameter left out is null; an unknown name fails
    ("(function(a, b) [a, b])(b: 1)", [None, 1]),
    ("(function(a, b) if b = null then a else a + b)(a: 1)", 1),
    ("(function(a, b) [a, b])(c: 1)", FAIL),
    # a name given twice is a mistake, not "the last one wins"
    ("(function(a, b) [a, b])(a: 1, a: 2)", FAIL),
    ('substring(string: "abc", string: "x", start position: 1)', FAIL),
]


@pytest.mark.parametrize(("expr", "expected"), RANGES)
def test_ranges_with_a_null_endpoint(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize(("expr", "expected"), NAMED_CALLS)
def test_named_calls_that_leave_out_parameters(expr: str, expected: object) -> None:
    check(expr, expected)
