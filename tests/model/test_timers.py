"""Timer values follow Zeebe's (java.time's) grammar and are parsed at deployment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from strom.model.timers import (
    INFINITE,
    CronSchedule,
    Interval,
    RepeatingInterval,
    TimerValueError,
    check_due_date,
    parse_cron,
    parse_cycle,
    parse_date_time,
    parse_duration,
)

NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT5M", Interval(duration=timedelta(minutes=5))),
        ("PT30s", Interval(duration=timedelta(seconds=30))),
        ("PT1.5S", Interval(duration=timedelta(seconds=1, microseconds=500000))),
        ("PT1H30M", Interval(duration=timedelta(hours=1, minutes=30))),
        ("P1D", Interval(days=1)),
        ("P2W", Interval(days=14)),
        ("P1Y2M", Interval(years=1, months=2)),
        ("P1DT2H", Interval(days=1, duration=timedelta(hours=2))),
        ("-PT5M", Interval(duration=-timedelta(minutes=5))),
        ("p1d", Interval(days=1)),
    ],
)
def test_durations(text: str, expected: Interval) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "5M", "PT5", "P1H", "pt5m", "P1DT", "PT5M ", "P1.5D", "PTxM"]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(TimerValueError):
        parse_duration(text)


def test_huge_numbers_are_a_timer_error_not_an_overflow() -> None:
    with pytest.raises(TimerValueError):
        parse_duration("PT99999999999999999999H")
    with pytest.raises(TimerValueError, match="too large"):
        check_due_date(parse_duration("P9000Y"), NOW)


def test_calendar_periods_clamp_to_month_ends() -> None:
    assert parse_duration("P1M").due_date(NOW) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert parse_duration("PT1H").due_date(NOW) == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T10:15+02:00", datetime(2026, 1, 1, 10, 15, tzinfo=timezone(timedelta(hours=2)))),
        (
            "2026-01-01T10:15:30.250-05:00",
            datetime(2026, 1, 1, 10, 15, 30, 250000, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_date_times(text: str, expected: datetime) -> None:
    assert parse_date_time(text) == expected


def test_date_time_with_zone_id() -> None:
    value = parse_date_time("2026-07-01T12:00:00+02:00[Europe/Berlin]")
    assert value.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-13-01T00:00:00Z",
        "2026-01-01T25:00Z",
        "tomorrow",
        "2026-01-01T00:00Z[Mars/Olympus]",
        "2026-01-01T00:00+19:00",
    ],
)
def test_bad_date_times(text: str) -> None:
    with pytest.raises(TimerValueError):
        parse_date_time(text)


def test_repeating_intervals() -> None:
    assert parse_cycle("R5/PT10S") == RepeatingInterval(5, Interval(duration=timedelta(seconds=10)))
    assert parse_cycle("R/PT1M") == RepeatingInterval(INFINITE, Interval(duration=timedelta(minutes=1)))
    anchored = parse_cycle("R3/2026-01-01T00:00:00Z/P1D")
    assert anchored == RepeatingInterval(3, Interval(days=1, start=datetime(2026, 1, 1, tzinfo=UTC)))


@pytest.mark.parametrize("text", ["R", "R5", "Rx/PT1S", "R5/", "R5/PT", "R/2026-01-01T00:00:00/P1D"])
def test_bad_repeating_intervals(text: str) -> None:
    with pytest.raises(TimerValueError):
        parse_cycle(text)


def test_cron_six_fields_seconds_first() -> None:
    schedule = parse_cycle("0 0 9 * * MON-FRI")
    assert schedule == CronSchedule("0 0 9 * * MON-FRI")
    assert schedule.due_date(datetime(2026, 1, 2, 10, 0, tzinfo=UTC)) == datetime(
        2026, 1, 5, 9, 0, tzinfo=UTC
    )
    assert parse_cycle("*/10 * * * * *").due_date(NOW) == NOW + timedelta(seconds=10)


def test_cron_macros() -> None:
    assert parse_cron("@daily") == CronSchedule("0 0 0 * * *")
    assert parse_cron("@hourly").due_date(NOW) == NOW + timedelta(hours=1)


@pytest.mark.parametrize("text", ["0 9 * * *", "* * * * * * *", "61 * * * * *", "a b c d e f", ""])
def test_bad_cron(text: str) -> None:
    with pytest.raises(TimerValueError):
        parse_cron(text)
