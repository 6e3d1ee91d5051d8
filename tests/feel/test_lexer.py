"""Tokenizer: numbers, strings and escapes, names, operators, comments."""

from __future__ import annotations

import pytest

from strom.feel import FeelSyntaxError
from strom.feel.lexer import tokenize


def kinds(src: str) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in tokenize(src)][:-1]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("1", [("number", "1")]),
        ("1.5", [("number", "1.5")]),
        (".5", [("number", ".5")]),
        ("1..5", [("number", "1"), ("op", ".."), ("number", "5")]),
        ("1e3", [("number", "1e3")]),
        ('"a b"', [("string", "a b")]),
        ('"\\""', [("string", '"')]),
        ('"\\s"', [("string", "\\s")]),
        ("a b", [("name", "a"), ("name", "b")]),
        ("`a b`", [("name", "a b")]),
        ("?", [("name", "?")]),
        ("a**b", [("name", "a"), ("op", "**"), ("name", "b")]),
        ("a!=b", [("name", "a"), ("op", "!="), ("name", "b")]),
        ("<=>=", [("op", "<="), ("op", ">=")]),
        ('@"P1D"', [("temporal", "P1D")]),
        ("a // c\nb", [("name", "a"), ("name", "b")]),
        ("a /* c */ b", [("name", "a"), ("name", "b")]),
        ("x.y", [("name", "x"), ("op", "."), ("name", "y")]),
        ("Applicant's", [("name", "Applicant's")]),
        ("", []),
        ("   \t\n ", []),
    ],
)
def test_tokens(src: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(src) == expected


@pytest.mark.parametrize(
    ("src", "column"),
    [
        ('"abc', 1),
        ("a /* never closed", 3),
        ("a # b", 3),
        ("@x", 1),
        ("`abc", 1),
        ('"\\u12"', 2),
        ("1abc", 2),
        ("a ~ b", 3),
    ],
)
def test_lexical_errors_point_at_the_culprit(src: str, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        tokenize(src)
    assert info.value.column == column
    assert info.value.line == 1
    assert info.value.source == src


def test_positions_are_offsets() -> None:
    toks = tokenize("ab + 12")
    assert [(t.pos, t.end) for t in toks[:-1]] == [(0, 2), (3, 4), (5, 7)]
