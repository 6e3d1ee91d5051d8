"""USER_TASK CLAIM: take an unassigned task (or one already assigned to the claimant).

Assigning task listeners hold a claim in CLAIMING until their jobs are done, as in Zeebe 8.8;
the request is then answered with ASSIGNED (or rejected when a listener denies it).
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
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
        context = self._transitions.listeners.context_of(task)
        outcome = self._transitions.assign(
            writers,
            context,
            command.key,
            task,
            assignee,
            action=command.value.action or "claim",
            intent=UserTaskIntent.CLAIMING,
            request=command,
        )
        if outcome is None:
            return  # listeners hold it: answered when the transition ends
        if isinstance(outcome, Failure):
            if context is not None:
                self._transitions.raise_incident(writers, outcome, context)
            return
        writers.respond(outcome)
