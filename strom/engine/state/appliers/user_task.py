"""Appliers for USER_TASK events: the task's record and lifecycle state."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.user_task import LifecycleState
from strom.protocol.enums import ValueType
from strom.protocol.intents import UserTaskIntent
from strom.protocol.record import Record

_replace = msgspec.structs.replace


class UserTaskCreatingV1:
    """Stores the new task (CREATING) and links it to its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        task = record.value
        self._tasks.put(record.key, _replace(task, variables={}), LifecycleState.CREATING)
        instance = self._instances.get(task.element_instance_key)
        if instance is not None:
            self._instances.put(_replace(instance, user_task_key=record.key))


class UserTaskTransitionV1:
    """Stores the task as the event shows it, in the lifecycle state the event leads to."""

    def __init__(self, state: MutableProcessingState, lifecycle: LifecycleState) -> None:
        self._tasks = state.user_tasks
        self._lifecycle = lifecycle

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), self._lifecycle)


class UserTaskLeftV1:
    """Removes a completed or canceled task and unlinks it from its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        self._tasks.remove(record.key)
        instance = self._instances.get(record.value.element_instance_key)
        if instance is not None and instance.user_task_key == record.key:
            self._instances.put(_replace(instance, user_task_key=-1))


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    task = ValueType.USER_TASK
    appliers.register(task, UserTaskIntent.CREATING, UserTaskCreatingV1(state))
    for intent, lifecycle in (
        (UserTaskIntent.CREATED, LifecycleState.CREATED),
        (UserTaskIntent.ASSIGNING, LifecycleState.ASSIGNING),
        (UserTaskIntent.CLAIMING, LifecycleState.CLAIMING),
        (UserTaskIntent.ASSIGNED, LifecycleState.CREATED),
        (UserTaskIntent.UPDATING, LifecycleState.UPDATING),
        (UserTaskIntent.UPDATED, LifecycleState.CREATED),
        (UserTaskIntent.COMPLETING, LifecycleState.COMPLETING),
        (UserTaskIntent.CANCELING, LifecycleState.CANCELING),
    ):
        appliers.register(task, intent, UserTaskTransitionV1(state, lifecycle))
    appliers.register(task, UserTaskIntent.COMPLETED, UserTaskLeftV1(state))
    appliers.register(task, UserTaskIntent.CANCELED, UserTaskLeftV1(state))
