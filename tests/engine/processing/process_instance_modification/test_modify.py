"""PROCESS_INSTANCE_MODIFICATION MODIFY: activate elements, terminate element instances, set
variables — in one step, rejected as a whole when an instruction cannot be applied."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, element_key, lifecycle, modify, terminated

from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent, UserTaskIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.intents import ProcessInstanceModificationIntent as PM
from strom.testing import TestEngine, bpmn


@pytest.fixture
def two_tasks(engine: TestEngine) -> int:
    body = (
        bpmn.process("b")
        .start_event("sub_start")
        .service_task("inner", job_type="inner")
        .end_event("sub_end")
    )
    engine.deploy(
        bpmn.process("mod")
        .start_event()
        .service_task("first", job_type="first")
        .service_task("second", job_type="second")
        .sub_process("sub", content=body)
        .end_event("end")
    )
    return int(engine.instances.create("mod"))


def test_activating_an_element_starts_it_where_asked(engine: TestEngine, two_tasks: int) -> None:
    answer = modify(engine, two_tasks, activate=["second"])

    assert PM(answer.intent) is PM.MODIFIED
    assert answer.value.activate_instructions[0].ancestor_scope_keys == [two_tasks]
    assert len(engine.jobs.activate("second")) == 1
    assert len(engine.jobs.activate("first")) == 1


def test_activating_inside_a_subprocess_creates_the_subprocess(engine: TestEngine, two_tasks: int) -> None:
    answer = modify(engine, two_tasks, activate=[("inner", -1, {"sub": {"local": 1}, "": {"global": 2}})])

    sub = element_key(engine, "sub")
    assert answer.value.activate_instructions[0].ancestor_scope_keys == [two_tasks, sub]
    assert lifecycle(engine, "sub") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert lifecycle(engine, "sub_start") == []
    local = engine.records.variables().with_name("local").first()
    glob = engine.records.variables().with_name("global").first()
    assert (local.value.scope_key, glob.value.scope_key) == (sub, two_tasks)
    [job] = engine.jobs.activate("inner")
    assert job.variables == {"local": 1, "global": 2}


def test_terminating_an_element_instance_cancels_its_job(engine: TestEngine, two_tasks: int) -> None:
    first = element_key(engine, "first")

    modify(engine, two_tasks, activate=["second"], terminate=[first])

    assert lifecycle(engine, "first") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_TERMINATING",
        "ELEMENT_TERMINATED",
    ]
    assert engine.records.jobs().with_intent(JobIntent.CANCELED).first().value.type == "first"
    complete_jobs(engine, "second")
    complete_jobs(engine, "inner")
    assert completed(engine, two_tasks)


def test_terminating_the_last_element_terminates_the_instance(engine: TestEngine, two_tasks: int) -> None:
    modify(engine, two_tasks, terminate=[element_key(engine, "first")])

    assert terminated(engine, two_tasks)


def test_terminating_a_subprocess_terminates_what_is_inside_it_first(
    engine: TestEngine, two_tasks: int
) -> None:
    modify(engine, two_tasks, activate=["inner"])
    sub = element_key(engine, "sub")

    modify(engine, two_tasks, terminate=[sub])

    order = [
        r.value.element_id
        for r in engine.records.process_instances().with_intent(PI.ELEMENT_TERMINATED).limit(2)
    ]
    assert order == ["inner", "sub"]
    assert not terminated(engine, two_tasks)


def test_terminating_a_user_task_cancels_it(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("ut").start_event().user_task("u").task("t"))
    instance = engine.instances.create("ut")

    modify(engine, instance, activate=["t"], terminate=[element_key(engine, "u")])

    assert engine.records.user_tasks().with_intent(UserTaskIntent.CANCELED).exists()
    assert completed(engine, instance)


def test_an_unknown_process_instance_is_rejected(engine: TestEngine) -> None:
    rejection = modify(engine, 77, activate=["x"], expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert (
        rejection.rejection_reason
        == "Expected to modify process instance but no process instance found with key '77'"
    )


def test_an_unknown_element_rejects_the_whole_modification(engine: TestEngine, two_tasks: int) -> None:
    first = element_key(engine, "first")

    rejection = modify(
        engine, two_tasks, activate=["second", "nope"], terminate=[first], expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == (
        "Expected to modify instance of process 'mod' but it contains one or more activate instructions "
        "with an element that could not be found: 'nope'"
    )
    assert lifecycle(engine, "first") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert lifecycle(engine, "second") == []


def test_a_start_event_cannot_be_activated(engine: TestEngine, two_tasks: int) -> None:
    rejection = modify(engine, two_tasks, activate=["start"], expect_rejection=True)

    assert "The activation of elements with type 'START_EVENT' is not supported" in rejection.rejection_reason


def test_an_unknown_element_instance_to_terminate_is_rejected(engine: TestEngine, two_tasks: int) -> None:
    rejection = modify(engine, two_tasks, terminate=[123], expect_rejection=True)

    assert rejection.rejection_reason == (
        "Expected to modify instance of process 'mod' but it contains one or more terminate instructions "
        "with an element instance that could not be found: '123'"
    )


def test_two_active_flow_scopes_need_an_ancestor(engine: TestEngine, two_tasks: int) -> None:
    modify(engine, two_tasks, activate=[("inner", two_tasks, {})])
    modify(engine, two_tasks, activate=[("inner", two_tasks, {})])

    rejection = modify(engine, two_tasks, activate=["inner"], expect_rejection=True)

    assert "has a flow scope with more than one active instance: 'sub'" in rejection.rejection_reason
    sub = element_key(engine, "sub")
    modify(engine, two_tasks, activate=[("inner", sub, {})])
    assert len(engine.jobs.activate("inner")) == 3


def test_activating_in_a_flow_scope_that_is_terminated_is_rejected(
    engine: TestEngine, two_tasks: int
) -> None:
    modify(engine, two_tasks, activate=["inner"])
    sub = element_key(engine, "sub")

    rejection = modify(
        engine, two_tasks, activate=[("inner", sub, {})], terminate=[sub], expect_rejection=True
    )

    assert "whose required flow scope instance is also being terminated" in rejection.rejection_reason
