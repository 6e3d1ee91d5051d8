"""Dates: stored as epoch milliseconds (cheap to compare and sort), shown as Camunda's ISO text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def format_millis(millis: int | None) -> str | None:
    """``1733322920123`` -> ``"2024-12-04T14:35:20.123Z"``, the shape Camunda's REST API returns."""
    if millis is None:
        return None
    moment = _EPOCH + timedelta(milliseconds=millis)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{millis % 1000:03d}Z"


def parse_iso(text: str) -> int:
    """ISO-8601 text (offset optional, UTC assumed) -> epoch millis; raises ValueError when invalid."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def parse_iso_or_none(text: str) -> int | None:
    """Like ``parse_iso`` but None for empty or unparsable text (user task dates come from models)."""
    if not text:
        return None
    try:
        return parse_iso(text)
    except ValueError:
        return None
