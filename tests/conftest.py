from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.log._nats import NatsServer, required_binary, start_server

pytest_plugins = ["pytester"]


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server with JetStream (``sync_interval: always``, ``max_payload: 8MB`` as brokers need)
    on a free loopback port, for the test; skipped, saying why, on a machine without it (failed in CI)."""
    server = start_server(required_binary(), tmp_path / "nats", sync_always=True, max_payload="8MB")
    try:
        yield server
    finally:
        server.stop()
