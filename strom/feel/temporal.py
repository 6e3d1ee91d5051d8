"""FEEL temporal values on top of the standard library.

date -> ``datetime.date``; time -> ``datetime.time`` (tzinfo optional); date and time ->
``datetime.datetime`` (naive = local, or an offset / IANA zone); days and time duration ->
``datetime.timedelta``; years and months duration -> :class:`YearsMonthsDuration` (months only,
since the standard library has no such type).

What the standard library can't hold — a year outside 1..9999 (FEEL, like ISO 8601 expanded
years and Java, has years -999999999..999999999) or a fraction of a second finer than
microseconds — is an :class:`ExtDate`, :class:`ExtDateTime` or :class:`ExtTime`: a standard value
plus what it lacks. The proleptic Gregorian calendar repeats every 400 years (146097 days, a
whole number of weeks), so an out-of-range year is held as a ``date``/``datetime`` moved by a
multiple of 400 years into range (``base``) plus that ``shift``: month lengths, leap days,
weekdays, day of year and week of year are those of the true year. Early years sit in 401..800
and late ones in 9200..9599, so a time zone gives them its first (local mean time) and its
current rules, as for years before the zone's history and after its last transition; the margin
of 400 years keeps ``astimezone`` and a day either side in range. Values the standard types can
hold are always the standard types (make_date etc. choose), so the common path never meets these.
Durations stay in microseconds.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "ExtDate",
    "ExtDateTime",
    "ExtTime",
    "YearsMonthsDuration",
    "add_months",
    "date_from_ordinal",
    "datetime_from_utc_ns",
    "datetime_from_wall_ns",
    "format_date",
    "format_datetime",
    "format_dt_duration",
    "format_time",
    "format_ym_duration",
    "make_date",
    "make_datetime",
    "make_time",
    "nanosecond_of",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_temporal",
    "parse_time",
    "td_ns",
    "time_ns",
    "utc_ns",
    "wall_ns",
    "zone_of",
]


@dataclass(frozen=True, slots=True, order=True)
class YearsMonthsDuration:
    """A years and months duration; only the month count matters (P1Y = P12M)."""

    months: int

    def __str__(self) -> str:
        return format_ym_duration(self)

    def __repr__(self) -> str:
        return f'duration("{format_ym_duration(self)}")'


MIN_YEAR = -999_999_999
MAX_YEAR = 999_999_999
_CYCLE_DAYS = 146_097  # days in 400 Gregorian years: 20871 weeks
_DAY_NS = 86_400_000_000_000
_SEC_NS = 1_000_000_000
_MAX_ORDINAL = _dt.date.max.toordinal()


def _frame_year(year: int) -> int:
    """The year in 401..800 (early years) or 9200..9599 (late years) at the same place of the
    400-year cycle as ``year``."""
    if year < 5000:
        return 401 + (year - 401) % 400
    return 9200 + (year - 9200) % 400


def _no_setattr(self: object, name: str, value: object) -> None:
    raise AttributeError(f"{type(self).__name__} is immutable")


class ExtDate:
    """A date with a year outside 1..9999: ``base`` is the same day moved into range by
    ``shift`` years (a multiple of 400). Build with :func:`make_date`."""

    __slots__ = ("base", "shift")
    base: _dt.date
    shift: int
    __setattr__ = _no_setattr

    def __init__(self, base: _dt.date, shift: int) -> None:
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "shift", shift)

    @property
    def year(self) -> int:
        return self.base.year + self.shift

    @property
    def month(self) -> int:
        return self.base.month

    @property
    def day(self) -> int:
        return self.base.day

    def toordinal(self) -> int:
        """Days since 0001-01-01 (day 1), negative before it; as ``date.toordinal``."""
        return self.base.toordinal() + self.shift // 400 * _CYCLE_DAYS

    def weekday(self) -> int:
        return self.base.weekday()

    def isoweekday(self) -> int:
        return self.base.isoweekday()

    def __eq__(self, other: object) -> bool:
        if type(other) is not ExtDate:
            return NotImplemented
        return self.shift == other.shift and self.base == other.base

    def __lt__(self, other: ExtDate) -> bool:
        return self.toordinal() < other.toordinal()

    def __le__(self, other: ExtDate) -> bool:
        return self.toordinal() <= other.toordinal()

    def __gt__(self, other: ExtDate) -> bool:
        return self.toordinal() > other.toordinal()

    def __ge__(self, other: ExtDate) -> bool:
        return self.toordinal() >= other.toordinal()

    def __hash__(self) -> int:
        return hash((ExtDate, self.toordinal()))

    def __str__(self) -> str:
        return format_date(self)

    def __repr__(self) -> str:
        return f'date("{format_date(self)}")'

    def __reduce__(self) -> tuple[type, tuple[_dt.date, int]]:
        return ExtDate, (self.base, self.shift)


class ExtDateTime:
    """A date and time with a year outside 1..9999 or a fraction finer than microseconds.

    ``base`` is the same wall-clock time (with its tzinfo) moved into range by ``shift`` years (a
    multiple of 400; 0 when only the fraction needs this type); ``nanosecond`` (0..999) is the
    part of the fraction below ``microsecond``. Build with :func:`make_datetime`.
    """

    __slots__ = ("base", "nanosecond", "shift")
    base: _dt.datetime
    shift: int
    nanosecond: int
    __setattr__ = _no_setattr

    def __init__(self, base: _dt.datetime, shift: int, nanosecond: int = 0) -> None:
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "shift", shift)
        object.__setattr__(self, "nanosecond", nanosecond)

    @property
    def year(self) -> int:
        return self.base.year + self.shift

    @property
    def month(self) -> int:
        return self.base.month

    @property
    def day(self) -> int:
        return self.base.day

    @property
    def hour(self) -> int:
        return self.base.hour

    @property
    def minute(self) -> int:
        return self.base.minute

    @property
    def second(self) -> int:
        return self.base.second

    @property
    def microsecond(self) -> int:
        return self.base.microsecond

    @property
    def tzinfo(self) -> _dt.tzinfo | None:
        return self.base.tzinfo

    @property
    def fold(self) -> int:
        return self.base.fold

    def utcoffset(self) -> _dt.timedelta | None:
        return self.base.utcoffset()

    def toordinal(self) -> int:
        return self.base.toordinal() + self.shift // 400 * _CYCLE_DAYS

    def weekday(self) -> int:
        return self.base.weekday()

    def isoweekday(self) -> int:
        return self.base.isoweekday()

    def date(self) -> _dt.date | ExtDate:
        return make_date(self.year, self.base.month, self.base.day)

    def timetz(self) -> _dt.time | ExtTime:
        b = self.base
        return make_time(b.hour, b.minute, b.second, b.microsecond, b.tzinfo, self.nanosecond, b.fold)

    def _key(self) -> int:
        return utc_ns(self) if self.base.tzinfo is not None else wall_ns(self)

    def _order(self, other: object) -> tuple[int, int]:
        if type(other) is not ExtDateTime:
            raise TypeError(f"can't compare date and time with {type(other).__name__}")
        if (self.base.tzinfo is None) != (other.base.tzinfo is None):
            raise TypeError("can't compare offset-naive and offset-aware date and times")
        return self._key(), other._key()

    def __eq__(self, other: object) -> bool:
        if type(other) is not ExtDateTime:
            return NotImplemented
        if (self.base.tzinfo is None) != (other.base.tzinfo is None):
            return False
        return self._key() == other._key()

    def __lt__(self, other: ExtDateTime) -> bool:
        a, b = self._order(other)
        return a < b

    def __le__(self, other: ExtDateTime) -> bool:
        a, b = self._order(other)
        return a <= b

    def __gt__(self, other: ExtDateTime) -> bool:
        a, b = self._order(other)
        return a > b

    def __ge__(self, other: ExtDateTime) -> bool:
        a, b = self._order(other)
        return a >= b

    def __hash__(self) -> int:
        return hash((ExtDateTime, self._key()))

    def __str__(self) -> str:
        return format_datetime(self)

    def __repr__(self) -> str:
        return f'date and time("{format_datetime(self)}")'

    def __reduce__(self) -> tuple[type, tuple[_dt.datetime, int, int]]:
        return ExtDateTime, (self.base, self.shift, self.nanosecond)


class ExtTime:
    """A time with a fraction finer than microseconds: ``base`` plus ``nanosecond`` (1..999, the
    part of the fraction below ``microsecond``). Build with :func:`make_time`."""

    __slots__ = ("base", "nanosecond")
    base: _dt.time
    nanosecond: int
    __setattr__ = _no_setattr

    def __init__(self, base: _dt.time, nanosecond: int) -> None:
        object.__setattr__(self, "base", base)
        object.__setattr__(self, "nanosecond", nanosecond)

    @property
    def hour(self) -> int:
        return self.base.hour

    @property
    def minute(self) -> int:
        return self.base.minute

    @property
    def second(self) -> int:
        return self.base.second

    @property
    def microsecond(self) -> int:
        return self.base.microsecond

    @property
    def tzinfo(self) -> _dt.tzinfo | None:
        return self.base.tzinfo

    @property
    def fold(self) -> int:
        return self.base.fold

    def utcoffset(self) -> _dt.timedelta | None:
        return self.base.utcoffset()

    def _key(self) -> int:
        return time_utc_ns(self)

    def __eq__(self, other: object) -> bool:
        if type(other) is not ExtTime:
            return NotImplemented
        if (self.base.tzinfo is None) != (other.base.tzinfo is None):
            return False
        return self._key() == other._key()

    def __lt__(self, other: ExtTime) -> bool:
        return self._key() < other._key()

    def __le__(self, other: ExtTime) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: ExtTime) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: ExtTime) -> bool:
        return self._key() >= other._key()

    def __hash__(self) -> int:
        return hash((ExtTime, self._key()))

    def __str__(self) -> str:
        return format_time(self)

    def __repr__(self) -> str:
        return f'time("{format_time(self)}")'

    def __reduce__(self) -> tuple[type, tuple[_dt.time, int]]:
        return ExtTime, (self.base, self.nanosecond)


AnyDateTime = _dt.datetime | ExtDateTime
AnyTime = _dt.time | ExtTime


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise OverflowError(f"year {year} out of range")


def make_date(year: int, month: int, day: int) -> _dt.date | ExtDate:
    """A date of any year in MIN_YEAR..MAX_YEAR: a ``datetime.date`` when it can hold it.

    Raises ValueError for an impossible month or day, OverflowError for a year out of range.
    """
    if 1 <= year <= 9999:
        return _dt.date(year, month, day)
    _check_year(year)
    f = _frame_year(year)
    return ExtDate(_dt.date(f, month, day), year - f)


def make_datetime(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    tzinfo: _dt.tzinfo | None = None,
    nanosecond: int = 0,
    fold: int = 0,
) -> _dt.datetime | ExtDateTime:
    """A date and time of any year in MIN_YEAR..MAX_YEAR, with ``nanosecond`` (0..999) below the
    microseconds: a ``datetime.datetime`` when it can hold it."""
    if nanosecond == 0 and 1 <= year <= 9999:
        return _dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo, fold=fold)
    if not 0 <= nanosecond <= 999:
        raise ValueError("nanosecond must be in 0..999")
    if 1 <= year <= 9999:
        f = year
    else:
        _check_year(year)
        f = _frame_year(year)
    base = _dt.datetime(f, month, day, hour, minute, second, microsecond, tzinfo, fold=fold)
    return ExtDateTime(base, year - f, nanosecond)


def make_time(
    hour: int,
    minute: int,
    second: int,
    microsecond: int = 0,
    tzinfo: _dt.tzinfo | None = None,
    nanosecond: int = 0,
    fold: int = 0,
) -> _dt.time | ExtTime:
    """A time with ``nanosecond`` (0..999) below the microseconds: a ``datetime.time`` when 0."""
    base = _dt.time(hour, minute, second, microsecond, tzinfo, fold=fold)
    if nanosecond == 0:
        return base
    if not 0 < nanosecond <= 999:
        raise ValueError("nanosecond must be in 0..999")
    return ExtTime(base, nanosecond)


def nanosecond_of(x: object) -> int:
    """The nanoseconds below the microseconds of a time or date and time (0 for standard ones)."""
    t = type(x)
    return x.nanosecond if t is ExtDateTime or t is ExtTime else 0  # type: ignore[attr-defined]


def _ymd(ordinal: int) -> tuple[int, int, int]:
    if 1 <= ordinal <= _MAX_ORDINAL:
        d = _dt.date.fromordinal(ordinal)
        return d.year, d.month, d.day
    cycles, rest = divmod(ordinal - 1, _CYCLE_DAYS)
    d = _dt.date.fromordinal(rest + 1)
    return d.year + 400 * cycles, d.month, d.day


def date_from_ordinal(ordinal: int) -> _dt.date | ExtDate:
    """The inverse of ``toordinal()`` for every year (day 1 is 0001-01-01)."""
    if 1 <= ordinal <= _MAX_ORDINAL:
        return _dt.date.fromordinal(ordinal)
    return make_date(*_ymd(ordinal))


def wall_ns(x: AnyDateTime) -> int:
    """A date and time's wall-clock reading in nanoseconds since 0000-12-31T00:00."""
    secs = x.toordinal() * 86_400 + x.hour * 3_600 + x.minute * 60 + x.second
    return (secs * 1_000_000 + x.microsecond) * 1_000 + nanosecond_of(x)


