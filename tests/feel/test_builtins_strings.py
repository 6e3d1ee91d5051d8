"""String builtins, DMN 1.5 10.3.4.3, and Camunda's string extras."""

from __future__ import annotations

import re

import pytest

from strom.feel import FeelEvaluationError, compile_expression

from .support import FAIL, NULL, check

CASES = [
    ('substring("foobar", 3)', "obar"),
    ('substring("foobar", 3, 3)', "oba"),
    ('substring("foobar", -2, 1)', "a"),
    ('substring("foobar", -2)', "ar"),
    ('substring("foobar", 1)', "foobar"),
    ('substring("foobar", 7)', ""),
    ('substring("foobar", 3, 10)', "obar"),
    ('substring("\U0001f40eab", 2)', "ab"),
    ('substring("foobar", 0)', FAIL),
    ("substring(null, 1)", None),
    ('substring("foobar", "1")', FAIL),
    ("substring(123, 1)", FAIL),
    ('string length("foo")', 3),
    ('string length("")', 0),
    ('string length("\U0001f40eab")', 4),  # UTF-16 code units, as the TCK (0083) and feel-scala count
    ("string length(null)", None),
    ("string length(1)", FAIL),
    ('upper case("aBc4")', "ABC4"),
    ('lower case("aBc4")', "abc4"),
    ("upper case(null)", None),
    ("lower case(true)", FAIL),
    ('substring before("foobar", "bar")', "foo"),
    ('substring before("foobar", "xyz")', ""),
    ('substring before("foobar", "")', ""),
    ('substring after("foobar", "ob")', "ar"),
    ('substring after("", "a")', ""),
    ('substring after("foobar", "")', "foobar"),
    ('substring after("foobar", "xyz")', ""),
    ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
    ('replace("a.b.c", "\\.", "-")', "a-b-c"),
    ('replace("abc", "B", "x", "i")', "axc"),
    ('replace("a.b", ".", "x", "q")', "axb"),
    ('replace("banana", "an", "AN")', "bANANa"),
    ('replace("abc", "b", "$0$0")', "abbc"),
    ('replace("abc", "(", "x")', FAIL),
    ('replace("abc", "b", "x", "z")', FAIL),
    ('replace(null, "a", "b")', None),
    ('contains("foobar", "of")', False),
    ('contains("foobar", "ob")', True),
    ('contains("foobar", "")', True),
    ('contains(null, "a")', None),
    ('contains(1, "a")', FAIL),
    ('starts with("foobar", "fo")', True),
    ('starts with("foobar", "bar")', False),
    ('ends with("foobar", "r")', True),
    ('ends with("foobar", "o")', False),
    ('matches("foobar", "^fo*b")', True),
    ('matches("foobar", "^x")', False),
    ('matches("FOO", "foo", "i")', True),
    ('matches("a\nb", "a.b", "s")', True),
    ('matches("abc", "[")', FAIL),
    ('matches("abc", "b")', True),
    ('matches("é1", "^\\p{L}\\p{Nd}$")', True),
    ('matches("11", "^\\p{L}")', False),
    ('matches("a", "\\p{IsGreek}")', False),
    ('matches("x:y", "^\\i\\c*$")', True),
    ('matches("a\\\\b", "a\\\\\\\\b")', True),
    ('split("John Doe", "\\s")', ["John", "Doe"]),
    ('split("a;b;c;;", ";")', ["a", "b", "c", "", ""]),
    ('split("a1b22c", "[0-9]+")', ["a", "b", "c"]),
    ('split("abc", ",")', ["abc"]),
    ('split(null, ",")', None),
    ('string join(["a", "b", "c"], ", ")', "a, b, c"),
    ('string join(["a", "b", "c"])', "abc"),
    ('string join(["a", null, "c"], "-")', "a-c"),
    ('string join([], "x")', ""),
    ('string join(["a"], "x")', "a"),
    ('string join(["a", "b"], ", ", "[", "]")', "[a, b]"),
    ('string join(["a", "b"], null)', "ab"),
    ('string join(["a", 1], ",")', FAIL),
    ('string join("a", "x")', "a"),
    ('string join(["a", "c"], "X", "foo")', FAIL),
    ('string join(list: ["a", "b"], delimiter: "+")', "a+b"),
    ('extract("abc123def45", "[0-9]+")', ["123", "45"]),
    ('extract("abc", "[0-9]+")', []),
    ('trim("  hello  ")', "hello"),
    ('trim("\thi\n")', "hi"),
    ("trim(null)", None),
    ('is blank("")', True),
    ('is blank("  ")', True),
    ('is blank(" a ")', False),
    ("is blank(1)", FAIL),
    ('to base64("FEEL")', "RkVFTA=="),
    ('from base64("RkVFTA==")', "FEEL"),
    ('from base64("%%%")', FAIL),
    ("string length(uuid())", 36),
    ("uuid() != uuid()", True),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_string_builtins(expr: str, expected: object) -> None:
    check(expr, expected)


def test_uuid_shape() -> None:
    value = compile_expression("uuid()").evaluate()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value)


def test_unknown_named_parameter_is_a_failure() -> None:
    check('contains(text: "a", match: "a")', FAIL)
    check('contains(string: "abc", match: "b")', True)
    check('contains(string: null, match: "b")', NULL)


@pytest.mark.timeout(60)  # unbounded, this match would outlast the universe
def test_a_catastrophically_backtracking_pattern_fails_within_its_time_limit() -> None:
    expression = compile_expression('matches(s, "^(a|aa)+$")')

    with pytest.raises(FeelEvaluationError, match="ran longer than 1 s on its input"):
        expression.evaluate({"s": "a" * 60 + "!"})
