"""A ``strom broker`` with its REST API, and the models the REST tests deploy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _models import write_models
from broker_process import BrokerProcess


@pytest.fixture(scope="module")
def rest_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("rest-broker")).start()
    yield process
    status = process.stop()
    assert status == 0, process.logs()


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_models(tmp_path_factory.mktemp("models"))
