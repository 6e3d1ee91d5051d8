"""USER_TASK DENY_TASK_LISTENER: a completing listener denied the completion.

Written by JOB COMPLETE for a TASK_LISTENER job whose result says ``denied``. As in Zeebe 8.8,
the completion is rejected with COMPLETION_DENIED: the task is back in CREATED and can be
completed again (its completing listeners run again from the first).
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.user_task import LifecycleState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record


class UserTaskDenyTaskListenerProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._user_tasks = state.user_tasks

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        task = self._user_tasks.get(key)
        lifecycle = self._user_tasks.lifecycle(key)
        if task is None or lifecycle is not LifecycleState.COMPLETING:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to deny the completion of user task with key '{key}', but it is in state "
                f"'{lifecycle.name}'",
            )
            return
        denied = msgspec.structs.replace(task, variables={}, changed_attributes=[])
        writers.append_event(key, UserTaskIntent.COMPLETION_DENIED, denied)
