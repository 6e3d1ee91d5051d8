"""Shared models for engine tests."""

from __future__ import annotations

import pytest

from strom.testing import bpmn


@pytest.fixture
def one_task() -> bpmn.ProcessBuilder:
    """start -> service task (job type "work") -> end."""
    return bpmn.process("one_task").start_event().service_task("task", job_type="work").end_event("end")
