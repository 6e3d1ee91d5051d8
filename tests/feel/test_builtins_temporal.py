"""Temporal builtins and temporal arithmetic (DMN 1.5 10.3.4.11, 10.3.2.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from strom.feel import compile_expression

from .support import FAIL, check, ym

CASES = [
    ('day of year(date("2019-09-17"))', 260),
    ('day of year(date("2020-12-31"))', 366),
    ('day of year(date and time("2019-01-01T10:00:00"))', 1),
    ('day of year("2019-09-17")', FAIL),
    ("day of year(null)", None),
    ('day of week(date("2019-09-17"))', "Tuesday"),
    ('day of week(date("2023-01-01"))', "Sunday"),
    ('day of week(date: date("2019-09-16"))', "Monday"),
    ('month of year(date("2019-09-17"))', "September"),
    ('month of year(date("2019-01-01"))', "January"),
    ('week of year(date("2019-09-17"))', 38),
    ('week of year(date("2003-12-29"))', 1),
    ('week of year(date("2010-01-01"))', 53),
    ('last day of month(date("2020-02-10"))', dt.date(2020, 2, 29)),
    ('last day of month(date("2021-02-10"))', dt.date(2021, 2, 28)),
    ("today() instance of date", True),
    ("now() instance of date and time", True),
    ('now() > date and time("2020-01-01T00:00:00Z")', True),
    ("today() = date(now())", True),
    ('date("2020-01-31") + duration("P1M")', dt.date(2020, 2, 29)),
    ('date("2021-01-31") + duration("P1M")', dt.date(2021, 2, 28)),
    ('date("2020-01-01") + duration("P1Y")', dt.date(2021, 1, 1)),
    ('date("2020-01-01") - duration("P1M")', dt.date(2019, 12, 1)),
    ('duration("P1M") + date("2020-01-15")', dt.date(2020, 2, 15)),
    ('date("2020-01-01") + duration("P1D")', dt.date(2020, 1, 2)),
    ('date("2020-01-01") + duration("PT25H")', dt.date(2020, 1, 2)),
    ('date("2021-01-02") - duration("PT1H")', dt.date(2021, 1, 1)),
    ('date("2021-01-02") - duration("-PT1H")', dt.date(2021, 1, 2)),
    ('duration("P1D") + date("2020-01-01")', dt.date(2020, 1, 2)),
    ('date("2020-01-02") - date("2020-01-01")', dt.timedelta(days=1)),
    ('date("2020-01-01") - date("2020-01-02")', dt.timedelta(days=-1)),
    ('date and time("2020-01-01T10:00:00") + duration("PT2H30M")', dt.datetime(2020, 1, 1, 12, 30)),
    ('date and time("2020-01-31T10:00:00") + duration("P1M")', dt.datetime(2020, 2, 29, 10)),
    ('date and time("2020-01-02T00:00:00") - date and time("2020-01-01T12:00:00")', dt.timedelta(hours=12)),
    (
        'date and time("2020-01-01T10:00:00Z") - date and time("2020-01-01T10:00:00+01:00")',
        dt.timedelta(hours=1),
    ),
    ('date and time("2020-01-01T10:00:00") - date and time("2020-01-01T10:00:00Z")', FAIL),
    ('date and time("2021-01-02T10:10:10+01:00") - date("2021-01-01")', dt.timedelta(days=1, seconds=33010)),
    ('date("2021-01-02") - date and time("2021-01-01T10:10:10+11:00")', dt.timedelta(days=1, seconds=2990)),
    ('date and time("2021-01-01T00:00:00") - date("2021-01-02")', FAIL),
    ('time("10:00:00") + duration("PT1H")', dt.time(11, 0)),
    ('time("23:00:00") + duration("PT2H")', dt.time(1, 0)),
    ('time("10:00:00") - duration("PT30M")', dt.time(9, 30)),
    ('time("10:00:00") - time("08:30:00")', dt.timedelta(hours=1, minutes=30)),
    ('time("10:00:00Z") - time("10:00:00+01:00")', dt.timedelta(hours=1)),
    ('time("10:00:00") + duration("P1M")', FAIL),
    ('duration("P1D") + duration("PT12H")', dt.timedelta(days=1, hours=12)),
    ('duration("P1D") - duration("PT12H")', dt.timedelta(hours=12)),
    ('duration("P1Y") + duration("P2M")', ym(1, 2)),
    ('duration("P1Y") - duration("P13M")', ym(0, -1)),
    ('duration("P1Y") + duration("P1D")', FAIL),
    ('duration("PT1H") * 2', dt.timedelta(hours=2)),
    ('2 * duration("PT1H")', dt.timedelta(hours=2)),
    ('duration("PT1H") * 1.5', dt.timedelta(minutes=90)),
    ('duration("P1Y") * 2', ym(2)),
    ('duration("PT1H") / 2', dt.timedelta(minutes=30)),
    ('duration("P1Y") / 2', ym(0, 6)),
    ('duration("P1D") / duration("PT1H")', 24),
    ('duration("P1Y") / duration("P1M")', 12),
    ('duration("PT1H") / 0', FAIL),
    ('-duration("PT1H")', dt.timedelta(hours=-1)),
    ('-duration("P1Y")', ym(-1)),
    ('date("2020-01-01") * 2', FAIL),
    ('date("2020-01-01") + date("2020-01-01")', FAIL),
    ('date(due) - today() < duration("P3D")', True),
    ('@"2020-01-01" + @"P1D" = @"2020-01-02"', True),
    ('cycle(duration("PT1H"))', "R/PT1H"),
    ('cycle(3, duration("PT10M"))', "R3/PT10M"),
    ('cycle(2, duration("P1D"))', "R2/P1D"),
    ('cycle(-1, duration("PT1H"))', FAIL),
    ('cycle("PT1H")', FAIL),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_temporal_builtins(expr: str, expected: object) -> None:
    check(expr, expected, {"due": dt.date.today().isoformat()})


def test_python_temporal_inputs() -> None:
    expr = compile_expression('d + duration("P1D")')
    assert expr.evaluate({"d": dt.date(2020, 1, 1)}) == dt.date(2020, 1, 2)
    expr = compile_expression("t.hour")
    assert expr.evaluate({"t": dt.datetime(2020, 1, 1, 5)}) == 5
    expr = compile_expression('span > duration("PT1M")')
    assert expr.evaluate({"span": dt.timedelta(minutes=2)}) is True


DST = [
    # Europe/Berlin springs forward at 2020-03-29 02:00 (+01:00 -> +02:00)
    (
        'date and time("2020-03-29T01:30:00@Europe/Berlin") + duration("PT1H")',
        'date and time("2020-03-29T03:30:00@Europe/Berlin")',
    ),
    (
        'date and time("2020-03-29T03:30:00@Europe/Berlin") - duration("PT1H")',
        'date and time("2020-03-29T01:30:00@Europe/Berlin")',
    ),
    (
        'date and time("2020-03-30T00:00:00@Europe/Berlin")'
        ' - date and time("2020-03-29T00:00:00@Europe/Berlin")',
        'duration("PT23H")',
    ),
    (
        'date and time("2020-03-28T12:00:00@Europe/Berlin") + duration("P1D")',
        'date and time("2020-03-29T13:00:00@Europe/Berlin")',
    ),
]


@pytest.mark.parametrize(("expr", "expected"), DST)
def test_days_time_arithmetic_is_exact_across_dst(expr: str, expected: str) -> None:
    check(f"string({expr})", compile_expression(f"string({expected})").evaluate())
