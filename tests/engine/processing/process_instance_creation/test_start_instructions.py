"""Creating a process instance with start instructions: it starts at the given elements."""

from __future__ import annotations

from _execution import complete_jobs, completed, element_key, lifecycle

from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceCreationStartInstructionValue,
)
from strom.testing import TestEngine, bpmn


def _create(
    engine: TestEngine, *element_ids: str, expect_rejection: bool = False, **variables: object
) -> object:
    return engine.send(
        ProcessInstanceCreationRecordValue(
            bpmn_process_id="started",
            variables=dict(variables),
            start_instructions=[
                ProcessInstanceCreationStartInstructionValue(element_id=i) for i in element_ids
            ],
        ),
        ProcessInstanceCreationIntent.CREATE,
        expect_rejection=expect_rejection,
    )


def _deploy(engine: TestEngine) -> None:
    body = (
        bpmn.process("b")
        .start_event("sub_start")
        .service_task("inner", job_type="inner")
        .end_event("sub_end")
    )
    engine.deploy(
        bpmn.process("started")
        .start_event()
        .service_task("first", job_type="first")
        .service_task("second", job_type="second")
        .sub_process("sub", content=body)
    )


def test_the_instance_starts_at_the_given_element_not_at_the_start_event(engine: TestEngine) -> None:
    _deploy(engine)

    created = _create(engine, "second", amount=5)

    instance = created.value.process_instance_key
    assert lifecycle(engine, "start") == []
    assert lifecycle(engine, "started") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    [job] = engine.jobs.activate("second")
    assert job.variables == {"amount": 5}
    engine.jobs.complete(job.key)
    complete_jobs(engine, "inner")
    assert completed(engine, instance)


def test_several_instructions_start_several_tokens(engine: TestEngine) -> None:
    _deploy(engine)

    created = _create(engine, "first", "inner")

    assert len(engine.jobs.activate("first")) == 1
    [inner_job] = engine.jobs.activate("inner")
    assert element_key(engine, "sub") > 0
    assert created.value.process_instance_key > 0
    assert inner_job.variables == {}


def test_an_unknown_element_is_rejected(engine: TestEngine) -> None:
    _deploy(engine)

    rejection = _create(engine, "ghost", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == (
        "Expected to create instance of process with start instructions but no element found with id 'ghost'."
    )


def test_a_start_event_target_is_rejected(engine: TestEngine) -> None:
    _deploy(engine)

    rejection = _create(engine, "start", expect_rejection=True)

    assert "targets unsupported element type 'START_EVENT'" in rejection.rejection_reason
