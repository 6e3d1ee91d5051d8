"""The zbctl-style commands run in-process (click's runner) against a ``strom broker`` subprocess."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess


@pytest.fixture(scope="module")
def cli_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("cli-broker")).start()
    yield process
    assert process.stop() == 0, process.logs()
