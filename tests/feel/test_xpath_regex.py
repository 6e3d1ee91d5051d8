"""matches / replace / split follow XML Schema and XPath regular expressions (F&O 3.1 5.6), not Python's.

FEEL strings keep unknown escapes verbatim, so the FEEL literal ``"\\s"`` is backslash and s;
``"\\\\"`` is one backslash and ``"\\b"`` a backspace, as in JSON.
"""

from __future__ import annotations

import pytest

from strom.feel import FeelEvaluationError, compile_expression

from .support import FAIL, check

FLAGS = [
    # '.' stops at both line terminators; 's' lets it match them
    ('matches("a\nb", "a.b")', False),
    ('matches("a\rb", "a.b")', False),
    ('matches("a\nb", "a.b", "s")', True),
    ('matches("a\rb", "a.b", "s")', True),
    # '$' is the end of the input, not "before a final newline" as in Python
    ('matches("ab\n", "ab$")', False),
    ('matches("ab\n", "ab$", "m")', True),
    ('matches("ab\ncd", "^cd")', False),
    ('matches("ab\ncd", "^cd", "m")', True),
    ('matches("ab\ncd", "ab$", "m")', True),
    ('matches("FOO", "foo", "i")', True),
    ('replace("Banana", "a", "o", "i")', "Bonono"),
    # 'x' removes whitespace outside classes (no '#' comments), keeps it inside them
    ('matches("abc", "a b c", "x")', True),
    ('matches("abc", "^a\n\tb c$", "x")', True),
    ('matches("a b", "a b", "x")', False),
    ('matches("a b", "a[ ]b", "x")', True),
    ('matches("a#b", "a#b", "x")', True),
    ('matches("a b", "a\\ sb", "x")', True),  # removed before escapes are read: "\\ s" is "\\s"
    ('matches("hello", "\\p{ I s B a s i c L a t i n }+", "x")', True),
    ('matches("hello", "\\p{ IsBasicLatin}+")', FAIL),
    ('matches("ABC", "a b c", "ix")', True),
    # 'q': everything literal, combinable with 'i'; m, s and x are then without effect
    ('matches("a.c", "a.c", "q")', True),
    ('matches("abc", "a.c", "q")', False),
    ('matches("A.C", "a.c", "qi")', True),
    ('matches("a b", "a b", "qx")', True),
    ('replace("a.b.c", ".", "$", "q")', "a$b$c"),
    ('replace("a+b", "+", "\\\\", "q")', "a\\b"),
    # flags optional; null or "" are no flags; an unknown flag fails
    ('matches("a", "a", null)', True),
    ('matches("a", "a", "")', True),
    ('replace("aA", "a", "x", null)', "xA"),
    ('matches("a", "a", "g")', FAIL),
    ('replace("a", "a", "b", "n")', FAIL),
    ('matches(null, "a")', None),
    ('matches("a", null)', None),
    ('matches("a", "a", 1)', FAIL),
]

CLASSES = [
    # subtraction, nested and negated
    ('matches("e", "^[a-z-[aeiou]]$")', False),
    ('matches("b", "^[a-z-[aeiou]]$")', True),
    ('matches("m", "^[a-z-[b-y-[m]]]$")', True),
    ('matches("c", "^[a-z-[b-y-[m]]]$")', False),
    ('matches("5", "^[^a-z-[5]]$")', False),
    ('matches("6", "^[^a-z-[5]]$")', True),
    ('matches("4", "^[\\d-[5-9]]$")', True),
    ('matches("7", "^[\\d-[5-9]]$")', False),
    # block escapes, Unicode 3.x names as XML Schema has them included
    ('matches("é", "\\p{IsLatin-1Supplement}")', True),
    ('matches("a", "\\p{IsLatin-1Supplement}")', False),
    ('matches("α", "^\\p{IsGreek}$")', True),
    ('matches("α", "^\\p{IsGreekandCoptic}$")', True),
    ('matches("a", "^\\P{IsBasicLatin}$")', False),
    ('matches("中", "^[\\p{IsCJKUnifiedIdeographs}]$")', True),
    ('matches("x", "\\p{IsNoSuchBlock}")', FAIL),
    ('matches("x", "\\p{Alpha}")', FAIL),
    ('matches("X", "^\\p{Lu}$")', True),
    ('matches("x", "^\\p{Lu}$")', False),
    ('matches("x", "^[\\p{Lu}x]$")', True),
    # multi-character escapes with XML Schema's sets
    ('matches("_", "\\w")', False),
    ('matches("+", "^\\w$")', True),
    ('matches("\u000b", "\\s")', False),
    ('matches("\u00a0", "\\s")', False),
    ('matches(" \t\r\n", "^\\s+$")', True),
    ('matches("x:y-z.1", "^\\i\\c*$")', True),
    ('matches("1x", "^\\i")', False),
    ('matches("٣", "^\\d$")', True),
    ('matches("-", "^[a-]$")', True),
    ('matches("-", "^[-a]$")', True),
    ('matches("\U0001f600", "^.$")', True),
    # what XML Schema does not define is an error, not Python's reading of it
    ('matches("x", "[]")', FAIL),
    ('matches("x", "[a-b-c]")', FAIL),
    ('matches("x", "[z-a]")', FAIL),
    ('matches("x", "[a[b]")', FAIL),
    ('matches("a/b", "a\\/b")', FAIL),
    ('matches("ab", "a\\\\b")', FAIL),
    ('matches("A", "\\x41")', FAIL),
    ('matches("ab", "a{,2}")', FAIL),
    ('matches("a}", "a}")', FAIL),
    ('matches("a]", "a]")', FAIL),
    ('matches("ab", "(?i)AB")', FAIL),
    ('matches("ab", "a(?=b)")', FAIL),
    ('matches("aaa", "a*+")', FAIL),
    ('matches("a", "a{3,1}")', FAIL),
    ('matches("a{", "a\\{")', True),
    ('matches("a$", "a\\$")', True),
    ('matches("aaa", "^a{2,}$")', True),
    ('matches("aaa", "^a*?$")', True),
]

