"""USER_TASK COMPLETE_TASK_LISTENER: a task listener's job completed; the transition goes on.

Written by JOB COMPLETE for a TASK_LISTENER job, with the worker's corrections on the task (the
corrected attributes in ``changedAttributes``). Corrections become USER_TASK CORRECTED; then the
next listener's job is created, or the transition finishes (CREATED, ASSIGNED, UPDATED,
COMPLETED, CANCELED), as Zeebe 8.8's ``UserTaskProcessor`` does for COMPLETE_TASK_LISTENER.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.user_task import LifecycleState
from strom.model import TaskListenerEventType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record

LISTENED = {
    LifecycleState.CREATING: TaskListenerEventType.CREATING,
    LifecycleState.ASSIGNING: TaskListenerEventType.ASSIGNING,
    LifecycleState.CLAIMING: TaskListenerEventType.ASSIGNING,
    LifecycleState.UPDATING: TaskListenerEventType.UPDATING,
    LifecycleState.COMPLETING: TaskListenerEventType.COMPLETING,
    LifecycleState.CANCELING: TaskListenerEventType.CANCELING,
}
"""The lifecycle states a listener can hold a task in, and the listeners' event type."""

CORRECTABLE = {
    "assignee": "assignee",
    "dueDate": "due_date",
    "followUpDate": "follow_up_date",
    "candidateGroupsList": "candidate_groups_list",
    "candidateUsersList": "candidate_users_list",
    "priority": "priority",
}
"""Zeebe's names of the attributes a listener may correct, and the record fields they set."""


class UserTaskCompleteTaskListenerProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._user_tasks = state.user_tasks
        self._instances = state.element_instances
        self._transitions = UserTaskTransitions(state, behaviors)

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        task = self._user_tasks.get(key)
        event_type = LISTENED.get(self._user_tasks.lifecycle(key))
        context = None if task is None else self._transitions.listeners.context_of(task)
        if task is None or event_type is None or context is None:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to complete a task listener of user task with key '{key}', but the task "
                "is not in a transition that listeners hold",
            )
            return
        corrected = [name for name in command.value.changed_attributes if name in CORRECTABLE]
        if corrected:
            changes = {CORRECTABLE[name]: getattr(command.value, CORRECTABLE[name]) for name in corrected}
            task = msgspec.structs.replace(task, **changes, changed_attributes=corrected)
            writers.append_event(key, UserTaskIntent.CORRECTED, task)
        instance = self._instances.get(task.element_instance_key)
        index = 0 if instance is None else self._transitions.listeners.completed(instance, event_type)
        outcome = self._transitions.after_listener(writers, context, key, task, event_type, index, corrected)
        if isinstance(outcome, Failure):
            self._transitions.raise_incident(writers, outcome, context)
