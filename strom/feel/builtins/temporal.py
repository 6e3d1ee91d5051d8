"""Temporal builtins (DMN 1.5 10.3.4.11) and Camunda's ``now``, ``today``, ``last day of month``."""

from __future__ import annotations

import calendar
import datetime as _dt
from typing import Any

from ..temporal import ExtDate, ExtDateTime, make_date
from ._registry import builtin, expect

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date(x: Any, pname: str = "date") -> _dt.date:
    """The calendar date of a date or date and time; for years outside 1..9999 the same day of
    a year 400·n years away (same weekday, day of year, week of year and month lengths)."""
    t = type(x)
    if t is _dt.date:
        return x
    if t is _dt.datetime:
        return x.date()
    if t is ExtDate:
        return x.base
    if t is ExtDateTime:
        return x.base.date()
    expect(x, "date", pname)
    raise AssertionError


@builtin("day of year", "date")
def day_of_year(d: Any) -> Any:
    return _date(d).timetuple().tm_yday


@builtin("day of week", "date")
def day_of_week(d: Any) -> Any:
    return _DAYS[_date(d).weekday()]


@builtin("month of year", "date")
def month_of_year(d: Any) -> Any:
    return _MONTHS[_date(d).month - 1]


@builtin("week of year", "date")
def week_of_year(d: Any) -> Any:
    return _date(d).isocalendar()[1]


@builtin("last day of month", "date")
def last_day_of_month(d: Any) -> Any:
    x = _date(d)
    last = calendar.monthrange(x.year, x.month)[1]
    if type(d) is _dt.date or type(d) is _dt.datetime:
        return x.replace(day=last)
    return make_date(d.year, d.month, last)


@builtin("now")
def now() -> Any:
    return _dt.datetime.now().astimezone()


@builtin("today")
def today() -> Any:
    return _dt.date.today()


def _interval(d: Any) -> str:
    from .._format import to_feel_string
    from ..temporal import YearsMonthsDuration

    if type(d) not in (_dt.timedelta, YearsMonthsDuration):
        expect(d, "duration", "interval")
    return to_feel_string(d)


@builtin("cycle", "interval")
def cycle1(interval: Any) -> Any:
    """Zeebe's timer-cycle helper: ``cycle(duration("PT1H"))`` is ``"R/PT1H"`` (forever)."""
    return "R/" + _interval(interval)


@builtin("cycle", "repetitions, interval")
def cycle2(repetitions: Any, interval: Any) -> Any:
    """``cycle(3, duration("PT10M"))`` is ``"R3/PT10M"``."""
    from ._registry import int_arg

    n = int_arg(repetitions, "repetitions")
    if n < 0:
        from ._registry import Invalid

        raise Invalid("repetitions must not be negative")
    return f"R{n}/{_interval(interval)}"
