"""User task listeners of updating and canceling, denied assignments and updates, what a
listener's job carries, and when the request a listener holds is answered (Zeebe 8.8's behavior)."""

from __future__ import annotations

from typing import Any

from _execution import modify, user_task_command
from _held import submit

from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent, ProcessInstanceIntent, UserTaskIntent
from strom.protocol.values.enums import JobListenerEventType
from strom.protocol.values.job import JobRecordValue, JobResultCorrectionsValue, JobResultValue
from strom.testing import TestEngine, bpmn


def _deploy(
    engine: TestEngine, *pairs: tuple[str, str], variables: dict[str, Any] | None = None, **options: Any
) -> int:
    """start -> user task ``approve`` (header team=ops, ``options`` as for ``user_task``) with the
    task listeners ``(event type, job type)`` -> end ``done``."""
    builder = bpmn.process("review").start_event().user_task("approve", **options).headers({"team": "ops"})
    for event_type, job_type in pairs:
        builder.task_listener(event_type, job_type)
    engine.deploy(builder.end_event("done"))
    return int(engine.instances.create("review", variables or {}))


def _task_key(engine: TestEngine) -> int:
    return int(engine.records.user_tasks().with_intent(UserTaskIntent.CREATING).first().key)


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


def _intents(engine: TestEngine) -> list[UserTaskIntent]:
    return [UserTaskIntent(record.intent) for record in engine.records.user_tasks().events().limit(100)]


def _element(engine: TestEngine, element_id: str, intent: ProcessInstanceIntent) -> bool:
    return engine.records.process_instances().with_element_id(element_id).with_intent(intent).exists()


# -- updating --------------------------------------------------------------------------------------


def test_an_updating_listener_holds_the_update_and_its_answer_until_its_job_completes(
    engine: TestEngine,
) -> None:
    _deploy(engine, ("updating", "audit"))
    key = _task_key(engine)

    answers = submit(engine, UserTaskIntent.UPDATE, key, priority=80, changed_attributes=["priority"])

    assert answers == []
    assert _intents(engine)[-1] is UserTaskIntent.UPDATING
    [job] = engine.jobs.activate("audit")
    assert job.record.job_listener_event_type is JobListenerEventType.UPDATING
    engine.jobs.complete(job.key)
    updated = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATED).first()
    assert (updated.value.priority, updated.value.changed_attributes) == (80, ["priority"])
    assert [(UserTaskIntent(a.intent), a.value.priority) for a in answers] == [(UserTaskIntent.UPDATED, 80)]


def test_an_updating_listener_may_correct_the_update(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "audit"))
    key = _task_key(engine)
    submit(engine, UserTaskIntent.UPDATE, key, due_date="2030-01-01T10:00Z", changed_attributes=["dueDate"])

    _complete_listener(
        engine,
        "audit",
        corrected_attributes=["priority"],
        corrections=JobResultCorrectionsValue(priority=99),
    )

    updated = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATED).first()
    assert (updated.value.due_date, updated.value.priority) == ("2030-01-01T10:00Z", 99)
    assert sorted(updated.value.changed_attributes) == ["dueDate", "priority"]


def test_an_updating_listener_that_denies_keeps_the_task_as_it_was(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "audit"), priority="40")
    key = _task_key(engine)
    answers = submit(engine, UserTaskIntent.UPDATE, key, priority=90, changed_attributes=["priority"])

    _complete_listener(engine, "audit", denied=True, denied_reason="not now")

    [rejection] = answers
    assert (rejection.rejection_type, rejection.rejection_reason) == (
        RejectionType.INVALID_STATE,
        f"Update of the User Task with key '{key}' was denied by Task Listener. Reason to deny: 'not now'",
    )
    denied = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATE_DENIED).first()
    assert (denied.value.priority, denied.value.denied_reason) == (40, "not now")
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.UPDATED).exists()
    submit(engine, UserTaskIntent.UPDATE, key, priority=70, changed_attributes=["priority"])
    _complete_listener(engine, "audit")
    updated = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATED).first()
    assert (updated.value.priority, updated.value.denied_reason) == (70, "")


# -- denied assignments ----------------------------------------------------------------------------


