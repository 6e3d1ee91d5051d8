"""USER_TASK ASSIGN: set (or clear) the assignee, whoever had the task before.

Assigning task listeners hold the assignment in ASSIGNING until their jobs are done
(``_transitions``); the request is then answered with ASSIGNED (or rejected when a listener
denies the assignment), as in Zeebe 8.8.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.record import Record


class UserTaskAssignProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)
        self._transitions = UserTaskTransitions(state, behaviors)

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "assign", writers)
        if task is None:
            return
        request = command.value
        context = self._transitions.listeners.context_of(task)
        outcome = self._transitions.assign(
            writers,
            context,
            command.key,
            task,
            request.assignee,
            action=request.action or "assign",
            request=command,
        )
        if outcome is None:
            return  # listeners hold it: answered when the transition ends
        if isinstance(outcome, Failure):
            if context is not None:
                self._transitions.raise_incident(writers, outcome, context)
            return
        writers.respond(outcome)
