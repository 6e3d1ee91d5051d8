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


def escalating_subprocess(ev, *, interrupting: bool, catch_code: str | None = "LATE") -> bpmn.ProcessBuilder:
    content = (
        bpmn.process("x")
        .start_event("inner_start")
        .element("intermediateThrowEvent", "escalate", body=ev.escalation_def("throw"))
        .end_event("inner_end")
    )
    builder = bpmn.process("outer").start_event()
    ev.sub_process(builder, "sub", content).end_event("normal_end")
    builder.root_element(ev.escalation("throw", "LATE"))
    if catch_code:
        builder.root_element(ev.escalation("catch", catch_code))
    ev.boundary(
        builder,
        "caught",
        "sub",
        ev.escalation_def("catch" if catch_code else None),
        interrupting=interrupting,
    ).end_event("escalated_end")
    return builder


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_escalation_is_caught_by_a_boundary_event(engine: TestEngine, ev, interrupting: bool) -> None:
    engine.deploy(escalating_subprocess(ev, interrupting=interrupting))
    instance = engine.instances.create("outer")

    escalated = engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first()
    assert (escalated.value.throw_element_id, escalated.value.catch_element_id) == ("escalate", "caught")
    assert escalated.value.escalation_code == "LATE"
    assert completed(engine, "escalated_end")
    # a non-interrupting catch lets the throw event and its subprocess go on
    assert completed(engine, "escalate") is not interrupting
    assert completed(engine, "normal_end") is not interrupting
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_catch_all_escalation_boundary_event(engine: TestEngine, ev) -> None:
    engine.deploy(escalating_subprocess(ev, interrupting=True, catch_code=None))
    engine.instances.create("outer")

    assert (
        engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first().value.catch_element_id
        == "caught"
    )


def test_an_uncaught_escalation_is_recorded_and_the_flow_goes_on(engine: TestEngine, ev) -> None:
    engine.deploy(
        bpmn.process("alone")
        .start_event()
        .element("intermediateThrowEvent", "escalate", body=ev.escalation_def("e"))
        .end_event("end")
        .root_element(ev.escalation("e", "LATE"))
    )
    instance = engine.instances.create("alone")

    not_escalated = engine.records.escalations().with_intent(EscalationIntent.NOT_ESCALATED).first()
    assert (not_escalated.value.throw_element_id, not_escalated.value.catch_element_id) == ("escalate", "")
    assert not engine.records.incidents().with_intent(IncidentIntent.CREATED).exists()
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


@pytest.mark.parametrize("interrupting", [True, False])
def test_an_escalation_end_event_is_caught_by_an_event_subprocess(
    engine: TestEngine, ev, interrupting: bool
) -> None:
    builder = (
        bpmn.process("proc")
        .start_event()
        .parallel_gateway("fork")
        .service_task("work", job_type="work")
        .end_event("work_end")
        .move_to("fork")
        .end_event("escalate", body=ev.escalation_def("e"))
        .root_element(ev.escalation("e", "LATE"))
    )
    content = bpmn.process("x")
    ev.start_event(content, "on_escalation", ev.escalation_def("e"), interrupting=interrupting)
    content.end_event("handled")
    ev.event_subprocess(builder, "handler", content)
    engine.deploy(builder)
    engine.instances.create("proc")

    assert completed(engine, "handled")
    assert (
        engine.records.process_instances().with_element_id("work").with_intent(PI.ELEMENT_TERMINATED).exists()
        is interrupting
    )


def test_an_escalation_of_a_called_process_is_caught_by_the_call_activity(engine: TestEngine, ev) -> None:
    child = (
        bpmn.process("child")
        .start_event()
        .end_event("escalate", body=ev.escalation_def("e"))
        .root_element(ev.escalation("e", "LATE"))
    )
    parent = bpmn.process("parent").start_event()
    parent.element("callActivity", "call", extension='<zeebe:calledElement processId="child"/>').end_event(
        "done"
    )
    parent.root_element(ev.escalation("e", "LATE"))
    ev.boundary(parent, "caught", "call", ev.escalation_def("e"), interrupting=False).end_event(
        "escalated_end"
    )
    engine.deploy(child, parent)
    instance = engine.instances.create("parent")

    assert (
        engine.records.escalations().with_intent(EscalationIntent.ESCALATED).first().value.catch_element_id
        == "caught"
    )
    assert completed(engine, "escalated_end")
    assert completed(engine, "done")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()
