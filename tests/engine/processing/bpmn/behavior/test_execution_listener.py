"""Execution listeners: start and end jobs (kind EXECUTION_LISTENER) around an element's step."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, element_key, lifecycle

from strom.protocol.intents import IncidentIntent, JobIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType, JobKind, JobListenerEventType
from strom.testing import TestEngine, bpmn


def _service_task(*items: tuple[str, str]) -> bpmn.ProcessBuilder:
    """start -> task (job type "work") with the execution listeners ``(event type, job type)`` -> end."""
    builder = bpmn.process("listened").start_event().service_task("task", job_type="work")
    for event_type, job_type in items:
        builder.execution_listener(event_type, job_type)
    return builder.end_event()


def test_a_start_listener_runs_before_the_element_is_activated(engine: TestEngine) -> None:
    engine.deploy(_service_task(("start", "before")))
    engine.instances.create("listened")

    created = engine.records.jobs().with_intent(JobIntent.CREATED).first()

    assert created.value.type == "before"
    assert created.value.job_kind is JobKind.EXECUTION_LISTENER
    assert created.value.job_listener_event_type is JobListenerEventType.START
    assert lifecycle(engine, "task") == ["ELEMENT_ACTIVATING"]
    assert complete_jobs(engine, "before") == 1
    assert lifecycle(engine, "task") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert len(engine.jobs.activate("work")) == 1


def test_listeners_run_one_after_the_other_in_order(engine: TestEngine) -> None:
    engine.deploy(_service_task(("start", "first"), ("start", "second"), ("end", "third")))
    instance = engine.instances.create("listened")

    for job_type in ("first", "second", "work", "third"):
        assert complete_jobs(engine, job_type) == 1, job_type

    types = [r.value.type for r in engine.records.jobs().with_intent(JobIntent.CREATED).limit(4)]
    assert types == ["first", "second", "work", "third"]
    assert completed(engine, instance)
    continued = engine.records.process_instances().with_intent(PI.COMPLETE_EXECUTION_LISTENER).limit(5)
    assert len(continued) == 3


def test_an_end_listener_runs_after_the_output_mappings_before_completion(engine: TestEngine) -> None:
    engine.deploy(_service_task(("end", "after")))
    engine.instances.create("listened")
    complete_jobs(engine, "work")

    assert lifecycle(engine, "task")[-1] == "ELEMENT_COMPLETING"
    complete_jobs(engine, "after")

    assert lifecycle(engine, "task")[-1] == "ELEMENT_COMPLETED"


def test_start_listener_variables_are_local_to_the_element(engine: TestEngine) -> None:
    engine.deploy(_service_task(("start", "before")))
    engine.instances.create("listened")

    complete_jobs(engine, "before", {"token": "t-1"})

    token = engine.records.variables().with_name("token").first()
    assert token.value.scope_key == element_key(engine, "task")


def test_listeners_on_the_process_and_on_a_gateway(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("whole")
        .process_execution_listener("start", "p_start")
        .process_execution_listener("end", "p_end")
        .start_event()
        .exclusive_gateway("gw")
        .execution_listener("start", "gw_start")
        .end_event()
    )
    instance = engine.instances.create("whole")

    for job_type in ("p_start", "gw_start", "p_end"):
        assert complete_jobs(engine, job_type) == 1, job_type

    assert completed(engine, instance)


def test_a_listener_without_retries_raises_an_execution_listener_incident(engine: TestEngine) -> None:
    engine.deploy(_service_task(("start", "before")))
    engine.instances.create("listened")
    [job] = engine.jobs.activate("before")

    engine.jobs.fail(job.key, retries=0, error_message="boom")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.EXECUTION_LISTENER_NO_RETRIES


def test_canceling_while_a_listener_runs_cancels_its_job(engine: TestEngine) -> None:
    engine.deploy(_service_task(("start", "before")))
    instance = engine.instances.create("listened")

    engine.instances.cancel(instance)

    assert engine.records.jobs().with_intent(JobIntent.CANCELED).first().value.type == "before"
    assert lifecycle(engine, "task")[-1] == "ELEMENT_TERMINATED"


def _waiting(kind: str) -> bpmn.ProcessBuilder:
    """start -> an element of ``kind`` with a start listener (job type "before") -> end."""
    builder = bpmn.process("waits").start_event()
    if kind == "receive task":
        builder.receive_task("waiting", message="ping", correlation_key="=id")
    elif kind == "timer catch event":
        builder.intermediate_catch_event("waiting").timer_duration("PT1H")
    elif kind == "message catch event":
        builder.intermediate_catch_event("waiting").message("ping", correlation_key="=id")
    else:
        raise AssertionError(kind)
    return builder.execution_listener("start", "before").end_event()


@pytest.mark.parametrize("kind", ["receive task", "timer catch event", "message catch event"])
def test_a_pending_start_listener_job_is_canceled_when_its_element_is_terminated(
    engine: TestEngine, kind: str
) -> None:
    engine.deploy(_waiting(kind))
    instance = engine.instances.create("waits", {"id": "o-1"})
    listener = engine.records.jobs().with_intent(JobIntent.CREATED).first()
    assert listener.value.type == "before"

    engine.instances.cancel(instance)

    canceled = engine.records.jobs().with_intent(JobIntent.CANCELED).limit(1)
    assert [job.key for job in canceled] == [listener.key]
    assert lifecycle(engine, "waiting") == ["ELEMENT_ACTIVATING", "ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    assert engine.jobs.activate("before") == []
