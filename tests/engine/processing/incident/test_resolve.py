"""Resolving incidents: element incidents repeat the failed step."""

from strom.protocol.enums import RejectionType
from strom.protocol.intents import IncidentIntent, JobIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def test_an_input_mapping_failure_raises_an_incident_that_resolves_once_variables_are_fixed(
    engine: TestEngine,
) -> None:
    engine.deploy(
        bpmn.process("p")
        .start_event()
        .service_task("task", job_type="work", inputs={"total": "=price * count"})
        .end_event()
    )
    instance = engine.instances.create("p", {"price": 2, "count": "three"})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.IO_MAPPING_ERROR
    assert "price * count" in incident.value.error_message
    assert not engine.records.jobs().exists()

    engine.variables.set(instance, {"count": 3})
    engine.incidents.resolve(incident.key)

    assert engine.records.jobs().with_intent(JobIntent.CREATED).exists()
    [job] = engine.jobs.activate("work")
    assert job.variables["total"] == 6


def test_a_job_type_expression_that_is_not_a_string_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="=kind").end_event())

    engine.instances.create("p")

    incident = engine.records.incidents().first()
    assert incident.value.error_type is ErrorType.EXTRACT_VALUE_ERROR
    assert (
        "Expected result of the expression 'kind' to be 'STRING', but was 'NULL'"
        in incident.value.error_message
    )
    assert "[NO_VARIABLE_FOUND] No variable found with name 'kind'" in incident.value.error_message


def test_resolving_an_unknown_or_resolved_incident_is_rejected(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="=kind").end_event())
    instance = engine.instances.create("p")
    incident = engine.records.incidents().first()
    engine.variables.set(instance, {"kind": "work"})
    engine.incidents.resolve(incident.key)

    rejection = engine.incidents.resolve(incident.key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        f"Expected to resolve incident with key '{incident.key}', but no such incident was found"
    )


def test_cancelling_an_instance_resolves_its_incidents(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="=kind").end_event())
    instance = engine.instances.create("p")

    engine.instances.cancel(instance)

    assert engine.records.incidents().with_intent(IncidentIntent.RESOLVED).exists()
