"""Exclusive gateway: the first condition that holds, the default flow, and the CONDITION_ERROR
incident when neither exists."""

from __future__ import annotations

import pytest
from _execution import completed, lifecycle

from strom.protocol.enums import RecordType
from strom.protocol.intents import IncidentIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


@pytest.fixture
def xor() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("xor")
        .start_event()
        .exclusive_gateway("split")
        .service_task("big", job_type="big", condition="=amount > 100")
        .end_event("big_end")
        .move_to("split")
        .service_task("small", job_type="small", condition="=amount <= 100")
        .end_event("small_end")
    )


def test_the_flow_whose_condition_holds_is_taken(engine: TestEngine, xor) -> None:
    engine.deploy(xor)

    engine.instances.create("xor", {"amount": 500})

    assert [job.type for job in engine.jobs.activate("big")] == ["big"]
    assert engine.jobs.activate("small") == []
    assert lifecycle(engine, "split") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    taken = engine.records.process_instances().with_intent(PI.SEQUENCE_FLOW_TAKEN).limit(5)
    assert [r.value.element_id for r in taken] == ["flow_start_split", "flow_split_big"]


def test_only_the_first_flow_that_holds_is_taken(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("first")
        .start_event()
        .exclusive_gateway("split")
        .service_task("a", job_type="a", condition="=true")
        .move_to("split")
        .service_task("b", job_type="b", condition="=true")
    )

    engine.instances.create("first")

    assert len(engine.jobs.activate("a")) == 1
    assert engine.jobs.activate("b") == []


def test_the_default_flow_is_taken_when_no_condition_holds(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("default")
        .start_event()
        .exclusive_gateway("split")
        .service_task("special", job_type="special", condition="=vip")
        .move_to("split")
        .default_flow()
        .flow_id("to_normal")
        .service_task("normal", job_type="normal")
    )

    engine.instances.create("default", {"vip": False})

    assert len(engine.jobs.activate("normal")) == 1


def test_no_matching_flow_and_no_default_raise_a_condition_error_incident(engine: TestEngine, xor) -> None:
    engine.deploy(xor)

    instance = engine.instances.create("xor", {"amount": "lots"})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.CONDITION_ERROR
    assert incident.value.element_id == "split"
    assert incident.value.process_instance_key == instance
    assert lifecycle(engine, "split") == ["ELEMENT_ACTIVATING"]


def test_all_conditions_false_is_zeebes_no_outgoing_flow_error(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("none")
        .start_event()
        .exclusive_gateway("split")
        .condition("=false")
        .end_event("a")
        .move_to("split")
        .condition("=false")
        .end_event("b")
    )

    engine.instances.create("none")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_message == (
        "Expected at least one condition to evaluate to true, or to have a default flow"
    )


def test_resolving_the_incident_after_fixing_the_variables_takes_the_flow(engine: TestEngine, xor) -> None:
    engine.deploy(xor)
    instance = engine.instances.create("xor", {"amount": None})
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    engine.variables.set(instance, {"amount": 7})
    engine.incidents.resolve(incident.key)

    [job] = engine.jobs.activate("small")
    engine.jobs.complete(job.key)
    assert engine.records.incidents().with_intent(IncidentIntent.RESOLVED).exists()
    assert completed(engine, instance)


def test_a_gateway_without_outgoing_flows_ends_the_path(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("dead_end").start_event().exclusive_gateway("end_here"))

    instance = engine.instances.create("dead_end")

    assert completed(engine, instance)


def test_canceling_the_instance_while_the_gateway_has_an_incident(engine: TestEngine, xor) -> None:
    engine.deploy(xor)
    instance = engine.instances.create("xor")

    engine.instances.cancel(instance)

    assert lifecycle(engine, "split") == ["ELEMENT_ACTIVATING", "ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    assert engine.records.incidents().with_intent(IncidentIntent.RESOLVED).exists()
    assert not engine.records.all().with_record_type(RecordType.COMMAND_REJECTION).exists()
