"""The pytest plugin: an ``engine`` fixture, the compact record log on failure, replay checks.

Registered through the ``pytest11`` entry point, so installing Strom makes the fixture available.
After each test that used ``engine``, the log is replayed into a fresh state and compared with the
live state (``TestEngine.check_replay``); a difference fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.testing._engine import TestEngine


@pytest.fixture
def engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TestEngine]:
    """A real partition in ``tmp_path``, driven synchronously, with a controlled clock;
    ``@pytest.mark.partitions(3)`` on the test gives it three partitions."""
    marker = request.node.get_closest_marker("partitions")
    test_engine = TestEngine(tmp_path / "strom", partitions=marker.args[0] if marker else 1)
    request.node._strom_engine = test_engine
    try:
        yield test_engine
        if not getattr(request.node, "_strom_failed", False) and not request.node.get_closest_marker(
            "no_replay_check"
        ):
            test_engine.check_replay()
    finally:
        test_engine.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    engine = getattr(item, "_strom_engine", None)
    if engine is not None and report.failed:
        item._strom_failed = True  # type: ignore[attr-defined]
        try:
            report.sections.append(("strom compact record log", engine.compact_log()))
        except Exception as error:  # the log is a debugging aid; never hide the real failure
            report.sections.append(("strom compact record log", f"(could not render: {error!r})"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "partitions(n): run the engine fixture with n partitions")
    config.addinivalue_line("markers", "no_replay_check: skip the replay-equivalence check after the test")
