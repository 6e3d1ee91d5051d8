"""A ``strom broker`` subprocess per test module, and BPMN processes the tests deploy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("broker")).start()
    yield process
    status = process.stop()
    assert status == 0, process.logs()


@pytest.fixture(scope="module")
def one_task_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """start -> service task (job type "work") -> end, process id "one_task"."""
    path = tmp_path_factory.mktemp("bpmn") / "one_task.bpmn"
    path.write_text(
        bpmn.process("one_task").start_event().service_task("task", job_type="work").end_event("end").to_xml()
    )
    return path
