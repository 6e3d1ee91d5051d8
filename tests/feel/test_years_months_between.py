"""years and months duration(from, to) between dates and date-times: whole months between the dates.

The calendar dates count as written; a date and time's time of day and zone do not (java.time's
Period.between, as feel-scala in Zeebe and Drools compute it).
"""

from __future__ import annotations

import pytest

from .support import FAIL, check, ym

CASES = [
    ('years and months duration(date("2011-12-22"), date("2013-08-24"))', ym(1, 8)),
    ('years and months duration(date("2013-08-24"), date("2011-12-22"))', ym(-1, -8)),
    # the time of day does not take a month away ...
    ('years and months duration(@"2011-01-28T10:00:00", @"2011-02-28T09:00:00")', ym(0, 1)),
    ('years and months duration(@"2011-02-28T09:00:00", @"2011-01-28T10:00:00")', ym(0, -1)),
    # ... nor does the day of month's shortfall give one
    ('years and months duration(@"2011-01-31T00:00:00", @"2011-02-28T23:59:59")', ym(0, 0)),
    ('years and months duration(@"2020-02-29T12:00:00", @"2021-02-28T12:00:00")', ym(0, 11)),
    # zones and offsets: each side's own local date
    ('years and months duration(@"2011-01-31T23:30:00-05:00", @"2011-02-28T01:00:00+09:00")', ym(0, 0)),
    ('years and months duration(@"2015-12-24T00:00:01-01:00", @"2016-12-24T23:59:00-08:00")', ym(1, 0)),
    ('years and months duration(@"2011-01-01T10:00:00@Europe/Paris", @"2012-03-01T09:00:00Z")', ym(1, 2)),
    # mixed dates and date-times, local and zoned
    ('years and months duration(date("2011-01-15"), @"2011-03-15T00:00:00Z")', ym(0, 2)),
    ('years and months duration(@"2011-01-15T23:00:00", date("2011-03-15"))', ym(0, 2)),
    ('years and months duration(@"2011-01-15T23:00:00", @"2012-01-15T01:00:00Z")', ym(1, 0)),
    # extended years
    ('years and months duration(date("-2011-01-01"), date("2013-01-01"))', ym(4024, 0)),
    ('years and months duration(@"99999-12-31T10:00:00", @"100000-01-31T00:00:00")', ym(0, 1)),
    # what is not a date
    ('years and months duration(time("10:00:00"), date("2011-01-01"))', FAIL),
    ('years and months duration("2011-01-01", date("2012-01-01"))', FAIL),
    ('years and months duration(null, date("2012-01-01"))', None),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_years_and_months_between(expr: str, expected: object) -> None:
    check(expr, expected)