BACK_REFERENCES = [
    ('matches("abab", "^(ab)\\1$")', True),
    ('matches("abac", "^(ab)\\1$")', False),
    ('matches("ABab", "^(ab)\\1$", "i")', True),
    ('matches("abab", "\\1(ab)")', FAIL),
    ('matches("aa", "(a\\1)")', FAIL),
    ('matches("a", "(a)\\2")', FAIL),
    ('matches("a", "(a)\\0")', FAIL),
    ('matches("a", "[\\1]")', FAIL),
    # \11 is group 11 when there are eleven groups, else group 1 and then "1"
    ('matches("abcdefghijkk", "^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\\11$")', True),
    ('matches("aa1", "^(a)\\11$")', True),
    ('matches("(a)", "^\\(a\\)$")', True),
    ('matches("aba", "^(?:(a)b)\\1$")', True),
]

REPLACEMENTS = [
    ('replace("abc", "(b)", "[$1]")', "a[b]c"),
    ('replace("abc", "(b)", "[$12]")', "a[b2]c"),
    ('replace("abc", "b", "[$1]")', "a[]c"),
    ('replace("abc", "b", "$0$0")', "abbc"),
    ('replace("abc", "(b)", "\\$1")', "a$1c"),
    ('replace("abc", "(b)", "\\\\\\\\")', "a\\c"),
    ('replace("abc", "(b)", "\\\\")', FAIL),
    ('replace("abc", "(b)", "\\x")', FAIL),
    ('replace("abc", "(b)", "$")', FAIL),
    ('replace("abc", "(b)", "$x")', FAIL),
    ('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
    ('replace("a\nb", ".", "x")', "x\nx"),
    ('replace("a\nb", ".", "x", "s")', "xxx"),
    ('replace("abc", "x*", "-")', FAIL),
    ('replace("abc", "", "-")', FAIL),
    ('replace("abc", "^", "-")', FAIL),
]

SPLITS = [
    ('split("a\nb", ".")', ["", "\n", ""]),
    ('split("a_b c", "\\w")', ["", "_", " ", ""]),
    ('split("a1b٣c", "\\d")', ["a", "b", "c"]),
    ('split("abc", "x*")', FAIL),
    ('split("abc", "[")', FAIL),
    ('split("a|b", "\\|")', ["a", "b"]),
]


@pytest.mark.parametrize(("expr", "expected"), FLAGS)
def test_flags(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize(("expr", "expected"), CLASSES)
def test_character_classes_and_escapes(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize(("expr", "expected"), BACK_REFERENCES)
def test_back_references(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize(("expr", "expected"), REPLACEMENTS)
def test_replacement_strings(expr: str, expected: object) -> None:
    check(expr, expected)


@pytest.mark.parametrize(("expr", "expected"), SPLITS)
def test_split_uses_the_same_patterns(expr: str, expected: object) -> None:
    check(expr, expected)


def test_a_named_call_may_leave_out_the_flags() -> None:
    check('matches(input: "ABC", pattern: "b", flags: "i")', True)
    check('matches(input: "ABC", pattern: "b")', False)
    check('replace(input: "abc", pattern: "b", replacement: "x")', "axc")


def test_an_invalid_pattern_says_what_and_where() -> None:
    with pytest.raises(FeelEvaluationError) as failure:
        compile_expression('matches("abab", "(a)\\\\2")').evaluate()

    message = str(failure.value)
    assert "back-reference '\\2' refers to group 2, which does not exist before it" in message
    assert "(at position 4)" in message


def test_the_time_limit_still_applies_to_translated_patterns() -> None:
    expression = compile_expression('matches(s, "^(\\w|\\w\\w)+$", "x")')

    with pytest.raises(FeelEvaluationError, match="ran longer than 1 s"):
        expression.evaluate({"s": "a" * 60 + "!"})
