"""Variables the Zeebe way: scopes per element instance, input/output mappings, propagation to
the nearest scope that has the variable, local variables, fetch-variables filtering."""

from __future__ import annotations

from _execution import complete_jobs, element_key

from strom.protocol.intents import IncidentIntent, VariableIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def test_input_mappings_become_local_variables_of_the_element(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("inputs").start_event().service_task("t", job_type="t", inputs={"total": "=price * qty"})
    )
    engine.instances.create("inputs", {"price": 3, "qty": 4})

    [job] = engine.jobs.activate("t")

    total = engine.records.variables().with_name("total").first()
    assert (total.value.value, total.value.scope_key) == ("12", element_key(engine, "t"))
    assert job.variables["total"] == 12


def test_an_input_mapping_without_source_makes_its_target_null(engine: TestEngine) -> None:
    # Zeebe 8.8 accepts <zeebe:input target="x"/> (the AI Agent template emits it): x is null
    xml = (
        bpmn.process("no_source")
        .start_event()
        .service_task("t", job_type="t", inputs={"kept": "=1"})
        .end_event("end")
        .to_xml()
        .replace(
            '<zeebe:input source="=1" target="kept"/>',
            '<zeebe:input source="=1" target="kept"/><zeebe:input target="empty"/>',
        )
    )
    assert 'target="empty"' in xml
    engine.deploy(("no_source.bpmn", xml.encode()))
    engine.instances.create("no_source", {"empty": "outer"})

    [job] = engine.jobs.activate("t")

    assert job.variables["empty"] is None
    assert job.variables["kept"] == 1


def test_a_later_input_mapping_sees_the_earlier_ones(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("chain").start_event().service_task("t", job_type="t", inputs={"a": "=1", "b": "=a + 1"})
    )
    engine.instances.create("chain")

    [job] = engine.jobs.activate("t")

    assert (job.variables["a"], job.variables["b"]) == (1, 2)


def test_a_nested_target_builds_a_context(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("nested")
        .start_event()
        .service_task("t", job_type="t", inputs={"order.id": "=id", "order.total": "=5"})
    )
    engine.instances.create("nested", {"id": "o-1"})

    [job] = engine.jobs.activate("t")

    assert job.variables["order"] == {"id": "o-1", "total": 5}


def test_output_mappings_merge_into_the_flow_scope_and_keep_job_variables_local(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("outputs")
        .start_event()
        .service_task("t", job_type="t", outputs={"approved": "=score > 5"})
    )
    instance = engine.instances.create("outputs")

    complete_jobs(engine, "t", {"score": 8})

    approved = engine.records.variables().with_name("approved").first()
    score = engine.records.variables().with_name("score").first()
    assert (approved.value.value, approved.value.scope_key) == ("true", instance)
    assert score.value.scope_key == element_key(engine, "t")


def test_propagation_updates_the_nearest_scope_that_has_the_variable(engine: TestEngine) -> None:
    body = bpmn.process("b").start_event("s0").service_task("t", job_type="t").end_event("s1")
    engine.deploy(
        bpmn.process("near")
        .start_event()
        .sub_process("sub", content=body, inputs={"count": "=0"})
        .end_event()
    )
    instance = engine.instances.create("near", {"count": 100})

    complete_jobs(engine, "t", {"count": 1})

    updated = engine.records.variables().with_name("count").with_intent(VariableIntent.UPDATED).first()
    assert updated.value.scope_key == element_key(engine, "sub")
    root = engine.records.variables().with_name("count").with_intent(VariableIntent.CREATED).first()
    assert root.value.scope_key == instance


def test_a_failing_output_mapping_is_an_io_mapping_incident(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("bad").start_event().service_task("t", job_type="t", outputs={"x": '=1 + "a"'})
    )
    engine.instances.create("bad")

    complete_jobs(engine, "t")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.IO_MAPPING_ERROR
    assert incident.value.element_id == "t"


def test_local_variables_set_on_an_element_stay_there(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("local").start_event().service_task("t", job_type="t"))
    engine.instances.create("local")
    task = element_key(engine, "t")

    engine.variables.set(task, {"note": "mine"}, local=True)

    note = engine.records.variables().with_name("note").first()
    assert note.value.scope_key == task


def test_a_worker_fetches_only_the_variables_it_asks_for(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("fetch").start_event().service_task("t", job_type="t"))
    engine.instances.create("fetch", {"a": 1, "b": 2, "c": 3})

    [job] = engine.jobs.activate("t", fetch_variables=["a", "c"])

    assert job.variables == {"a": 1, "c": 3}
