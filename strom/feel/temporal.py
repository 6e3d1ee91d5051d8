"""FEEL temporal values on top of the standard library.

date -> ``datetime.date``; time -> ``datetime.time`` (tzinfo optional); date and time ->
``datetime.datetime`` (naive = local, or an offset / IANA zone); days and time duration ->
``datetime.timedelta``; years and months duration -> :class:`YearsMonthsDuration` (months only,
since the standard library has no such type). Python keeps microseconds, so finer fractions are cut.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "YearsMonthsDuration",
    "add_months",
    "format_date",
    "format_datetime",
    "format_dt_duration",
    "format_time",
    "format_ym_duration",
    "parse_date",
    "parse_datetime",
    "parse_duration",
    "parse_temporal",
    "parse_time",
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


def parse_date(text: str) -> _dt.date | None:
    m = _DATE_RE.fullmatch(text)
    if not m or m.group(1) or len(m.group(2)) > 4:
        return None
    try:
        return _dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
    except ValueError:
        return None


def _time_parts(m: re.Match[str]) -> tuple[int, int, int, int, _dt.tzinfo | None, bool] | None:
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3))
    frac = m.group(4) or ""
    micro = int((frac + "000000")[:6]) if frac else 0
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
    if h == 24 and mi == 0 and s == 0 and micro == 0:
        return 0, 0, 0, 0, tz, True
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s, micro, tz, False


def parse_time(text: str) -> _dt.time | None:
    m = _TIME_RE.fullmatch(text)
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    h, mi, s, micro, tz, _ = parts
    return _dt.time(h, mi, s, micro, tzinfo=tz)


def parse_datetime(text: str) -> _dt.datetime | None:
    idx = text.find("T")
    if idx < 0:
        d = parse_date(text)
        return None if d is None else _dt.datetime(d.year, d.month, d.day)
    d = parse_date(text[:idx])
    if d is None:
        return None
    m = _TIME_RE.fullmatch(text[idx + 1 :])
    if not m:
        return None
    parts = _time_parts(m)
    if parts is None:
        return None
    h, mi, s, micro, tz, next_day = parts
    result = _dt.datetime(d.year, d.month, d.day, h, mi, s, micro, tzinfo=tz)
    if next_day:
        result += _dt.timedelta(days=1)
    return result


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
            days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=int(secs),
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


def _fraction(micro: int) -> str:
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


def format_date(d: _dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def format_time(t: _dt.time) -> str:
    ref = _dt.datetime(2000, 1, 1, tzinfo=t.tzinfo) if t.tzinfo is not None else None
    return f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}{_fraction(t.microsecond)}" + _format_offset(
        t.tzinfo, ref
    )


def format_datetime(d: _dt.datetime) -> str:
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


def add_months(d: _dt.date, months: int) -> _dt.date:
    """date + P<n>M, clamping the day to the month's end (Jan 31 + P1M = Feb 28/29)."""
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(d.day, calendar.monthrange(year, month)[1])
    return d.replace(year=year, month=month, day=day)
