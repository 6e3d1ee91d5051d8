"""Fuzzing: any text either fails to compile with FeelSyntaxError or evaluates, quickly.

Evaluation in DMN mode must give a value (never an exception); strict mode may also raise
FeelEvaluationError. Each example runs under a wall-clock alarm so a super-linear blowup fails
the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.feel import FeelEvaluationError, FeelSyntaxError, compile_expression, compile_unary_tests

TIME_LIMIT_S = 30.0
"""Catches hangs (exponential blowups), not slowness: compiling a 20,000-term sum takes ~3 s on an
idle core of a slow machine, and several times that on a shared CI machine under load."""

TOKENS = [
    "1",
    "0",
    "-1",
    "2.5",
    ".5",
    "1e3",
    "99999999999999999999999999999999999999",
    '"a"',
    '""',
    '"\\n"',
    "true",
    "false",
    "null",
    "x",
    "y",
    "item",
    "?",
    "partial",
    "first name",
    "order",
    "items",
    "+",
    "-",
    "*",
    "/",
    "**",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ".",
    "..",
    ":",
    "and",
    "or",
    "not",
    "in",
    "between",
    "instance of",
    "if",
    "then",
    "else",
    "for",
    "return",
    "some",
    "every",
    "satisfies",
    "function",
    "external",
    "number",
    "list<number>",
    'date("2020-01-01")',
    '@"P1D"',
    '@"2020-01-01T10:00:00Z"',
    '@"10:00:00"',
    "count",
    "sum",
    "string join",
    "substring",
    "date and time",
    "sort",
    "get value",
    "abs",
    "now()",
    "today()",
    "`a b`",
    "//",
    "/*",
    "*/",
    "@",
    '"',
    "\\",
    "]..[",
    "1..3",
    "$",
    "#",
]
VARIABLES: dict[str, Any] = {
    "x": 3,
    "y": "s",
    "order": {"items": [{"price": 5}, {"price": 20}]},
    "items": [1, 2, 3],
    "first name": "Ann",
}


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: object) -> None:
        raise _TooSlow(f"took longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(src: str) -> None:
    with time_limit(TIME_LIMIT_S):
        try:
            expr = compile_expression(src)
        except FeelSyntaxError:
            pass
        else:
            expr.evaluate(VARIABLES, mode="dmn")
            with contextlib.suppress(FeelEvaluationError):
                expr.evaluate(VARIABLES)
        try:
            tests = compile_unary_tests(src)
        except FeelSyntaxError:
            return
        tests.evaluate(3, VARIABLES, mode="dmn")
        with contextlib.suppress(FeelEvaluationError):
            tests.matches("s", VARIABLES)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(st.text(max_size=60))
def test_random_text(src: str) -> None:
    run(src)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from([" ", ""]))
def test_token_soup(tokens: list[str], sep: str) -> None:
    run(sep.join(tokens))


@FUZZ
@given(
    st.recursive(
        st.sampled_from(["1", "x", '"a"', "null", "true", "[1, 2]", "{a: 1}", "items", '@"P1D"']),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "=", "<", "and", "or"]), inner).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            inner.map(lambda e: f"[{e}, {e}]"),
            inner.map(lambda e: f"{{k: {e}}}.k"),
            inner.map(lambda e: f"for i in [1, 2] return {e}"),
            inner.map(lambda e: f"if {e} then {e} else null"),
            inner.map(lambda e: f"{e}[item > 1]"),
            inner.map(lambda e: f"count({e})"),
            inner.map(lambda e: f"string({e})"),
        ),
        max_leaves=12,
    )
)
def test_well_formed_expressions_never_crash(src: str) -> None:
    run(src)


def test_pathological_inputs_are_bounded() -> None:
    for src in [
        "(" * 10_000,
        "[" * 10_000,
        "{" * 10_000,
        "-" * 10_000,
        "not(" * 10_000,
        '"' * 10_001,
        "1" * 100_000,
        "a " * 20_000,
        "1" + " + 1" * 20_000,
        "for i in 1..1000000000 return i",
        "9 ** 9 ** 9 ** 9",
        "sum(for i in 1..100000 return i)",
        "string join(for i in 1..10000 return string(i))",
        "for i in 1..999999, j in 1..999999 return 1",
        "every i in [1..999999], j in [1..999999] satisfies true",
    ]:
        run(src)
