"""USER_TASK ASSIGN, CLAIM, UPDATE and COMPLETE on a created Camunda user task."""

from __future__ import annotations

import pytest
from _execution import user_task_command

from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent
from strom.testing import TestEngine, bpmn


@pytest.fixture
def task_key(engine: TestEngine) -> int:
    engine.deploy(bpmn.process("review").start_event().user_task("approve"))
    engine.instances.create("review")
    return int(engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first().key)


def test_assign_sets_the_assignee(engine: TestEngine, task_key: int) -> None:
    answer = user_task_command(engine, UserTaskIntent.ASSIGN, task_key, assignee="bob")

    assert UserTaskIntent(answer.intent) is UserTaskIntent.ASSIGNED
    assigning = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNING).first()
    assert (assigning.value.assignee, assigning.value.action) == ("bob", "assign")
    assert answer.value.changed_attributes == ["assignee"]


def test_claim_assigns_an_unassigned_task(engine: TestEngine, task_key: int) -> None:
    answer = user_task_command(engine, UserTaskIntent.CLAIM, task_key, assignee="ann")

    assert (UserTaskIntent(answer.intent), answer.value.assignee) == (UserTaskIntent.ASSIGNED, "ann")
    assert engine.records.user_tasks().with_intent(UserTaskIntent.CLAIMING).exists()


def test_claiming_a_task_assigned_to_someone_else_is_rejected(engine: TestEngine, task_key: int) -> None:
    user_task_command(engine, UserTaskIntent.ASSIGN, task_key, assignee="bob")

    rejection = user_task_command(
        engine, UserTaskIntent.CLAIM, task_key, assignee="ann", expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_STATE
    assert rejection.rejection_reason == (
        f"Expected to claim user task with key '{task_key}', but it has already been assigned"
    )


def test_update_changes_only_the_named_attributes(engine: TestEngine, task_key: int) -> None:
    answer = user_task_command(
        engine,
        UserTaskIntent.UPDATE,
        task_key,
        candidate_groups_list=["ops"],
        priority=90,
        due_date="2026-03-01T00:00Z",
        changed_attributes=["candidateGroupsList", "priority"],
    )

    assert UserTaskIntent(answer.intent) is UserTaskIntent.UPDATED
    assert answer.value.changed_attributes == ["candidateGroupsList", "priority"]
    assert (answer.value.candidate_groups_list, answer.value.priority, answer.value.due_date) == (
        ["ops"],
        90,
        "",
    )


def test_completing_an_unknown_task_is_rejected_as_not_found(engine: TestEngine) -> None:
    rejection = user_task_command(engine, UserTaskIntent.COMPLETE, 42, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert (
        rejection.rejection_reason
        == "Expected to complete user task with key '42', but no such user task was found"
    )


def test_a_completed_task_cannot_be_completed_again(engine: TestEngine, task_key: int) -> None:
    user_task_command(engine, UserTaskIntent.COMPLETE, task_key)

    rejection = user_task_command(engine, UserTaskIntent.COMPLETE, task_key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
