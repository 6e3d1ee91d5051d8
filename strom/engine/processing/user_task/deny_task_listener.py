"""USER_TASK DENY_TASK_LISTENER: a task listener denied the transition it was holding.

Written by JOB COMPLETE for a TASK_LISTENER job whose result says ``denied``. As in Zeebe 8.8:
a completing listener's denial is COMPLETION_DENIED (the task is back in CREATED, its completing
listeners run again on the next COMPLETE); an assigning listener's (of an assignment or a claim)
is ASSIGNMENT_DENIED and an updating listener's UPDATE_DENIED, each with the task as it was before
the transition — the old assignee, the old attributes — back in CREATED. The event carries the
listener's ``deniedReason``. The request of the denied command is answered with a rejection
(INVALID_STATE) naming the reason, with Zeebe's text. An update by variables set on the task's
scope is denied with VARIABLE_DOCUMENT UPDATE_DENIED too: its variables are not written.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.user_task._transitions import document_rejection, held_rejection
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.user_task import LifecycleState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent, VariableDocumentIntent
from strom.protocol.record import Record

DENIED = {
    LifecycleState.COMPLETING: UserTaskIntent.COMPLETION_DENIED,
    LifecycleState.ASSIGNING: UserTaskIntent.ASSIGNMENT_DENIED,
    LifecycleState.CLAIMING: UserTaskIntent.ASSIGNMENT_DENIED,
    LifecycleState.UPDATING: UserTaskIntent.UPDATE_DENIED,
}
"""The transitions a listener may deny (by the task's lifecycle state), and the event it writes."""

REJECTION = {
    UserTaskIntent.COMPLETION_DENIED: "Completion",
    UserTaskIntent.ASSIGNMENT_DENIED: "Assignment",
    UserTaskIntent.UPDATE_DENIED: "Update",
}
"""How Zeebe names the denied transition when it rejects the request that started it."""


class UserTaskDenyTaskListenerProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._user_tasks = state.user_tasks

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        task = self._user_tasks.get(key)
        lifecycle = self._user_tasks.lifecycle(key)
        intent = DENIED.get(lifecycle)
        if task is None or intent is None:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to reject operation for user task: '{key}', but operation could not be "
                f"determined from the task's current lifecycle state: '{lifecycle.name}'",
            )
            return
        held = self._user_tasks.held_request(key)
        before = self._user_tasks.before_transition(key)
        pending = self._user_tasks.pending_variables(key) if intent is UserTaskIntent.UPDATE_DENIED else None
        if intent is not UserTaskIntent.COMPLETION_DENIED and before is not None:
            task = before
        denied = msgspec.structs.replace(
            task, variables={}, changed_attributes=[], denied_reason=command.value.denied_reason
        )
        writers.append_event(key, intent, denied)
        if pending is not None:
            writers.append_event(pending.document_key, VariableDocumentIntent.UPDATE_DENIED, pending.document)
            if held is not None:
                reason = (
                    f"Variable update for user task instance with key '{task.element_instance_key}' was "
                    f"denied by Task Listener. Reason to deny: '{command.value.denied_reason}'"
                )
                rejection = document_rejection(pending.document_key, pending.document, reason)
                writers.respond_to(held.request_stream_id, held.request_id, rejection)
            return
        if held is not None:
            reason = (
                f"{REJECTION[intent]} of the User Task with key '{key}' was denied by Task Listener. "
                f"Reason to deny: '{command.value.denied_reason}'"
            )
            writers.respond_to(
                held.request_stream_id, held.request_id, held_rejection(key, denied, held, reason)
            )
