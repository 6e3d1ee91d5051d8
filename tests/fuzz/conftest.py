"""Fuzz campaign (issue 11): hostile bytes, models and JSON against a real broker and engine.

Every test here is bounded (a fixed number of examples, derandomized so CI sees the same inputs
every run) and fails on an escaping exception, a crash, a hang, or an answer outside the contract.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("fuzz")).start()
    yield process
    status = process.stop()
    assert status == 0, process.logs()
