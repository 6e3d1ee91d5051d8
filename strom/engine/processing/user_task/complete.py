"""USER_TASK COMPLETE: the task is done; its variables go to the process and the element completes.

Like a job completion: with output mappings the variables become the element's local variables
(for the mappings to read), otherwise they are merged upward from the element's scope. Completing
task listeners hold the completion in COMPLETING until their jobs are done (``_transitions``);
the request is then answered with COMPLETED (or rejected when a listener denies the
completion), as in Zeebe 8.8.
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
from strom.protocol.record import Record


class UserTaskCompleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)
        self._transitions = UserTaskTransitions(state, behaviors)

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "complete", writers)
        if task is None:
            return
        request = command.value
        completing = msgspec.structs.replace(
            task, variables=request.variables, action=request.action or "complete"
        )
        context = self._transitions.listeners.context_of(task)
        outcome = self._transitions.complete(writers, context, command.key, completing, request=command)
        if outcome is None:
            return  # listeners hold it: answered when the transition ends
        if isinstance(outcome, Failure):
            if context is not None:
                self._transitions.raise_incident(writers, outcome, context)
            return
        writers.respond(outcome)
