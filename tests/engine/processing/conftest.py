"""Fixtures for event tests: ``publish`` and ``broadcast`` send the commands a client would.

Models are built with ``strom.testing.bpmn`` (events, subprocesses, event subprocesses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from strom.protocol.record import Record
from strom.testing import TestEngine


class Publisher:
    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine

    def __call__(
        self,
        name: str,
        correlation_key: str = "",
        variables: Mapping[str, Any] | None = None,
        *,
        ttl_ms: int = 60_000,
        message_id: str = "",
        expect_rejection: bool = False,
    ) -> Record[Any]:
        return self._engine.messages.publish(
            name,
            correlation_key,
            variables,
            ttl_ms=ttl_ms,
            message_id=message_id,
            expect_rejection=expect_rejection,
        )


@pytest.fixture
def publish(engine: TestEngine) -> Publisher:
    return Publisher(engine)


@pytest.fixture
def broadcast(engine: TestEngine) -> Any:
    return engine.signals.broadcast
