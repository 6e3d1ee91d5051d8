"""Parser: structure of what it builds, and syntax errors with line and column."""

from __future__ import annotations

import pytest

from strom.feel import FeelSyntaxError, ast, compile_expression, compile_unary_tests
from strom.feel.parser import MAX_DEPTH, parse_expression, parse_unary_tests


def test_precedence() -> None:
    node = parse_expression("1 + 2 * 3 > 4 and true or false")
    assert isinstance(node, ast.Binary) and node.op == "or"
    assert isinstance(node.left, ast.Binary) and node.left.op == "and"
    cmp = node.left.left
    assert isinstance(cmp, ast.Binary) and cmp.op == ">"
    assert isinstance(cmp.left, ast.Binary) and cmp.left.op == "+"


def test_names_with_spaces_and_keywords() -> None:
    node = parse_expression("date and time(x)")
    assert isinstance(node, ast.Call) and isinstance(node.callee, ast.Name)
    assert node.callee.name == "date and time"
    node = parse_expression("years and months duration(a, b)")
    assert isinstance(node, ast.Call) and node.callee.name == "years and months duration"  # type: ignore[attr-defined]
    node = parse_expression("first name and last name")
    assert isinstance(node, ast.Binary) and node.op == "and"
    assert node.left.name == "first name"  # type: ignore[attr-defined]
    node = parse_expression("day of week(d)")
    assert node.callee.name == "day of week"  # type: ignore[attr-defined]


def test_known_names_with_operator_characters() -> None:
    expr = compile_expression("Pre-bureau risk + 1", names=["Pre-bureau risk"])
    assert expr.evaluate({"Pre-bureau risk": 2}) == 3
    assert expr.free_names == frozenset({"Pre-bureau risk"})
    plain = compile_expression("a-b", names=["a-b"])
    assert plain.evaluate({"a-b": 5}) == 5
    assert compile_expression("a-b").evaluate({"a": 5, "b": 1}) == 4


def test_spans() -> None:
    node = parse_expression("  foo.bar  ")
    assert (node.start, node.end) == (2, 9)


def test_unary_tests_shapes() -> None:
    assert isinstance(parse_unary_tests("-").tests[0], ast.Dash)
    assert isinstance(parse_unary_tests("").tests[0], ast.Dash)
    assert isinstance(parse_unary_tests("not(1, 2)").tests[0], ast.NotTests)
    assert len(parse_unary_tests('"a", "b", "c"').tests) == 3
    assert isinstance(parse_unary_tests("< 10").tests[0], ast.UnaryCmp)
    assert isinstance(parse_unary_tests("not(x) = true").tests[0], ast.Binary)


SYNTAX_ERRORS = [
    ("", 1, 1),
    ("1 +", 1, 4),
    ("(1 + 2", 1, 7),
    ("[1, 2", 1, 6),
    ("{a: 1", 1, 6),
    ("{a 1}", 1, 4),
    ("{a: 1, a: 2}", 1, 8),
    ("if x then 1", 1, 12),
    ("if x 1 else 2", 1, 6),
    ("for x [1] return x", 1, 7),
    ("for x in [1] x", 1, 14),
    ("some x in [1] x > 1", 1, 15),
    ("f(a: 1, 2)", 1, 9),
    ("f(1, a: 2)", 1, 6),
    ("function(a, a) a", 1, 13),
    ("a +* 2", 1, 4),
    ("1 2", 1, 3),
    ("x instance of", 1, 14),
    ("x instance of foo", 1, 15),
    ("[1..2", 1, 6),
    ("1 between 2", 1, 12),
    ("a.", 1, 3),
    ("a.1", 1, 2),
    ("x in", 1, 5),
    (")", 1, 1),
    ("1 +\n  * 2", 2, 3),
]


@pytest.mark.parametrize(("src", "line", "column"), SYNTAX_ERRORS)
def test_syntax_errors(src: str, line: int, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(src)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert err.source == src
    assert "FEEL syntax error" in str(err)


def test_error_message_names_what_was_found() -> None:
    with pytest.raises(FeelSyntaxError, match=r"expected 'then' but found '1' at column 6"):
        compile_expression("if x 1 else 2")


def test_deep_nesting_is_a_syntax_error() -> None:
    for src in [
        "(" * 10_000,
        "(" * 10_000 + "1" + ")" * 10_000,
        "[" * 5000,
        "-" * 10_000 + "1",
        "{a:" * 3000,
        "not(" * 5000,
        "f(" * 5000,
        "a" + ".a" * 5000,
        "if true then " * 3000 + "1",
    ]:
        with pytest.raises(FeelSyntaxError):
            compile_expression(src)
    with pytest.raises(FeelSyntaxError):
        compile_unary_tests("(" * 10_000)


def test_reasonable_nesting_compiles() -> None:
    depth = MAX_DEPTH // 3
    assert compile_expression("(" * depth + "1" + ")" * depth).evaluate() == 1
    assert compile_expression(" + ".join(["1"] * 40)).evaluate() == 40


def test_long_flat_chains_compile() -> None:
    assert compile_expression("1" + " + 1" * 10_000).evaluate() == 10_001
    assert compile_expression(" or ".join(["false"] * 1000) + " or true").evaluate() is True
    many = "[" + ", ".join(["x > 1 and x < 9"] * 300) + "]"
    assert compile_expression(many).evaluate({"x": 5}) == [True] * 300


def test_unary_tests_syntax_errors() -> None:
    for src in ["< ", "[1..", "not(1", "1,", ",1"]:
        with pytest.raises(FeelSyntaxError):
            compile_unary_tests(src)
