"""Inclusive gateway: fork into every flow whose condition holds; join once no token can still
reach it."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, lifecycle

from strom.protocol.intents import IncidentIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


@pytest.fixture
def or_split_join() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("or")
        .start_event()
        .inclusive_gateway("split")
        .service_task("a", job_type="a", condition="=a")
        .inclusive_gateway("join")
        .service_task("after", job_type="after")
        .end_event("end")
        .move_to("split")
        .service_task("b", job_type="b", condition="=b")
        .connect("b", "join")
    )


def test_every_flow_whose_condition_holds_is_taken(engine: TestEngine, or_split_join) -> None:
    engine.deploy(or_split_join)

    engine.instances.create("or", {"a": True, "b": True})

    assert len(engine.jobs.activate("a")) == 1
    assert len(engine.jobs.activate("b")) == 1


def test_the_join_waits_for_every_taken_branch(engine: TestEngine, or_split_join) -> None:
    engine.deploy(or_split_join)
    engine.instances.create("or", {"a": True, "b": True})

    complete_jobs(engine, "a")

    assert lifecycle(engine, "join") == []
    complete_jobs(engine, "b")
    assert lifecycle(engine, "join")[-1] == "ELEMENT_COMPLETED"


def test_the_join_does_not_wait_for_a_branch_not_taken(engine: TestEngine, or_split_join) -> None:
    engine.deploy(or_split_join)
    instance = engine.instances.create("or", {"a": True, "b": False})

    complete_jobs(engine, "a")

    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_the_join_activates_when_the_last_path_that_could_reach_it_ends_elsewhere(engine: TestEngine) -> None:
    # b can reach the join only through "check"; the token leaves by the other flow instead
    engine.deploy(
        bpmn.process("escape")
        .start_event()
        .inclusive_gateway("split")
        .service_task("a", job_type="a", condition="=true")
        .inclusive_gateway("join")
        .service_task("after", job_type="after")
        .move_to("split")
        .service_task("b", job_type="b", condition="=true")
        .exclusive_gateway("check")
        .connect("check", "join", condition="=back")
        .condition("=not(back)")
        .end_event("elsewhere")
    )
    instance = engine.instances.create("escape")
    complete_jobs(engine, "a")
    assert lifecycle(engine, "join") == []

    complete_jobs(engine, "b", {"back": False})

    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_no_condition_holds_and_no_default_is_a_condition_error(engine: TestEngine, or_split_join) -> None:
    engine.deploy(or_split_join)

    engine.instances.create("or", {"a": False, "b": False})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.CONDITION_ERROR
    assert incident.value.element_id == "split"


def test_the_default_flow_is_taken_when_no_condition_holds(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("or_default")
        .start_event()
        .inclusive_gateway("split")
        .service_task("a", job_type="a", condition="=false")
        .move_to("split")
        .default_flow()
        .flow_id("to_fallback")
        .service_task("fallback", job_type="fallback")
    )

    engine.instances.create("or_default")

    assert len(engine.jobs.activate("fallback")) == 1
    assert engine.jobs.activate("a") == []


def test_cancel_while_the_join_waits(engine: TestEngine, or_split_join) -> None:
    engine.deploy(or_split_join)
    instance = engine.instances.create("or", {"a": True, "b": True})
    complete_jobs(engine, "a")

    engine.instances.cancel(instance)

    assert lifecycle(engine, "b")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "join") == []
