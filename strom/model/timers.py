"""Timer values: ISO 8601 date-times, durations and repetitions, and Spring-style cron.

Static timer values are parsed at deployment, so a malformed duration rejects the resource
instead of raising an incident later. The grammar follows Zeebe (which follows ``java.time``):
a duration is a ``Period`` (``P1Y2M3W4D``), a ``Duration`` (``PT5M``, ``PT1.5S``) or both
(``P1DT2H``), with unit letters in either case but an upper-case ``T``; a date-time needs an
offset (``Z`` or ``+02:00``) and may name a zone (``[Europe/Berlin]``); a cycle is either
``R[n]/[start/]duration`` or a six-field cron expression (seconds first) or a cron macro.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter


class TimerKind(StrEnum):
    """Which BPMN timer definition element a timer came from."""

    DATE = "date"
    DURATION = "duration"
    CYCLE = "cycle"


class TimerValueError(ValueError):
    """A static timer value does not follow the grammar of its timer kind."""


INFINITE = -1
"""``RepeatingInterval.repetitions`` of ``R/...``: repeat forever."""

_MAX_INT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Interval:
    """A calendar period plus an exact duration, optionally anchored at a start date-time."""

    years: int = 0
    months: int = 0
    days: int = 0
    duration: timedelta = timedelta(0)
    start: datetime | None = None

    @property
    def is_calendar_based(self) -> bool:
        return bool(self.years or self.months or self.days) or self.duration >= timedelta(days=1)

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` plus this interval (months clamp to the last day, like ``java.time``)."""
        result = moment
        if self.years or self.months:
            total = result.month - 1 + self.months + 12 * self.years
            year, month = result.year + total // 12, total % 12 + 1
            if not 1 <= year <= 9999:
                raise OverflowError("date out of range")
            day = min(result.day, calendar.monthrange(year, month)[1])
            result = result.replace(year=year, month=month, day=day)
        if self.days:
            result = result + timedelta(days=self.days)
        return result + self.duration

    def due_date(self, now: datetime) -> datetime:
        """When a timer started at ``now`` fires (an overdue start fires at once)."""
        if self.start is not None:
            return max(self.start, now)
        return self.add_to(now)


@dataclass(frozen=True, slots=True)
class RepeatingInterval:
    """``R[n]/[start/]interval``: ``repetitions`` is ``INFINITE`` for ``R/...``."""

    repetitions: int
    interval: Interval

    def due_date(self, now: datetime) -> datetime:
        return self.interval.due_date(now)


_MACROS = {
    "@yearly": "0 0 0 1 1 *",
    "@annually": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@midnight": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
}


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A Spring-style cron expression: second minute hour day-of-month month day-of-week."""

    expression: str

    def due_date(self, now: datetime) -> datetime:
        """The first time strictly after ``now`` that matches the expression."""
        moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        iterator = croniter(self.expression, moment, second_at_beginning=True)
        following: datetime = iterator.get_next(datetime)
        return following


Cycle = RepeatingInterval | CronSchedule
TimerValue = datetime | Interval | Cycle


_PERIOD = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)Y)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)W)?(?:([-+]?[0-9]+)D)?",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"([-+]?)P(?:([-+]?[0-9]+)D)?"
    r"(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?",
    re.IGNORECASE,
)
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?"
    r"(Z|[+-][0-9]{2}(?::[0-9]{2}(?::[0-9]{2})?)?)"
    r"(?:\[([^\]]{1,64})\])?"
)


def _int(text: str | None, whole: str) -> int:
    if not text:
        return 0
    value = int(text)
    if abs(value) > _MAX_INT:
        raise TimerValueError(f"Text cannot be parsed to a Duration: '{whole}' (number too large)")
    return value


def _parse_period(text: str, whole: str) -> tuple[int, int, int]:
    match = _PERIOD.fullmatch(text)
    if match is None or not any(match.group(i) for i in range(2, 6)):
        raise TimerValueError(f"Text cannot be parsed to a Period: '{whole}'")
    sign = -1 if match.group(1) == "-" else 1
    years, months = _int(match.group(2), whole), _int(match.group(3), whole)
    weeks, days = _int(match.group(4), whole), _int(match.group(5), whole)
    return sign * years, sign * months, sign * (days + 7 * weeks)


def _parse_exact(text: str, whole: str) -> timedelta:
    match = _DURATION.fullmatch(text)
    if match is None:
        raise TimerValueError(f"Text cannot be parsed to a Duration: '{whole}'")
    days, section = match.group(2), match.group(3)
    hours, minutes, seconds, fraction = match.group(4, 5, 6, 7)
    if section is not None and not (hours or minutes or seconds):
        raise TimerValueError(f"Text cannot be parsed to a Duration: '{whole}'")
    if not (days or section):
        raise TimerValueError(f"Text cannot be parsed to a Duration: '{whole}'")
    sign = -1 if match.group(1) == "-" else 1
    whole_seconds = _int(seconds, whole)
    micros = int((fraction or "0").ljust(9, "0")[:6]) if fraction else 0
    if seconds and seconds.startswith("-"):
        micros = -micros
    try:
        value = timedelta(
            days=_int(days, whole),
            hours=_int(hours, whole),
            minutes=_int(minutes, whole),
            seconds=whole_seconds,
            microseconds=micros,
        )
        return value if sign > 0 else -value
    except OverflowError:
        raise TimerValueError(f"Duration '{whole}' is too large") from None


def parse_duration(text: str) -> Interval:
    """Zeebe's interval grammar: ``[start/]`` then a period, a duration, or period + duration."""
    start: datetime | None = None
    slash = text.rfind("/")
    if slash > 0:
        start = parse_date_time(text[:slash])
    body = text[slash + 1 :]
    offset = 1 if body[:1] in ("-", "+") else 0
    sign = "-" if body[:1] == "-" else ""
    t_index = body.find("T")
    if t_index == -1:
        years, months, days = _parse_period(body, text)
        return Interval(years, months, days, start=start)
    if t_index == offset + 1:
        return Interval(duration=_parse_exact(body, text), start=start)
    years, months, days = _parse_period(body[:t_index], text)
    exact = _parse_exact(sign + "P" + body[t_index:], text)
    return Interval(years, months, days, exact, start)


