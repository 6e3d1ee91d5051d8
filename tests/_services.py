"""Real services some tests need (PostgreSQL, Chromium, nats-server, npm).

On a user's machine without one, exactly the tests that need it skip, saying why. In CI
(``STROM_CI=1``, set by ``.ci/run``, which installs and starts them) a missing service fails the
test instead: CI never skips them.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(service: str, how: str) -> NoReturn:
    if os.environ.get("STROM_CI"):
        pytest.fail(f"{service} is required in CI but is not available: {how}")
    pytest.skip(f"{service} is not available on this machine: {how}")


def postgres_url() -> str:
    """The SQLAlchemy URL of a scratch PostgreSQL database (``.ci/postgres.sh`` starts one)."""
    url = os.environ.get("STROM_TEST_POSTGRES_URL")
    if not url:
        unavailable(
            "PostgreSQL",
            "set STROM_TEST_POSTGRES_URL=postgresql+psycopg://user@host:port/db, or run "
            "`source .ci/postgres.sh` (starts a throwaway server) before pytest",
        )
    return url
