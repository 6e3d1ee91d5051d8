"""Script task: a FEEL script evaluated by the engine, or a job for a worker."""

from __future__ import annotations

from _execution import complete_jobs, completed, element_key, lifecycle

from strom.protocol.intents import IncidentIntent, VariableIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _script(
    expression: str, result: str = "sum", outputs: dict[str, str] | None = None
) -> bpmn.ProcessBuilder:
    return (
        bpmn.process("calc")
        .start_event()
        .script_task("calc_task", expression=expression, result_variable=result, outputs=outputs)
        .end_event()
    )


def test_the_result_is_stored_in_the_result_variable_of_the_process(engine: TestEngine) -> None:
    engine.deploy(_script("=a + b"))

    instance = engine.instances.create("calc", {"a": 2, "b": 3})

    result = engine.records.variables().with_name("sum").first()
    assert (result.value.value, result.value.scope_key) == ("5", instance)
    assert lifecycle(engine, "calc_task") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert completed(engine, instance)


def test_with_output_mappings_the_result_is_local_and_mapped(engine: TestEngine) -> None:
    engine.deploy(_script("=[1, 2]", "pair", outputs={"first": "=pair[1]"}))

    instance = engine.instances.create("calc")

    pair = engine.records.variables().with_name("pair").first()
    first = engine.records.variables().with_name("first").first()
    assert pair.value.scope_key == element_key(engine, "calc_task")
    assert (first.value.value, first.value.scope_key) == ("1", instance)


def test_a_failing_script_is_an_incident_that_can_be_resolved(engine: TestEngine) -> None:
    engine.deploy(_script('=a + "x"'))
    instance = engine.instances.create("calc", {"a": 1})
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.EXTRACT_VALUE_ERROR
    assert lifecycle(engine, "calc_task") == ["ELEMENT_ACTIVATING"]

    engine.variables.set(instance, {"a": "a"})
    engine.incidents.resolve(incident.key)

    updated = engine.records.variables().with_name("sum").with_intent(VariableIntent.CREATED).first()
    assert updated.value.value == '"ax"'
    assert completed(engine, instance)


def test_a_script_task_with_a_task_definition_is_done_by_a_job_worker(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("job_script")
        .start_event()
        .service_task("s", job_type="js", tag="scriptTask")
        .end_event()
    )
    instance = engine.instances.create("job_script")

    assert complete_jobs(engine, "js") == 1

    assert completed(engine, instance)