def td_ns(td: _dt.timedelta) -> int:
    return ((td.days * 86_400 + td.seconds) * 1_000_000 + td.microseconds) * 1_000


def utc_ns(x: AnyDateTime) -> int:
    """The instant of a date and time in nanoseconds (as wall_ns of its UTC reading); the wall
    clock itself when it has no time zone."""
    off = x.utcoffset()
    return wall_ns(x) - (td_ns(off) if off is not None else 0)


def ns_td(ns: int) -> _dt.timedelta:
    """Nanoseconds as a days and time duration, cut toward zero to microseconds."""
    us = ns // 1_000 if ns >= 0 else -(-ns // 1_000)
    return _dt.timedelta(microseconds=us)


def datetime_from_wall_ns(ns: int, tzinfo: _dt.tzinfo | None) -> _dt.datetime | ExtDateTime:
    """The date and time whose wall clock reads ``ns`` (see wall_ns), in ``tzinfo``."""
    days, rest = divmod(ns, _DAY_NS)
    y, mo, d = _ymd(days)
    secs, sub = divmod(rest, _SEC_NS)
    h, secs = divmod(secs, 3_600)
    mi, s = divmod(secs, 60)
    us, nano = divmod(sub, 1_000)
    return make_datetime(y, mo, d, h, mi, s, us, tzinfo, nano)


