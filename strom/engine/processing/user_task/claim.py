"""USER_TASK CLAIM: take an unassigned task (or one already assigned to the claimant).

Assigning task listeners hold a claim in CLAIMING until their jobs are done, as in Zeebe 8.8;
the request is then answered with the CLAIMING event.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.user_task import ASSIGNEE
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import TaskListenerEventType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record


class UserTaskClaimProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)
        self._transitions = UserTaskTransitions(state, behaviors)

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
        claiming = writers.append_event(command.key, UserTaskIntent.CLAIMING, claimed)
        context = self._transitions.listeners.context_of(task)
        if context is not None:
            started = self._transitions.listeners.next(writers, context, TaskListenerEventType.ASSIGNING, 0)
            if isinstance(started, Failure):
                self._transitions.raise_incident(writers, started, context)
                return
            if started:
                writers.respond(claiming)
                return
        writers.respond(writers.append_event(command.key, UserTaskIntent.ASSIGNED, claimed))
