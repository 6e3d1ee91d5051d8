"""Call activity: a child process instance with its own variables, linked to its caller."""

from __future__ import annotations

from typing import Any

from _execution import complete_jobs, completed, element_key, lifecycle, terminated

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import IncidentIntent, VariableIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _child(process_id: str = "child") -> bpmn.ProcessBuilder:
    return bpmn.process(process_id).start_event().service_task("child_task", job_type="child").end_event()


def _parent(process_id: str = "child", **options: Any) -> bpmn.ProcessBuilder:
    """start -> call activity ``call`` (``options`` as for ``call_activity``) -> task "after" -> end."""
    return (
        bpmn.process("parent")
        .start_event()
        .call_activity("call", called_process_id=process_id, **options)
        .service_task("after", job_type="after")
        .end_event()
    )


def _child_instance(engine: TestEngine) -> object:
    return (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_element_id("child")
        .with_intent(PI.ELEMENT_ACTIVATING)
        .first()
    )


def test_the_child_instance_records_name_their_parent(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())

    parent = engine.instances.create("parent")

    child = _child_instance(engine)
    assert child.value.parent_process_instance_key == parent
    assert child.value.parent_element_instance_key == element_key(engine, "call")
    task = engine.records.process_instances().with_element_id("child_task").first()
    assert task.value.parent_process_instance_key == parent


def test_the_call_activity_completes_when_the_child_completes(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())
    parent = engine.instances.create("parent")

    complete_jobs(engine, "child")

    child = _child_instance(engine)
    assert completed(engine, child.key)
    assert lifecycle(engine, "call")[-1] == "ELEMENT_COMPLETED"
    complete_jobs(engine, "after")
    assert completed(engine, parent)


def test_all_parent_variables_are_copied_into_the_child_by_default(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())
    engine.instances.create("parent", {"order": 7, "customer": "c"})

    [job] = engine.jobs.activate("child")

    assert job.variables == {"order": 7, "customer": "c"}
    copied = engine.records.variables().with_name("order").limit(2)
    assert copied[-1].value.scope_key == _child_instance(engine).key


def test_without_propagating_parent_variables_only_the_input_mappings_go_to_the_child(
    engine: TestEngine,
) -> None:
    engine.deploy(
        _child(),
        _parent(inputs={"item": "=order"}, propagate_all_parent_variables=False),
    )
    engine.instances.create("parent", {"order": 7, "secret": 1})

    [job] = engine.jobs.activate("child")

    assert job.variables == {"item": 7}


def test_child_variables_propagate_to_the_parent_by_default(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())
    parent = engine.instances.create("parent", {"order": 7})

    complete_jobs(engine, "child", {"result": "ok", "order": 8})

    result = engine.records.variables().with_name("result").with_intent(VariableIntent.CREATED).limit(2)
    assert result[-1].value.scope_key == parent
    updated = engine.records.variables().with_name("order").with_intent(VariableIntent.UPDATED).limit(2)
    assert updated[-1].value.scope_key == parent and updated[-1].value.value == "8"


def test_without_propagating_child_variables_only_output_mappings_reach_the_parent(
    engine: TestEngine,
) -> None:
    engine.deploy(
        _child(),
        _parent(outputs={"outcome": "=result"}, propagate_all_child_variables=False),
    )
    parent = engine.instances.create("parent")

    complete_jobs(engine, "child", {"result": "ok", "noise": 1})

    [after] = engine.jobs.activate("after")
    assert after.variables == {"outcome": "ok"}
    assert not completed(engine, parent)


def test_the_process_id_can_be_an_expression(engine: TestEngine) -> None:
    engine.deploy(_child("child_b"), _parent("=which"))

    engine.instances.create("parent", {"which": "child_b"})

    assert len(engine.jobs.activate("child")) == 1


def test_a_missing_process_is_a_called_element_error_incident(engine: TestEngine) -> None:
    engine.deploy(_parent("nowhere"))

    engine.instances.create("parent")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.CALLED_ELEMENT_ERROR
    assert incident.value.error_message == (
        "Expected process with BPMN process id 'nowhere' to be deployed, but not found."
    )


def test_the_incident_is_resolved_once_the_process_is_deployed(engine: TestEngine) -> None:
    engine.deploy(_parent())
    parent = engine.instances.create("parent")
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    engine.deploy(_child())
    engine.incidents.resolve(incident.key)

    complete_jobs(engine, "child")
    complete_jobs(engine, "after")
    assert completed(engine, parent)


def test_binding_deployment_calls_the_version_deployed_with_the_caller(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent(binding_type="deployment"))
    engine.deploy(bpmn.process("child").start_event().service_task("v2", job_type="v2").end_event())

    engine.instances.create("parent")

    assert len(engine.jobs.activate("child")) == 1
    assert engine.jobs.activate("v2") == []


def test_binding_version_tag_calls_the_tagged_version(engine: TestEngine) -> None:
    engine.deploy(_child().version_tag("v1"))
    engine.deploy(bpmn.process("child").start_event().service_task("latest", job_type="latest").end_event())
    engine.deploy(_parent(binding_type="versionTag", version_tag="v1"))

    engine.instances.create("parent")

    assert len(engine.jobs.activate("child")) == 1


def test_canceling_the_parent_terminates_the_child(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())
    parent = engine.instances.create("parent")
    child = _child_instance(engine)

    engine.instances.cancel(parent)

    assert terminated(engine, child.key)
    assert lifecycle(engine, "call")[-1] == "ELEMENT_TERMINATED"
    assert terminated(engine, parent)


def test_a_child_instance_cannot_be_canceled_directly(engine: TestEngine) -> None:
    engine.deploy(_child(), _parent())
    engine.instances.create("parent")

    rejection = engine.instances.cancel(_child_instance(engine).key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_STATE


def test_terminating_the_child_from_inside_terminates_the_call_activity(engine: TestEngine) -> None:
    from _execution import modify

    engine.deploy(_child(), _parent())
    parent = engine.instances.create("parent")
    child = _child_instance(engine)

    rejection = modify(
        engine, child.key, terminate=[element_key(engine, "child_task")], expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "created by a call activity" in rejection.rejection_reason
    assert not terminated(engine, parent)
