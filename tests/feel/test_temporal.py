"""Temporal value parsing and formatting (the lexical forms of DMN 1.5 10.3.2.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from strom.feel.temporal import (
    YearsMonthsDuration,
    add_months,
    format_dt_duration,
    format_time,
    format_ym_duration,
    parse_date,
    parse_datetime,
    parse_duration,
    parse_temporal,
    parse_time,
)


def test_parse_date() -> None:
    assert parse_date("2020-02-29") == dt.date(2020, 2, 29)
    assert parse_date("2021-02-29") is None
    assert parse_date("20-02-29") is None
    assert str(parse_date("-2020-02-29")) == "-2020-02-29"  # an ExtDate (see test_extended_temporal)
    assert parse_date("2020-2-29") is None


def test_parse_time() -> None:
    assert parse_time("01:02:03") == dt.time(1, 2, 3)
    assert parse_time("01:02:03.000004") == dt.time(1, 2, 3, 4)
    assert str(parse_time("01:02:03.123456789")) == "01:02:03.123456789"
    assert parse_time("01:02:03-05:30").utcoffset() == dt.timedelta(hours=-5, minutes=-30)  # type: ignore[union-attr]
    assert parse_time("01:02:03+19:00") is None
    assert parse_time("01:02") is None


def test_parse_datetime() -> None:
    assert parse_datetime("2020-01-01T00:00:00@UTC") is not None
    assert parse_datetime("2020-01-01T00:00:00@No/Where") is None
    assert parse_datetime("2020-01-01 00:00:00") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P1D", dt.timedelta(days=1)),
        ("PT1M", dt.timedelta(minutes=1)),
        ("P1M", YearsMonthsDuration(1)),
        ("P1Y1M", YearsMonthsDuration(13)),
        ("-P1Y1M", YearsMonthsDuration(-13)),
        ("P0D", dt.timedelta(0)),
        ("PT1.25S", dt.timedelta(seconds=1, milliseconds=250)),
        ("P1DT", None),
        ("P1W", None),
        ("", None),
    ],
)
def test_parse_duration(text: str, expected: object) -> None:
    assert parse_duration(text) == expected


def test_parse_temporal_dispatch() -> None:
    assert parse_temporal("2020-01-01") == dt.date(2020, 1, 1)
    assert parse_temporal("2020-01-01T01:00:00") == dt.datetime(2020, 1, 1, 1)
    assert parse_temporal("01:00:00") == dt.time(1)
    assert parse_temporal("P1D") == dt.timedelta(1)
    assert parse_temporal("nonsense") is None


def test_formatting() -> None:
    assert format_dt_duration(dt.timedelta(days=-1, hours=2)) == "-PT22H"
    assert format_dt_duration(dt.timedelta(days=2, seconds=1, microseconds=5)) == "P2DT1.000005S"
    assert format_ym_duration(YearsMonthsDuration(-25)) == "-P2Y1M"
    assert format_time(dt.time(1, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=-2)))) == "01:02:03-02:00"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2020, 3, 31), -1) == dt.date(2020, 2, 29)
    assert add_months(dt.date(2020, 12, 15), 1) == dt.date(2021, 1, 15)
    assert str(add_months(dt.date(9999, 12, 1), 1)) == "10000-01-01"
    with pytest.raises(OverflowError):
        add_months(parse_date("999999999-12-01"), 1)
