"""USER_TASK CLAIM: take an unassigned task (or one already assigned to the claimant)."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior.user_task import ASSIGNEE
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record


class UserTaskClaimProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "claim", writers)
        if task is None:
            return
        assignee = command.value.assignee
        if not assignee.strip():
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to claim user task with key '{command.key}', but provided assignee is empty",
            )
            return
        if task.assignee.strip() and task.assignee != assignee:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to claim user task with key '{command.key}', but it has already been assigned",
            )
            return
        claimed = msgspec.structs.replace(
            task,
            assignee=assignee,
            action=command.value.action or "claim",
            changed_attributes=[ASSIGNEE] if task.assignee != assignee else [],
        )
        writers.append_event(command.key, UserTaskIntent.CLAIMING, claimed)
        writers.respond(writers.append_event(command.key, UserTaskIntent.ASSIGNED, claimed))
