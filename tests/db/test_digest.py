"""Digest: equal for equal content whatever the history, different for any difference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.db import Database, digest

_CONTENT = st.dictionaries(st.binary(max_size=4), st.binary(max_size=4), max_size=30)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    first = Database(tmp_path / "first", ["jobs", "timers"])
    second = Database(tmp_path / "second", ["jobs", "timers"])
    yield first, second
    first.close()
    second.close()


def _replace_content(db: Database, cf: str, content: dict[bytes, bytes], one_batch: bool) -> None:
    with db.transaction() as txn:
        for key, _ in list(txn.iterate(cf)):
            txn.delete(cf, key)
    items = list(content.items())
    if one_batch:
        with db.transaction() as txn:
            for key, value in items:
                txn.put(cf, key, value)
        return
    for key, value in reversed(items):  # other order, one commit each, a flush in the middle
        with db.transaction() as txn:
            txn.put(cf, key, value)
        if key == items[len(items) // 2][0]:
            db.flush()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=_CONTENT, noise=_CONTENT)
def test_equal_content_gives_equal_digests_whatever_the_history(
    pair: tuple[Database, Database], content: dict[bytes, bytes], noise: dict[bytes, bytes]
) -> None:
    first, second = pair
    _replace_content(first, "jobs", content, one_batch=True)
    _replace_content(second, "jobs", noise, one_batch=True)  # history: other data, then deleted
    _replace_content(second, "jobs", content, one_batch=False)

    assert digest(first) == digest(second)


@pytest.mark.parametrize(
    "change",
    [
        {b"a": b"1", b"b": b"3"},  # a value differs
        {b"a": b"1"},  # a key is missing
        {b"a": b"1", b"b": b"2", b"c": b""},  # a key is added, even with an empty value
        {b"a": b"1", b"bb": b""},  # a byte moved from the value into the key
        {b"a": b"1", b"B": b"2"},  # a key differs
    ],
)
def test_any_difference_changes_the_digest_of_that_column_family_only(
    pair: tuple[Database, Database], change: dict[bytes, bytes]
) -> None:
    first, second = pair
    base = {b"a": b"1", b"b": b"2"}
    _replace_content(first, "jobs", base, one_batch=True)
    _replace_content(second, "jobs", change, one_batch=True)

    first_digest, second_digest = digest(first), digest(second)

    assert first_digest["jobs"] != second_digest["jobs"]
    assert first_digest["timers"] == second_digest["timers"]


def test_the_digest_covers_committed_state_only(pair: tuple[Database, Database]) -> None:
    db, _ = pair
    before = digest(db)

    with db.transaction() as txn:
        txn.put("jobs", b"pending", b"")
        assert digest(db) == before
    assert digest(db) != before
    assert digest(db, ["timers"]) == {"timers": before["timers"]}
