"""USER_TASK UPDATE: change the attributes the command names in ``changedAttributes``
(candidate groups and users, due and follow-up date, priority); the events name those that
actually changed.

Updating task listeners hold the update in UPDATING until their jobs are done (they may correct
the task, or deny the update: UPDATE_DENIED), as in Zeebe 8.8 (``_transitions``); the request
is answered when they are done: with UPDATED, or rejected when one denies it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record

# Zeebe's attribute names (as on the record) and the field each one sets
UPDATABLE = {
    "candidateGroupsList": "candidate_groups_list",
    "candidateUsersList": "candidate_users_list",
    "dueDate": "due_date",
    "followUpDate": "follow_up_date",
    "priority": "priority",
}


class UserTaskUpdateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)
        self._transitions = UserTaskTransitions(state, behaviors)

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "update", writers)
        if task is None:
            return
        request = command.value
        unknown = [name for name in request.changed_attributes if name not in UPDATABLE]
        if unknown:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to update user task with key '{command.key}', but the attributes "
                f"{unknown} cannot be updated; updatable are {sorted(UPDATABLE)}",
            )
            return
        if "priority" in request.changed_attributes and not 0 <= request.priority <= 100:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected priority to be in the range [0,100] but was '{request.priority}'.",
            )
            return
        changes: dict[str, Any] = {}
        changed: list[str] = []
        for name in request.changed_attributes:
            field = UPDATABLE[name]
            value = getattr(request, field)
            if value != getattr(task, field) and name not in changed:
                changes[field] = value
                changed.append(name)
        updated = msgspec.structs.replace(
            task, **changes, changed_attributes=changed, action=request.action or "update"
        )
        context = self._transitions.listeners.context_of(task)
        outcome = self._transitions.update(writers, context, command.key, updated, request=command)
        if outcome is None:
            return  # listeners hold it: answered when the transition ends
        if isinstance(outcome, Failure):
            if context is not None:
                self._transitions.raise_incident(writers, outcome, context)
            return
        writers.respond(outcome)
