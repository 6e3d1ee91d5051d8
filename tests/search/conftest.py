"""Database backends for the read model tests: SQLite always, PostgreSQL when one is reachable.

PostgreSQL comes from ``STROM_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://user@host/db``);
without it a server on localhost:5432 is tried, and the PostgreSQL cases are skipped when none
answers. Each test gets its own PostgreSQL schema (through ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from _search_support import Scenario, export_all, run_scenario

_DEFAULT_POSTGRES = "postgresql+psycopg://postgres@localhost:5432/postgres"
_postgres_state: dict[str, str | None] = {}


def _postgres_url() -> str:
    """The server URL, or a pytest skip saying why there is none."""
    if "url" not in _postgres_state:
        configured = os.environ.get("STROM_TEST_POSTGRES_URL")
        url = configured or _DEFAULT_POSTGRES
        engine = sa.create_engine(url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect():
                pass
            _postgres_state["url"] = url
        except Exception as error:
            if configured:
                raise RuntimeError(
                    f"STROM_TEST_POSTGRES_URL={configured} is not reachable: {error}"
                ) from error
            _postgres_state["url"] = None
        finally:
            engine.dispose()
    url = _postgres_state["url"]
    if url is None:
        pytest.skip(
            "PostgreSQL not available: set STROM_TEST_POSTGRES_URL (postgresql+psycopg://...) "
            f"or run a server at {_DEFAULT_POSTGRES}"
        )
    return url


def _postgres_schema_url() -> tuple[str, Callable[[], None]]:
    base = _postgres_url()
    name = f"strom_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={name}"})

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def _database(backend: str, directory: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'secondary.db'}"
        return
    url, drop = _postgres_schema_url()
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
