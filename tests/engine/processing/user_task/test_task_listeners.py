"""User task listeners (``zeebe:taskListeners``): jobs that hold a user task's creating, assigning
and completing transitions until they are done, correct the task or deny its completion."""

from __future__ import annotations

from typing import Any

from _held import submit

from strom.protocol.enums import RejectionType
from strom.protocol.intents import IncidentIntent, JobIntent, ProcessInstanceIntent, UserTaskIntent
from strom.protocol.values.enums import ErrorType, JobKind, JobListenerEventType
from strom.protocol.values.job import JobRecordValue, JobResultCorrectionsValue, JobResultValue
from strom.testing import TestEngine, bpmn


def _deploy(engine: TestEngine, *pairs: tuple[str, str]) -> int:
    """start -> user task ``approve`` with the task listeners ``(event type, job type)`` -> end."""
    builder = bpmn.process("review").start_event().user_task("approve")
    for event_type, job_type in pairs:
        builder.task_listener(event_type, job_type)
    engine.deploy(builder.end_event())
    return int(engine.instances.create("review"))


def _complete_listener(
    engine: TestEngine, job_type: str, expect_rejection: bool = False, **result: Any
) -> Any:
    [job] = engine.jobs.activate(job_type)
    return engine.send(
        JobRecordValue(result=JobResultValue(**result)),
        JobIntent.COMPLETE,
        job.key,
        expect_rejection=expect_rejection,
    )


def _task_key(engine: TestEngine) -> int:
    return int(engine.records.user_tasks().with_intent(UserTaskIntent.CREATING).first().key)


def _completed(engine: TestEngine) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id("approve")
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .exists()
    )


def test_a_creating_listener_holds_the_creation_until_its_job_completes(engine: TestEngine) -> None:
    _deploy(engine, ("creating", "check"))

    [job] = engine.records.jobs().with_intent(JobIntent.CREATED).limit(1)
    assert (job.value.job_kind, job.value.job_listener_event_type) == (
        JobKind.TASK_LISTENER,
        JobListenerEventType.CREATING,
    )
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()

    _complete_listener(engine, "check")

    assert engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()


def test_two_listeners_run_one_after_the_other_in_order(engine: TestEngine) -> None:
    _deploy(engine, ("creating", "first"), ("creating", "second"))

    assert engine.jobs.activate("second") == []
    _complete_listener(engine, "first")
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()
    _complete_listener(engine, "second")

    assert engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()


def test_corrections_of_a_listener_are_applied_to_the_task(engine: TestEngine) -> None:
    _deploy(engine, ("creating", "check"))

    _complete_listener(
        engine,
        "check",
        corrected_attributes=["assignee", "priority", "candidateGroupsList"],
        corrections=JobResultCorrectionsValue(assignee="bob", priority=80, candidate_groups_list=["ops"]),
    )

    corrected = engine.records.user_tasks().with_intent(UserTaskIntent.CORRECTED).first()
    assert corrected.value.changed_attributes == ["assignee", "priority", "candidateGroupsList"]
    assigned = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first()
    assert (assigned.value.assignee, assigned.value.priority, assigned.value.candidate_groups_list) == (
        "bob",
        80,
        ["ops"],
    )


def test_a_completing_listener_that_denies_sends_the_task_back_to_created(engine: TestEngine) -> None:
    _deploy(engine, ("completing", "audit"))
    key = int(engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first().key)

    answers = submit(engine, UserTaskIntent.COMPLETE, key, variables={"ok": False})
    assert answers == []
    _complete_listener(engine, "audit", denied=True, denied_reason="not ok")

    assert engine.records.user_tasks().with_intent(UserTaskIntent.COMPLETION_DENIED).exists()
    assert not _completed(engine)
    [rejection] = answers
    assert (rejection.rejection_type, rejection.rejection_reason) == (
        RejectionType.INVALID_STATE,
        f"Completion of the User Task with key '{key}' was denied by Task Listener. Reason to deny: 'not ok'",
    )

    answers = submit(engine, UserTaskIntent.COMPLETE, key, variables={"ok": True})
    _complete_listener(engine, "audit")

    [done] = engine.records.user_tasks().with_intent(UserTaskIntent.COMPLETED).limit(1)
    assert done.value.variables == {"ok": True}
    assert _completed(engine)
    assert [UserTaskIntent(answer.intent) for answer in answers] == [UserTaskIntent.COMPLETED]


def test_an_assigning_listener_holds_the_assignment(engine: TestEngine) -> None:
    _deploy(engine, ("assigning", "notify"))
    key = _task_key(engine)

    answers = submit(engine, UserTaskIntent.ASSIGN, key, assignee="bob")
    assert answers == []
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).exists()

    _complete_listener(engine, "notify")

    assigned = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first()
    assert assigned.value.assignee == "bob"
    assert [(UserTaskIntent(a.intent), a.value.assignee) for a in answers] == [
        (UserTaskIntent.ASSIGNED, "bob")
    ]
    submit(engine, UserTaskIntent.ASSIGN, key, assignee="ann")
    _complete_listener(engine, "notify")
    [_, again] = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).limit(2)
    assert again.value.assignee == "ann"


def test_an_assigning_listener_holds_a_claim(engine: TestEngine) -> None:
    _deploy(engine, ("assigning", "notify"))
    key = _task_key(engine)

    answers = submit(engine, UserTaskIntent.CLAIM, key, assignee="cy")
    assert answers == []
    assert engine.records.user_tasks().with_intent(UserTaskIntent.CLAIMING).exists()
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).exists()

    _complete_listener(engine, "notify")

    assigned = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first()
    assert (assigned.value.assignee, assigned.value.action) == ("cy", "claim")
    assert [UserTaskIntent(answer.intent) for answer in answers] == [UserTaskIntent.ASSIGNED]


def test_a_creating_listener_may_not_deny(engine: TestEngine) -> None:
    _deploy(engine, ("creating", "check"))

    rejection = _complete_listener(engine, "check", expect_rejection=True, denied=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT


def test_a_listener_job_out_of_retries_raises_an_incident_and_resolving_it_retries(
    engine: TestEngine,
) -> None:
    _deploy(engine, ("completing", "audit"))
    key = _task_key(engine)
    submit(engine, UserTaskIntent.COMPLETE, key)

    [job] = engine.jobs.activate("audit")
    engine.jobs.fail(job.key, retries=0, error_message="audit down")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert (incident.value.element_id, incident.value.error_type) == (
        "approve",
        ErrorType.TASK_LISTENER_NO_RETRIES,
    )
    engine.jobs.update_retries(job.key, 1)
    engine.incidents.resolve(incident.key)
    _complete_listener(engine, "audit")

    assert _completed(engine)
