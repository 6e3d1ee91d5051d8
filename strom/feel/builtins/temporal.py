"""Temporal builtins (DMN 1.5 10.3.4.11) and Camunda's ``now``, ``today``, ``last day of month``."""

from __future__ import annotations

import calendar
import datetime as _dt
from typing import Any

from ._registry import builtin, expect

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]


def _date(x: Any, pname: str = "date") -> _dt.date:
    if type(x) is _dt.date:
        return x  # type: ignore[no-any-return]
    if type(x) is _dt.datetime:
        return x.date()  # type: ignore[no-any-return]
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
    return x.replace(day=calendar.monthrange(x.year, x.month)[1])


@builtin("now")
def now() -> Any:
    return _dt.datetime.now().astimezone()


@builtin("today")
def today() -> Any:
    return _dt.date.today()
