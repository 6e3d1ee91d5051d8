"""Embedded subprocess: its own scope, started at its start event, completed by its last token."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, element_key, lifecycle

from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.intents import VariableIntent
from strom.testing import TestEngine, bpmn


def _with_sub(
    inputs: dict[str, str] | None = None, outputs: dict[str, str] | None = None
) -> bpmn.ProcessBuilder:
    body = (
        bpmn.process("body")
        .start_event("sub_start")
        .service_task("work", job_type="work")
        .end_event("sub_end")
    )
    return (
        bpmn.process("outer")
        .start_event()
        .sub_process("sub", content=body, inputs=inputs, outputs=outputs)
        .service_task("after", job_type="after")
        .end_event("end")
    )


def test_the_subprocess_starts_at_its_start_event_and_completes_with_its_last_token(
    engine: TestEngine,
) -> None:
    engine.deploy(_with_sub())
    instance = engine.instances.create("outer")

    complete_jobs(engine, "work")

    assert lifecycle(engine, "sub") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    start = engine.records.process_instances().with_element_id("sub_start").first()
    assert start.value.flow_scope_key == element_key(engine, "sub")
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_input_mappings_are_local_to_the_subprocess(engine: TestEngine) -> None:
    engine.deploy(_with_sub(inputs={"limit": "=amount * 2"}))
    instance = engine.instances.create("outer", {"amount": 21})

    [job] = engine.jobs.activate("work")

    assert job.variables["limit"] == 42
    limit = engine.records.variables().with_name("limit").first()
    assert limit.value.scope_key == element_key(engine, "sub")
    engine.jobs.complete(job.key)
    [after] = engine.jobs.activate("after")
    assert "limit" not in after.variables
    assert not completed(engine, instance)


def test_output_mappings_write_to_the_enclosing_scope(engine: TestEngine) -> None:
    engine.deploy(_with_sub(outputs={"total": "=result + 1"}))
    instance = engine.instances.create("outer")

    complete_jobs(engine, "work", {"result": 1})

    total = engine.records.variables().with_name("total").with_intent(VariableIntent.CREATED).first()
    assert total.value.scope_key == instance
    assert total.value.value == "2"


def test_job_variables_propagate_to_the_process_unless_the_subprocess_has_them(engine: TestEngine) -> None:
    engine.deploy(_with_sub(inputs={"local": "=0"}))
    instance = engine.instances.create("outer")

    complete_jobs(engine, "work", {"local": 1, "shared": 2})

    local = engine.records.variables().with_name("local").with_intent(VariableIntent.UPDATED).first()
    shared = engine.records.variables().with_name("shared").first()
    assert local.value.scope_key == element_key(engine, "sub")
    assert shared.value.scope_key == instance


def test_canceling_terminates_the_subprocess_and_its_children(engine: TestEngine) -> None:
    engine.deploy(_with_sub())
    instance = engine.instances.create("outer")

    engine.instances.cancel(instance)

    assert lifecycle(engine, "work")[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    assert lifecycle(engine, "sub")[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    order = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances().with_intent(PI.ELEMENT_TERMINATED).limit(3)
    ]
    assert order == [
        ("work", "ELEMENT_TERMINATED"),
        ("sub", "ELEMENT_TERMINATED"),
        ("outer", "ELEMENT_TERMINATED"),
    ]


@pytest.mark.parametrize("inputs", [{"x": "=1"}, None])
def test_a_nested_subprocess_completes_its_parent(engine: TestEngine, inputs: dict[str, str] | None) -> None:
    deepest = (
        bpmn.process("d").start_event("d_start").service_task("deep", job_type="deep").end_event("d_end")
    )
    middle = (
        bpmn.process("m")
        .start_event("m_start")
        .sub_process("inner_sub", content=deepest, inputs=inputs)
        .end_event("m_end")
    )
    engine.deploy(bpmn.process("nested").start_event().sub_process("outer_sub", content=middle))
    instance = engine.instances.create("nested")

    complete_jobs(engine, "deep")

    assert completed(engine, instance)