def parse_date_time(text: str) -> datetime:
    """An ISO 8601 date-time with offset and optional zone id, as ``ZonedDateTime.parse``."""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise TimerValueError(
            f"Invalid date-time format '{text}', expected e.g. '2026-01-01T12:00:00Z' "
            "or '2026-01-01T12:00:00+02:00[Europe/Berlin]'"
        )
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    micros = int((match.group(7) or "0").ljust(9, "0")[:6])
    try:
        tz = _zone(match.group(8), match.group(9))
        return datetime(year, month, day, hour, minute, second, micros, tzinfo=tz)
    except (ValueError, ZoneInfoNotFoundError) as error:
        raise TimerValueError(f"Invalid date-time '{text}': {error}") from None


def _zone(offset: str, zone_id: str | None) -> timezone | ZoneInfo:
    if zone_id:
        try:
            return ZoneInfo(zone_id)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone '{zone_id}'") from None
    if offset in ("Z", "z"):
        return UTC
    sign = -1 if offset[0] == "-" else 1
    parts = [int(part) for part in offset[1:].split(":")]
    hours, minutes, seconds = [*parts, 0, 0][:3]
    if hours > 18 or minutes > 59 or seconds > 59:
        raise ValueError(f"invalid offset '{offset}'")
    return timezone(sign * timedelta(hours=hours, minutes=minutes, seconds=seconds))


def parse_repeating_interval(text: str) -> RepeatingInterval:
    if not text.startswith("R"):
        raise TimerValueError(f"Repetition spec must start with R: '{text}'")
    slash = text.find("/")
    if slash == -1:
        raise TimerValueError(f"No interval given: '{text}'")
    if slash == 1:
        return RepeatingInterval(INFINITE, parse_duration(text[2:]))
    count = text[1:slash]
    if not re.fullmatch(r"[+-]?[0-9]{1,10}", count) or abs(int(count)) > _MAX_INT:
        raise TimerValueError(f"Cannot parse repetitions count: '{text}'")
    return RepeatingInterval(int(count), parse_duration(text[slash + 1 :]))


def parse_cron(text: str) -> CronSchedule:
    """A six-field Spring cron expression or one of its macros (``@daily``, ...)."""
    expression = _MACROS.get(text.strip().lower(), text.strip())
    fields = expression.split()
    if len(fields) != 6:
        raise TimerValueError(
            f"Invalid cron expression '{text}': expected 6 fields "
            "(second minute hour day-of-month month day-of-week), "
            f"found {len(fields)}"
        )
    normalized = " ".join(fields)
    try:
        valid = croniter.is_valid(normalized, second_at_beginning=True)
    except Exception:  # croniter raises assorted errors for odd input
        valid = False
    if not valid:
        raise TimerValueError(f"Invalid cron expression '{text}'")
    return CronSchedule(normalized)


def parse_cycle(text: str) -> Cycle:
    """``R...`` repetitions or cron, as Zeebe decides by the leading ``R``."""
    if text.startswith("R"):
        return parse_repeating_interval(text)
    return parse_cron(text)


def parse_timer(kind: TimerKind, text: str) -> TimerValue:
    """Parse a static timer value of ``kind``."""
    if kind is TimerKind.DATE:
        return parse_date_time(text)
    if kind is TimerKind.DURATION:
        return parse_duration(text)
    return parse_cycle(text)


def check_due_date(value: TimerValue, now: datetime) -> None:
    """Raise ``TimerValueError`` when the first due date cannot be computed (overflow)."""
    try:
        if isinstance(value, datetime):
            value.astimezone(UTC)
        elif isinstance(value, Interval | RepeatingInterval):
            value.due_date(now)
    except (OverflowError, ValueError):
        raise TimerValueError(
            "Timer duration is too large and results in arithmetic overflow. "
            "Please use a smaller duration value."
        ) from None
