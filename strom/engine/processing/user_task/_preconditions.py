"""Checks shared by the USER_TASK command processors: the task exists and is CREATED (no other
command on it is under way). Zeebe's wording:
"Expected to <verb> user task with key '<k>', but no such user task was found" and
"Expected to <verb> user task with key '<k>', but it is in state '<STATE>'".
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state.user_task import LifecycleState, UserTaskState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.user_task import UserTaskRecordValue


class UserTaskPreconditions:
    def __init__(self, user_tasks: UserTaskState) -> None:
        self._user_tasks = user_tasks

    def check(self, command: Record[Any], verb: str, writers: Writers) -> UserTaskRecordValue | None:
        """The stored task if ``command`` may apply to it; otherwise reject and return None."""
        key = command.key
        task = self._user_tasks.get(key)
        if task is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to {verb} user task with key '{key}', but no such user task was found",
            )
            return None
        lifecycle = self._user_tasks.lifecycle(key)
        if lifecycle is not LifecycleState.CREATED:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to {verb} user task with key '{key}', but it is in state '{lifecycle.name}'",
            )
            return None
        return task
