"""Database backends for the read model tests: SQLite always, PostgreSQL when one is reachable.

PostgreSQL comes from ``STROM_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://user@host/db``);
without it a server on localhost:5432 is tried, and the PostgreSQL cases are skipped when none
answers. Each test gets its own PostgreSQL schema (through ``search_path``), dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _postgres import postgres_schema_url
from _search_support import Scenario, export_all, run_scenario


def _database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'secondary.db'}"
        return
    url, drop = postgres_schema_url()
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for one test (SQLite file, or a fresh PostgreSQL schema)."""
    yield from _database(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'secondary.db'}"


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The shared scenario, run once on a real engine."""
    return run_scenario(tmp_path_factory.mktemp("scenario"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scenario_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, scenario: Scenario
) -> Iterator[str]:
    """A database holding the exported scenario, per backend."""
    for url in _database(request.param, tmp_path_factory.mktemp("db")):
        export_all(url, scenario.records, flush_every=50)
        yield url
