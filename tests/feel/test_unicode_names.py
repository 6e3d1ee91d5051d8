"""Unicode in FEEL source: \\U escapes, names beyond the Basic Multilingual Plane, context keys
with DMN's additional name symbols (DMN 1.5 grammar rules 27-30, 64-66)."""

from __future__ import annotations

import pytest

from strom.feel import FeelSyntaxError, compile_expression

from .support import check

ESCAPES = [
    ('"\\U01F600"', "\U0001f600"),
    ('"\\U01f600!"', "\U0001f600!"),
    ('"\\U10FFFF"', "\U0010ffff"),
    ('"\\U000041BC"', "ABC"),  # six digits, then the text goes on
    ('string length("\\U01F600")', 2),  # UTF-16 code units (TCK 0083)
    ('string length("\\ud83d\\udc0e\\uD83D\\uDE00")', 4),
    ('string length("a\u00e9")', 2),
    ('"\\u00e9\\U01F40E"', "é\U0001f40e"),
    ('"\\ud83d\\ude00"', "\U0001f600"),
]

BAD_ESCAPES = ['"\\U01F60"', '"\\U110000"', '"\\U00D800"', '"\\U01F6zz"']

NAMES = [
    ("{\U0001d518\U0001d52b\U0001d526: 1}.\U0001d518\U0001d52b\U0001d526", 1),
    ("{\U0001f600: 2}.\U0001f600 + 1", 3),
    ("{\U00020000x: 3}.\U00020000x", 3),
    ("{caf\u00e9\u0301: 4}.caf\u00e9\u0301", 4),  # combining marks continue a name
    ("{a\u0327b: 5}.a\u0327b", 5),
    ("{x\u203fy: 6}.x\u203fy", 6),
    ("{\u20ac: 7}.\u20ac", 7),
]

KEYS = [
    ("{a.b: 1}", {"a.b": 1}),
    ("{a-b: 1}", {"a-b": 1}),
    ("{a+b: 1}", {"a+b": 1}),
    ("{a/b: 1}", {"a/b": 1}),
    ("{a*b: 1}", {"a*b": 1}),
    ("{x's: 1}", {"x's": 1}),
    ("{Pre-bureau risk: 1}", {"Pre-bureau risk": 1}),
    ("{a b.c d: 1}", {"a b.c d": 1}),
    ("{tax-2024: 1}", {"tax-2024": 1}),
    # later entries, and contexts inside them, see the key as a name
    ("{a-b: 2, c: a-b * 10}.c", 20),
    ("{a.b: 2, c: {d: a.b + 1}}.c.d", 3),
    ('{a-b: 2, c: get value({x-y: 4}, "x-y")}.c', 4),
    # outside its context it is a name nobody defined
    ('get value({a-b: 2}, "a-b")', 2),
    ("{x: 1, y: x-1}", {"x": 1, "y": 0}),
]


@pytest.mark.parametrize(("expr", "expected"), ESCAPES)
def test_unicode_escapes(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize("expr", BAD_ESCAPES)
def test_invalid_unicode_escapes_are_syntax_errors(expr: str) -> None:
    with pytest.raises(FeelSyntaxError, match="invalid unicode escape"):
        compile_expression(expr)


@pytest.mark.parametrize(("expr", "expected"), NAMES)
def test_names_beyond_ascii_and_the_basic_multilingual_plane(expr: str, expected: object) -> None:
    check(expr, expected)


def test_a_supplementary_plane_variable() -> None:
    check("\U0001f600 * 2", 10, {"\U0001f600": 5})


@pytest.mark.parametrize(("expr", "expected"), KEYS)
def test_context_keys_with_additional_name_symbols(expr: str, expected: object) -> None:
    check(expr, expected)


def test_a_key_ending_in_a_symbol_is_a_syntax_error() -> None:
    with pytest.raises(FeelSyntaxError, match="after the context key"):
        compile_expression("{a.: 1}")