def datetime_from_utc_ns(ns: int, tzinfo: _dt.tzinfo) -> _dt.datetime | ExtDateTime:
    """The date and time of instant ``ns`` (see utc_ns) as the wall clock of ``tzinfo`` reads it."""
    if isinstance(tzinfo, _dt.timezone):
        off = tzinfo.utcoffset(None)
        return datetime_from_wall_ns(ns + td_ns(off), tzinfo)
    days, rest = divmod(ns, _DAY_NS)
    y, mo, d = _ymd(days)
    f = y if 2 <= y <= 9998 else _frame_year(y)
    secs, sub = divmod(rest, _SEC_NS)
    h, secs = divmod(secs, 3_600)
    mi, s = divmod(secs, 60)
    us, nano = divmod(sub, 1_000)
    local = _dt.datetime(f, mo, d, h, mi, s, us, _dt.UTC).astimezone(tzinfo)
    return make_datetime(
        local.year + y - f,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
        local.microsecond,
        tzinfo,
        nano,
        local.fold,
    )


def time_ns(t: AnyTime) -> int:
    """A time's wall-clock reading in nanoseconds since midnight."""
    secs = t.hour * 3_600 + t.minute * 60 + t.second
    return (secs * 1_000_000 + t.microsecond) * 1_000 + nanosecond_of(t)