def test_an_assigning_listener_that_denies_keeps_the_old_assignee(engine: TestEngine) -> None:
    _deploy(engine, ("assigning", "gate"), assignee="ann")
    key = _task_key(engine)
    _complete_listener(engine, "gate")  # the model's assignee: ann

    answers = submit(engine, UserTaskIntent.ASSIGN, key, assignee="bob")
    _complete_listener(engine, "gate", denied=True, denied_reason="bob is away")

    [rejection] = answers
    assert rejection.rejection_reason == (
        f"Assignment of the User Task with key '{key}' was denied by Task Listener. "
        "Reason to deny: 'bob is away'"
    )
    assert _intents(engine)[-2:] == [UserTaskIntent.ASSIGNING, UserTaskIntent.ASSIGNMENT_DENIED]
    denied = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNMENT_DENIED).first()
    assert (denied.value.assignee, denied.value.denied_reason) == ("ann", "bob is away")
    user_task_command(engine, UserTaskIntent.COMPLETE, key)
    assert _element(engine, "done", ProcessInstanceIntent.ELEMENT_COMPLETED)


def test_a_denied_claim_leaves_the_task_unassigned_and_claimable(engine: TestEngine) -> None:
    _deploy(engine, ("assigning", "gate"))
    key = _task_key(engine)

    answers = submit(engine, UserTaskIntent.CLAIM, key, assignee="cy")
    _complete_listener(engine, "gate", denied=True)

    [rejection] = answers

    denied = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNMENT_DENIED).first()
    assert denied.value.assignee == ""
    assert UserTaskIntent(rejection.intent) is UserTaskIntent.CLAIM
    answers = submit(engine, UserTaskIntent.CLAIM, key, assignee="dee")
    _complete_listener(engine, "gate")
    assert [UserTaskIntent(answer.intent) for answer in answers] == [UserTaskIntent.ASSIGNED]
    assigned = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first()
    assert assigned.value.assignee == "dee"


