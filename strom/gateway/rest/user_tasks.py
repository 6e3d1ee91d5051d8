"""Camunda user task commands (``<zeebe:userTask/>``): completion, assignment, unassignment, update.

As in Zeebe 8.8 these exist only on REST. An assignment with ``allowOverride: false`` is a CLAIM
(refused when someone else holds the task); unassignment is an ASSIGN to nobody.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext, key
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import invalid_argument
from strom.protocol.intents import UserTaskIntent
from strom.protocol.values.user_task import UserTaskRecordValue

operations = Operations("User task")


class UserTaskCompletionRequest(Body):
    variables: dict[str, Any] | None = None
    action: str | None = None


class UserTaskAssignmentRequest(Body):
    assignee: str | None = None
    allowOverride: bool | None = None
    action: str | None = None


class UserTaskChangeset(Body):
    dueDate: str | None = None
    followUpDate: str | None = None
    candidateUsers: list[str] | None = None
    candidateGroups: list[str] | None = None
    priority: int | None = None


class UserTaskUpdateRequest(Body):
    changeset: UserTaskChangeset | None = None
    action: str | None = None


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@operations.post(
    "/user-tasks/{userTaskKey}/completion",
    "completeUserTask",
    "Complete a user task",
    body=UserTaskCompletionRequest,
    answers=204,
)
async def complete_user_task(
    request: Request,
    userTaskKey: str,
    body: UserTaskCompletionRequest,
) -> Response:
    value = UserTaskRecordValue(variables=body.variables or {}, action=body.action or "")
    task_key = key(userTaskKey, "userTaskKey")
    await _context(request).send(command(value, UserTaskIntent.COMPLETE, task_key), "CompleteUserTask")
    return Response(status_code=204)


@operations.post(
    "/user-tasks/{userTaskKey}/assignment",
    "assignUserTask",
    "Assign a user task",
    body=UserTaskAssignmentRequest,
    body_required=True,
    answers=204,
)
async def assign_user_task(
    request: Request,
    userTaskKey: str,
    body: UserTaskAssignmentRequest,
) -> Response:
    if not body.assignee:
        raise invalid_argument("Expected 'assignee' to name who takes the task, but it was empty")
    intent = UserTaskIntent.ASSIGN if body.allowOverride in (None, True) else UserTaskIntent.CLAIM
    default_action = "assign" if intent == UserTaskIntent.ASSIGN else "claim"
    value = UserTaskRecordValue(assignee=body.assignee, action=body.action or default_action)
    task_key = key(userTaskKey, "userTaskKey")
    await _context(request).send(command(value, intent, task_key), "AssignUserTask")
    return Response(status_code=204)


@operations.delete(
    "/user-tasks/{userTaskKey}/assignee", "unassignUserTask", "Unassign a user task", answers=204
)
async def unassign_user_task(
    request: Request,
    userTaskKey: str,
) -> Response:
    value = UserTaskRecordValue(assignee="", action="unassign")
    task_key = key(userTaskKey, "userTaskKey")
    await _context(request).send(command(value, UserTaskIntent.ASSIGN, task_key), "UnassignUserTask")
    return Response(status_code=204)


@operations.patch(
    "/user-tasks/{userTaskKey}",
    "updateUserTask",
    "Change due/follow-up date, candidates, priority",
    body=UserTaskUpdateRequest,
    answers=204,
)
async def update_user_task(
    request: Request,
    userTaskKey: str,
    body: UserTaskUpdateRequest,
) -> Response:
    changes = body.changeset or UserTaskChangeset()
    fields: dict[str, Any] = {}
    changed: list[str] = []
    if changes.dueDate is not None:
        fields["due_date"] = changes.dueDate
        changed.append("dueDate")
    if changes.followUpDate is not None:
        fields["follow_up_date"] = changes.followUpDate
        changed.append("followUpDate")
    if changes.candidateUsers is not None:
        fields["candidate_users_list"] = changes.candidateUsers
        changed.append("candidateUsersList")
    if changes.candidateGroups is not None:
        fields["candidate_groups_list"] = changes.candidateGroups
        changed.append("candidateGroupsList")
    if changes.priority is not None:
        fields["priority"] = changes.priority
        changed.append("priority")
    value = UserTaskRecordValue(**fields, changed_attributes=changed, action=body.action or "")
    task_key = key(userTaskKey, "userTaskKey")
    await _context(request).send(command(value, UserTaskIntent.UPDATE, task_key), "UpdateUserTask")
    return Response(status_code=204)
