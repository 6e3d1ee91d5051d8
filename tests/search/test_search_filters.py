"""Filter value conversion, Camunda's like patterns and the date format."""

from __future__ import annotations

import pytest

from strom.search import SearchError
from strom.search._dates import format_millis, parse_iso, parse_iso_or_none
from strom.search._filters import Field, convert, like_pattern
from strom.search._filters import condition as build_condition


@pytest.mark.parametrize(
    ("pattern", "sql"),
    [
        ("order*", "order%"),
        ("?rder", "_rder"),
        ("100%_done", "100\\%\\_done"),
        ("a\\*b", "a*b"),
        ("a\\?b", "a?b"),
        ("back\\\\slash", "back\\\\slash"),
        ("trailing\\", "trailing\\\\"),
    ],
)
def test_like_patterns(pattern: str, sql: str) -> None:
    assert like_pattern(pattern) == sql


def test_values_convert_by_kind() -> None:
    assert convert("k", "key", "2251799813685249") == 2251799813685249
    assert convert("k", "key", 7) == 7
    assert convert("b", "bool", "true") is True
    assert convert("d", "date", "2026-12-04T14:35:20.123Z") == parse_iso("2026-12-04T14:35:20.123+00:00")
    for kind, value in [("key", "12a"), ("key", True), ("int", 1.5), ("str", 3), ("bool", 1), ("date", "x")]:
        with pytest.raises(SearchError) as raised:
            convert("field", kind, value)  # type: ignore[arg-type]
        assert "'field'" in raised.value.detail


def test_dates_render_as_camunda_does() -> None:
    millis = parse_iso("2026-12-04T14:35:20.123Z")

    assert format_millis(millis) == "2026-12-04T14:35:20.123Z"
    assert format_millis(parse_iso("2026-12-04T15:35:20+01:00")) == "2026-12-04T14:35:20.000Z"
    assert format_millis(None) is None
    assert parse_iso_or_none("") is None
    assert parse_iso_or_none("next tuesday") is None
    assert parse_iso_or_none("2026-03-01T00:00Z") == parse_iso("2026-03-01T00:00:00Z")


@pytest.mark.parametrize(
    ("value", "matches"),
    [
        (None, False),
        ({"$exists": False}, True),
        ({"$exists": True}, False),
        ({"$neq": "x"}, True),
        ({"$in": ["x"]}, False),
        ({"$notIn": ["x"]}, True),
    ],
)
def test_a_field_strom_does_not_track_answers_as_if_null(value: object, matches: bool) -> None:
    constant = Field(None, "str")
    clause = build_condition("businessId", constant, value if value is not None else "x")

    assert str(clause) == ("true" if matches else "false")