def test_a_denial_with_corrections_is_rejected(engine: TestEngine) -> None:
    _deploy(engine, ("assigning", "gate"))
    submit(engine, UserTaskIntent.ASSIGN, _task_key(engine), assignee="bob")

    rejection = _complete_listener(
        engine,
        "gate",
        expect_rejection=True,
        denied=True,
        corrected_attributes=["priority"],
        corrections=JobResultCorrectionsValue(priority=1),
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "The corrections would be reverted by the denial" in rejection.rejection_reason


def test_a_canceling_listener_may_not_deny(engine: TestEngine) -> None:
    instance = _deploy(engine, ("canceling", "cleanup"))
    engine.instances.cancel(instance)

    rejection = _complete_listener(engine, "cleanup", expect_rejection=True, denied=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason.startswith("Denying result is not supported for 'CANCELING'")
    assert "[ASSIGNING, COMPLETING, UPDATING]" in rejection.rejection_reason


def test_a_listener_job_completed_with_variables_is_rejected(engine: TestEngine) -> None:
    instance = _deploy(engine, ("creating", "check"))
    [job] = engine.jobs.activate("check")

    rejection = engine.jobs.complete(job.key, {"x": 1}, expect_rejection=True)

    assert rejection.rejection_reason == (
        "Task Listener job completion with variables payload provided is not yet supported "
        f"(job key '{job.key}', type 'check', processInstanceKey '{instance}'). "
        "Support will be enabled with the resolution of issue #23702."
    )


def test_a_creating_listener_may_not_correct_the_assignee_the_model_defines(engine: TestEngine) -> None:
    _deploy(engine, ("creating", "check"), assignee="ann")

    rejection = _complete_listener(
        engine,
        "check",
        expect_rejection=True,
        corrected_attributes=["assignee"],
        corrections=JobResultCorrectionsValue(assignee="bob"),
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "correcting the assignee on 'CREATING' event is not supported" in rejection.rejection_reason


def test_a_correction_of_an_unknown_attribute_is_rejected_naming_it(engine: TestEngine) -> None:
    instance = _deploy(engine, ("creating", "check"))
    [job] = engine.jobs.activate("check")

    rejection = engine.send(
        JobRecordValue(result=JobResultValue(corrected_attributes=["name"])),
        JobIntent.COMPLETE,
        job.key,
        expect_rejection=True,
    )

    assert rejection.rejection_reason == (
        "Expected to complete task listener job with a corrections result, but property 'name' "
        f"cannot be corrected (job key '{job.key}', type 'check', processInstanceKey '{instance}'). "
        "Only the following properties can be corrected: [assignee, candidateGroupsList, "
        "candidateUsersList, dueDate, followUpDate, priority]."
    )


# -- canceling -------------------------------------------------------------------------------------


def test_canceling_the_instance_waits_for_the_canceling_listener(engine: TestEngine) -> None:
    instance = _deploy(engine, ("canceling", "cleanup"))

    engine.instances.cancel(instance)

    assert _intents(engine)[-1] is UserTaskIntent.CANCELING
    assert _element(engine, "approve", ProcessInstanceIntent.ELEMENT_TERMINATING)
    assert not _element(engine, "approve", ProcessInstanceIntent.ELEMENT_TERMINATED)
    assert not _element(engine, "review", ProcessInstanceIntent.ELEMENT_TERMINATED)

    _complete_listener(engine, "cleanup")

    assert _intents(engine)[-1] is UserTaskIntent.CANCELED
    assert _element(engine, "approve", ProcessInstanceIntent.ELEMENT_TERMINATED)
    assert _element(engine, "review", ProcessInstanceIntent.ELEMENT_TERMINATED)


def test_a_listener_job_under_way_is_canceled_before_the_canceling_listener_runs(
    engine: TestEngine,
) -> None:
    instance = _deploy(engine, ("assigning", "gate"), ("canceling", "cleanup"))
    submit(engine, UserTaskIntent.ASSIGN, _task_key(engine), assignee="bob")
    [gate] = engine.jobs.activate("gate")

    engine.instances.cancel(instance)

    assert engine.records.jobs().with_key(gate.key).with_intent(JobIntent.CANCELED).exists()
    _complete_listener(engine, "cleanup")
    assert _element(engine, "review", ProcessInstanceIntent.ELEMENT_TERMINATED)


def test_a_request_held_when_the_task_is_canceled_is_rejected(engine: TestEngine) -> None:
    instance = _deploy(engine, ("completing", "audit"))
    answers = submit(engine, UserTaskIntent.COMPLETE, _task_key(engine))

    engine.instances.cancel(instance)

    [rejection] = answers
    assert (UserTaskIntent(rejection.intent), rejection.rejection_type, rejection.rejection_reason) == (
        UserTaskIntent.COMPLETE,
        RejectionType.INVALID_STATE,
        "user task was canceled during ongoing transition",
    )


def test_an_interrupting_boundary_event_continues_after_the_canceling_listener(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("review")
        .start_event()
        .user_task("approve")
        .task_listener("canceling", "cleanup")
        .end_event("done")
        .boundary_event("late", attached_to="approve")
        .message("escalate", correlation_key="=id")
        .end_event("escalated")
    )
    engine.instances.create("review", {"id": "r1"})

    engine.messages.publish("escalate", "r1")

    assert not _element(engine, "escalated", ProcessInstanceIntent.ELEMENT_COMPLETED)
    _complete_listener(engine, "cleanup")
    assert _element(engine, "approve", ProcessInstanceIntent.ELEMENT_TERMINATED)
    assert _element(engine, "escalated", ProcessInstanceIntent.ELEMENT_COMPLETED)


def test_a_modification_cancels_the_task_without_its_canceling_listeners(engine: TestEngine) -> None:
    instance = _deploy(engine, ("canceling", "cleanup"))
    element = engine.records.process_instances().with_element_id("approve").first()

    modify(engine, instance, activate=["done"], terminate=[element.key])

    assert _intents(engine)[-2:] == [UserTaskIntent.CANCELING, UserTaskIntent.CANCELED]
    assert engine.jobs.activate("cleanup") == []


# -- the listener's job ----------------------------------------------------------------------------


def test_a_listener_job_carries_the_task_in_headers_and_the_variables_in_scope(engine: TestEngine) -> None:
    _deploy(
        engine,
        ("assigning", "gate"),
        variables={"amount": 12},
        candidate_groups="sales, ops",
        due_date="2031-05-06T07:08:09Z",
        priority="60",
    )
    key = _task_key(engine)

    submit(engine, UserTaskIntent.ASSIGN, key, assignee="bob", action="delegate")

    [job] = engine.jobs.activate("gate")
    assert job.custom_headers == {
        "team": "ops",
        "io.camunda.zeebe:userTaskKey": str(key),
        "io.camunda.zeebe:assignee": "bob",
        "io.camunda.zeebe:candidateGroups": '["sales","ops"]',
        "io.camunda.zeebe:dueDate": "2031-05-06T07:08:09Z",
        "io.camunda.zeebe:priority": "60",
        "io.camunda.zeebe:action": "delegate",
        "io.camunda.zeebe:changedAttributes": '["assignee"]',
    }
    assert job.variables == {"amount": 12}