def time_utc_ns(t: AnyTime) -> int:
    """A time's reading in UTC (offsets of zones as on 2000-01-01), in nanoseconds; its wall
    clock when it has no time zone. Not reduced to one day."""
    tz = t.tzinfo
    if tz is None:
        return time_ns(t)
    off = tz.utcoffset(_dt.datetime(2000, 1, 1, t.hour, t.minute, t.second, tzinfo=tz))
    return time_ns(t) - (td_ns(off) if off is not None else 0)


_DATE_RE = re.compile(r"(-?)(\d{4,9})-(\d{2})-(\d{2})")
_TIME_RE = re.compile(
    r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:(?P<z>[zZ])|(?P<off>[+-]\d{2}:\d{2}(?::\d{2})?)|@(?P<zone>[A-Za-z][A-Za-z0-9_+\-/]*))?"
)
_DUR_RE = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?"
)


def _zone(name: str) -> _dt.tzinfo | None:
    if name == "Z":
        return _dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _offset(text: str) -> _dt.timezone | None:
    sign = -1 if text[0] == "-" else 1
    parts = text[1:].split(":")
    hours, minutes = int(parts[0]), int(parts[1])
    seconds = int(parts[2]) if len(parts) > 2 else 0
    if hours > 18 or minutes > 59 or seconds > 59:
        return None
    delta = _dt.timedelta(hours=hours, minutes=minutes, seconds=seconds) * sign
    if delta == _dt.timedelta(0):
        return _dt.UTC
    return _dt.timezone(delta)


