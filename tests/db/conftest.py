"""Fixtures for the strom.db tests: a real RocksDB in a temp directory, no mocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strom.db import Database

COLUMN_FAMILIES = ("jobs", "elements", "timers")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "runtime", COLUMN_FAMILIES)
    yield database
    database.close()


def fill(db: Database, cf: str, items: dict[bytes, bytes]) -> None:
    """Commit ``items`` into ``cf`` in one transaction."""
    with db.transaction() as txn:
        for key, value in items.items():
            txn.put(cf, key, value)
