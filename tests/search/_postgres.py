"""PostgreSQL for the read model tests: the server (``STROM_TEST_POSTGRES_URL``, else one on
localhost:5432, else a skip saying why) and a schema of its own per test (through ``search_path``).

A module of its own, not the conftest: test modules import it by name, and ``conftest`` names a
module in several test directories.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa

_DEFAULT_POSTGRES = "postgresql+psycopg://postgres@localhost:5432/postgres"
_postgres_state: dict[str, str | None] = {}


def postgres_url() -> str:
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


def postgres_schema_url() -> tuple[str, Callable[[], None]]:
    base = postgres_url()
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
