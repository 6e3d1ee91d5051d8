"""USER_TASK ASSIGN: set (or clear) the assignee, whoever had the task before."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior.user_task import ASSIGNEE
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record


class UserTaskAssignProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "assign", writers)
        if task is None:
            return
        request = command.value
        assigned = msgspec.structs.replace(
            task,
            assignee=request.assignee,
            action=request.action or "assign",
            changed_attributes=[ASSIGNEE] if task.assignee != request.assignee else [],
        )
        writers.append_event(command.key, UserTaskIntent.ASSIGNING, assigned)
        writers.respond(writers.append_event(command.key, UserTaskIntent.ASSIGNED, assigned))