def parse_date(text: str) -> _dt.date | ExtDate | None:
    """``YYYY-MM-DD``; the year has 4 digits, or 5 to 9 without a leading zero, and may be
    negative (ISO 8601 expanded years as XML Schema writes them: no ``+``, no ``-0000``)."""
    m = _DATE_RE.fullmatch(text)
    if not m:
        return None
    neg, ys, mo, d = m.groups()
    if not neg and len(ys) == 4 and ys != "0000":
        try:
            return _dt.date(int(ys), int(mo), int(d))
        except ValueError:
            return None
    if (len(ys) > 4 and ys[0] == "0") or (neg and ys == "0000"):
        return None
    try:
        return make_date(-int(ys) if neg else int(ys), int(mo), int(d))
    except ValueError:
        return None


def _time_parts(
    m: re.Match[str],
) -> tuple[int, int, int, int, int, _dt.tzinfo | None, bool] | None:
    """hour, minute, second, microsecond, nanosecond (below the microseconds), tzinfo and
    whether it was 24:00:00 (the next day's midnight)."""
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
    frac = m.group(4)
    micro = nano = 0
    if frac:
        digits = int((frac + "00000000")[:9])  # digits beyond nanoseconds are cut
        micro, nano = divmod(digits, 1000)
    tz: _dt.tzinfo | None = None
    if m.group("z"):
        tz = _dt.UTC
    elif m.group("off"):
        tz = _offset(m.group("off"))
        if tz is None:
            return None
    elif m.group("zone"):
        tz = _zone(m.group("zone"))
        if tz is None:
            return None
    if h == 24 and mi == 0 and s == 0 and micro == 0 and nano == 0:
        return 0, 0, 0, 0, 0, tz, True
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s, micro, nano, tz, False


