"""Escalations: thrown by intermediate throw and end events, caught by boundary events and event
subprocesses (interrupting or not), up through call activities; an uncaught escalation is
recorded and the flow goes on (no incident)."""

import pytest

from strom.protocol.intents import EscalationIntent, IncidentIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def completed(engine: TestEngine, element_id: str) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def escalating_subprocess(*, interrupting: bool, catch_code: str | None = "LATE") -> bpmn.ProcessBuilder:
    content = (
        bpmn.process("x")
        .start_event("inner_start")
        .intermediate_throw_event("escalate")
        .escalation("LATE")
        .end_event("inner_end")
    )
    builder = bpmn.process("outer").start_event().sub_process("sub", content=content).end_event("normal_end")
    builder.boundary_event("caught", attached_to="sub", interrupting=interrupting).escalation(catch_code)
    return builder.end_event("escalated_end")


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_escalation_is_caught_by_a_boundary_event(engine: TestEngine, interrupting: bool) -> None:
    engine.deploy(escalating_subprocess(interrupting=interrupting))
    instance = engine.instances.create("outer")

    escalated = engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first()
    assert (escalated.value.throw_element_id, escalated.value.catch_element_id) == ("escalate", "caught")
    assert escalated.value.escalation_code == "LATE"
    assert completed(engine, "escalated_end")
    # a non-interrupting catch lets the throw event and its subprocess go on
    assert completed(engine, "escalate") is not interrupting
    assert completed(engine, "normal_end") is not interrupting
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_catch_all_escalation_boundary_event(engine: TestEngine) -> None:
    engine.deploy(escalating_subprocess(interrupting=True, catch_code=None))
    engine.instances.create("outer")

    assert (
        engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first().value.catch_element_id
        == "caught"
    )


def test_an_uncaught_escalation_is_recorded_and_the_flow_goes_on(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("alone")
        .start_event()
        .intermediate_throw_event("escalate")
        .escalation("LATE")
        .end_event("end")
    )
    instance = engine.instances.create("alone")

    not_escalated = engine.records.escalations().with_intent(EscalationIntent.NOT_ESCALATED).first()
    assert (not_escalated.value.throw_element_id, not_escalated.value.catch_element_id) == ("escalate", "")
    assert not engine.records.incidents().with_intent(IncidentIntent.CREATED).exists()
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_escalation_end_event_is_caught_by_an_event_subprocess(
    engine: TestEngine, interrupting: bool
) -> None:
    builder = (
        bpmn.process("proc")
        .start_event()
        .parallel_gateway("fork")
        .service_task("work", job_type="work")
        .end_event("work_end")
        .move_to("fork")
        .end_event("escalate")
        .escalation("LATE")
        .event_sub_process("handler")
        .start_event("on_escalation", interrupting=interrupting)
        .escalation("LATE")
        .end_event("handled")
        .end_sub_process()
    )
    engine.deploy(builder)
    engine.instances.create("proc")

    assert completed(engine, "handled")
    assert (
        engine.records.process_instances().with_element_id("work").with_intent(PI.ELEMENT_TERMINATED).exists()
        is interrupting
    )


def test_an_escalation_of_a_called_process_is_caught_by_the_call_activity(engine: TestEngine) -> None:
    child = bpmn.process("child").start_event().end_event("escalate").escalation("LATE")
    parent = (
        bpmn.process("parent")
        .start_event()
        .call_activity("call", called_process_id="child")
        .end_event("done")
    )
    parent.boundary_event("caught", attached_to="call", interrupting=False).escalation("LATE")
    parent.end_event("escalated_end")
    engine.deploy(child, parent)
    instance = engine.instances.create("parent")

    assert (
        engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first().value.catch_element_id
        == "caught"
    )
    assert completed(engine, "escalated_end")
    assert completed(engine, "done")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
