"""Tasks that pass the token on (undefined, manual) and tasks done by job workers (send task)."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, lifecycle

from strom.protocol.intents import VariableIntent
from strom.testing import TestEngine, bpmn


@pytest.mark.parametrize("tag", ["task", "manualTask"])
def test_undefined_and_manual_tasks_pass_through(engine: TestEngine, tag: str) -> None:
    engine.deploy(bpmn.process("pass").start_event().element(tag, "nothing").end_event())

    instance = engine.instances.create("pass")

    assert lifecycle(engine, "nothing") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert completed(engine, instance)


def test_io_mappings_apply_on_a_pass_through_task(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("mapped")
        .start_event()
        .task("t", inputs={"x": "=1"}, outputs={"y": "=x + 1"})
        .end_event()
    )

    instance = engine.instances.create("mapped")

    y = engine.records.variables().with_name("y").with_intent(VariableIntent.CREATED).first()
    assert (y.value.value, y.value.scope_key) == ("2", instance)


def test_a_send_task_is_done_by_a_job_worker(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("send").start_event().service_task("s", job_type="mail", tag="sendTask"))
    instance = engine.instances.create("send")

    assert complete_jobs(engine, "mail") == 1

    assert completed(engine, instance)