def parse_time(text: str) -> _dt.time | ExtTime | None:
    m = _TIME_RE.fullmatch(text)
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    h, mi, s, micro, nano, tz, _ = parts
    if nano:
        return ExtTime(_dt.time(h, mi, s, micro, tzinfo=tz), nano)
    return _dt.time(h, mi, s, micro, tzinfo=tz)


def parse_datetime(text: str) -> _dt.datetime | ExtDateTime | None:
    idx = text.find("T")
    if idx < 0:
        d = parse_date(text)
        if d is None:
            return None
        if type(d) is _dt.date:
            return _dt.datetime(d.year, d.month, d.day)
        return make_datetime(d.year, d.month, d.day)
    d = parse_date(text[:idx])
    if d is None:
        return None
    m = _TIME_RE.fullmatch(text[idx + 1 :])
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    h, mi, s, micro, nano, tz, next_day = parts
    if next_day:
        try:
            d = date_from_ordinal(d.toordinal() + 1)
        except OverflowError:
            return None
    if nano == 0 and type(d) is _dt.date:
        return _dt.datetime(d.year, d.month, d.day, h, mi, s, micro, tzinfo=tz)
    try:
        return make_datetime(d.year, d.month, d.day, h, mi, s, micro, tz, nano)
    except OverflowError:
        return None


def parse_duration(text: str) -> _dt.timedelta | YearsMonthsDuration | None:
    m = _DUR_RE.fullmatch(text)
    if not m or text.endswith("T") or text in ("P", "-P"):
        return None
    neg, y, mo, d, h, mi, s = m.groups()
    if y is None and mo is None and d is None and h is None and mi is None and s is None:
        return None
    sign = -1 if neg else 1
    if d is None and h is None and mi is None and s is None:
        return YearsMonthsDuration(sign * (int(y or 0) * 12 + int(mo or 0)))
    if y is not None or mo is not None:
        return None
    secs = Decimal(s or 0)
    try:
        td = _dt.timedelta(
            days=int(d or 0),
            hours=int(h or 0),
            minutes=int(mi or 0),
            seconds=int(secs),
            microseconds=int((secs - int(secs)) * 1000000),
        )
    except OverflowError:
        return None
    return -td if sign < 0 else td


def parse_temporal(text: str) -> object:
    """The value of an ``@"..."`` literal, or None when the string is no temporal value."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_datetime(text)
    if _DATE_RE.fullmatch(text):
        return parse_date(text)
    return parse_time(text)


def zone_of(tz: _dt.tzinfo | None) -> str | None:
    if isinstance(tz, ZoneInfo):
        return tz.key
    return None


def _fraction(micro: int, nano: int = 0) -> str:
    if nano:
        return "." + f"{micro * 1000 + nano:09d}".rstrip("0")
    if not micro:
        return ""
    return "." + f"{micro:06d}".rstrip("0")


def _format_offset(tz: _dt.tzinfo | None, ref: _dt.datetime | None) -> str:
    if tz is None:
        return ""
    if isinstance(tz, ZoneInfo):
        return "@" + tz.key
    off = tz.utcoffset(ref)
    if off is None:
        return ""
    if off == _dt.timedelta(0):
        return "Z"
    total = int(off.total_seconds())
    sign = "-" if total < 0 else "+"
    total = abs(total)
    hh, rem = divmod(total, 3600)
    mm, ss = divmod(rem, 60)
    return f"{sign}{hh:02d}:{mm:02d}" + (f":{ss:02d}" if ss else "")


def format_date(d: _dt.date | ExtDate | ExtDateTime) -> str:
    """``2024-01-31``; other years as ISO 8601 expanded years: ``-0044-03-15``, ``12345-01-01``."""
    y = d.year
    if y < 0:
        return f"-{-y:04d}-{d.month:02d}-{d.day:02d}"
    return f"{y:04d}-{d.month:02d}-{d.day:02d}"


def format_time(t: _dt.time | ExtTime) -> str:
    if isinstance(t, ExtTime):
        b = t.base
        return f"{b.hour:02d}:{b.minute:02d}:{b.second:02d}{_fraction(b.microsecond, t.nanosecond)}" + (
            _format_offset(b.tzinfo, _dt.datetime(2000, 1, 1, tzinfo=b.tzinfo) if b.tzinfo else None)
        )
    ref = _dt.datetime(2000, 1, 1, tzinfo=t.tzinfo) if t.tzinfo is not None else None
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}{_fraction(t.microsecond)}" + _format_offset(
        t.tzinfo, ref
    )


def format_datetime(d: _dt.datetime | ExtDateTime) -> str:
    if isinstance(d, ExtDateTime):
        b = d.base
        return (
            f"{format_date(d)}T{b.hour:02d}:{b.minute:02d}:{b.second:02d}"
            f"{_fraction(b.microsecond, d.nanosecond)}" + _format_offset(b.tzinfo, b)
        )
    return (
        f"{format_date(d)}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}{_fraction(d.microsecond)}"
        + _format_offset(d.tzinfo, d)
    )


def format_dt_duration(td: _dt.timedelta) -> str:
    total_us = (td.days * 86400 + td.seconds) * 1000000 + td.microseconds
    sign = "-" if total_us < 0 else ""
    total_us = abs(total_us)
    secs, micro = divmod(total_us, 1000000)
    days, secs = divmod(secs, 86400)
    hours, secs = divmod(secs, 3600)
    minutes, secs = divmod(secs, 60)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    if hours or minutes or secs or micro or not days:
        out += "T"
        if hours:
            out += f"{hours}H"
        if minutes:
            out += f"{minutes}M"
        if secs or micro or not (hours or minutes):
            out += f"{secs}{_fraction(micro)}S"
    return out


def format_ym_duration(d: YearsMonthsDuration) -> str:
    sign = "-" if d.months < 0 else ""
    years, months = divmod(abs(d.months), 12)
    if years and months:
        return f"{sign}P{years}Y{months}M"
    if years:
        return f"{sign}P{years}Y"
    return f"{sign}P{months}M"


def add_months(d: Any, months: int) -> Any:
    """date (and time) + P<n>M, clamping the day to the month's end (Jan 31 + P1M = Feb 28/29).

    Keeps the wall-clock time, zone and fraction; works for every year in MIN_YEAR..MAX_YEAR
    (OverflowError beyond).
    """
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    t = type(d)
    if 1 <= year <= 9999 and (t is _dt.date or t is _dt.datetime):
        day = min(d.day, calendar.monthrange(year, month)[1])
        return d.replace(year=year, month=month, day=day)
    _check_year(year)
    day = min(d.day, calendar.monthrange(year if 1 <= year <= 9999 else _frame_year(year), month)[1])
    if t is _dt.date or t is ExtDate:
        return make_date(year, month, day)
    return make_datetime(
        year, month, day, d.hour, d.minute, d.second, d.microsecond, d.tzinfo, nanosecond_of(d), d.fold
    )


_TEMPORAL_FORMATS: dict[type, Callable[[Any], str]] = {
    _dt.datetime: format_datetime,
    _dt.date: format_date,
    _dt.time: format_time,
    _dt.timedelta: format_dt_duration,
    YearsMonthsDuration: format_ym_duration,
    ExtDateTime: format_datetime,
    ExtDate: format_date,
    ExtTime: format_time,
}


def format_temporal(value: Any) -> str | None:
    """The ISO text of a FEEL temporal value (date, time, date and time, either duration), or None
    for any other value: what ``string()`` prints and what JSON carries."""
    formatter = _TEMPORAL_FORMATS.get(type(value))
    return None if formatter is None else formatter(value)
