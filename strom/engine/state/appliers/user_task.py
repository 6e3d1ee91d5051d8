"""Appliers for USER_TASK events: the task's record and lifecycle state."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import Applier, EventAppliers
from strom.engine.state.task_listener import index_key, without_index
from strom.engine.state.user_task import HeldRequest, LifecycleState
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


class UserTaskCreatedV1:
    """The task is created: stored as the event shows it, in state CREATED."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CREATED)


class UserTaskAssigningV1:
    """An assignment began: the task as the event shows it, in state ASSIGNING."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.ASSIGNING)


class UserTaskClaimingV1:
    """A claim began: the task as the event shows it, in state CLAIMING."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CLAIMING)


class UserTaskAssignedV1:
    """The task is assigned: stored as the event shows it, back in state CREATED."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CREATED)


class UserTaskUpdatingV1:
    """An update began: the task as the event shows it, in state UPDATING."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.UPDATING)


class UserTaskUpdatedV1:
    """The task is updated: stored as the event shows it, back in state CREATED."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CREATED)


class UserTaskCompletingV1:
    """A completion began: the task as the event shows it, in state COMPLETING."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.COMPLETING)


class UserTaskCancelingV1:
    """The task is being canceled: as the event shows it, in state CANCELING."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CANCELING)


class UserTaskCompletedV1:
    """Removes the completed task and unlinks it from its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        self._tasks.remove(record.key)
        instance = self._instances.get(record.value.element_instance_key)
        if instance is not None and instance.user_task_key == record.key:
            self._instances.put(_replace(instance, user_task_key=-1))


class UserTaskCanceledV1:
    """Removes the canceled task and unlinks it from its element instance."""

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
    appliers.register(task, UserTaskIntent.CREATED, UserTaskCreatedV1(state))
    appliers.register(task, UserTaskIntent.ASSIGNING, UserTaskAssigningV1(state))
    appliers.register(task, UserTaskIntent.CLAIMING, UserTaskClaimingV1(state))
    appliers.register(task, UserTaskIntent.ASSIGNED, UserTaskAssignedV1(state))
    appliers.register(task, UserTaskIntent.UPDATING, UserTaskUpdatingV1(state))
    appliers.register(task, UserTaskIntent.UPDATED, UserTaskUpdatedV1(state))
    appliers.register(task, UserTaskIntent.COMPLETING, UserTaskCompletingV1(state))
    appliers.register(task, UserTaskIntent.CANCELING, UserTaskCancelingV1(state))
    appliers.register(task, UserTaskIntent.COMPLETED, UserTaskCompletedV1(state))
    appliers.register(task, UserTaskIntent.CANCELED, UserTaskCanceledV1(state))
    register_task_listener_events(appliers, state)


class UserTaskCompletingV2:
    """V2: as V1, and the task keeps the completion's variables, for completing listeners to
    finish the completion with."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, record.value, LifecycleState.COMPLETING)


class UserTaskAssignedV2:
    """V2: as V1, and the element instance's count of completed assigning listeners is cleared."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CREATED)
        _clear_listener_index(self._instances, record.value.element_instance_key, "ASSIGNING")


class UserTaskCorrectedV1:
    """A task listener corrected attributes: the task as the event shows it, lifecycle unchanged."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        lifecycle = self._tasks.lifecycle(record.key)
        if lifecycle is not LifecycleState.NOT_FOUND:
            self._tasks.put(record.key, record.value, lifecycle)


class UserTaskCompletionDeniedV1:
    """A completing listener denied the completion: the task is back in CREATED (without the
    completion's variables) and the count of completed completing listeners is cleared."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            self._tasks.put(record.key, _replace(record.value, variables={}), LifecycleState.CREATED)
        _clear_listener_index(self._instances, record.value.element_instance_key, "COMPLETING")


class _BeginTransitionV2:
    """V2 of ASSIGNING / CLAIMING / UPDATING: as V1, and the task as it was before is kept (when
    the transition starts from CREATED), for a denying listener to put back."""

    def __init__(self, state: MutableProcessingState, lifecycle: LifecycleState) -> None:
        self._tasks = state.user_tasks
        self._lifecycle = lifecycle

    def __call__(self, record: Record[Any]) -> None:
        current = self._tasks.get(record.key)
        if current is None:
            return
        if self._tasks.lifecycle(record.key) is LifecycleState.CREATED:
            self._tasks.put_before_transition(record.key, current)
        self._tasks.put(record.key, _replace(record.value, variables={}), self._lifecycle)


class _EndTransition:
    """The transition is over (done or denied): the task as the event shows it, back in CREATED;
    the kept task before it and the count of completed listeners of ``event_type`` are dropped."""

    def __init__(self, state: MutableProcessingState, event_type: str) -> None:
        self._tasks = state.user_tasks
        self._instances = state.element_instances
        self._event_type = event_type

    def __call__(self, record: Record[Any]) -> None:
        if self._tasks.get(record.key) is not None:
            task = _replace(record.value, variables={}, denied_reason="")
            self._tasks.put(record.key, task, LifecycleState.CREATED)
            self._tasks.remove_before_transition(record.key)
        _clear_listener_index(self._instances, record.value.element_instance_key, self._event_type)


class UserTaskAssigningV2(_BeginTransitionV2):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, LifecycleState.ASSIGNING)


class UserTaskClaimingV2(_BeginTransitionV2):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, LifecycleState.CLAIMING)


class UserTaskUpdatingV2(_BeginTransitionV2):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, LifecycleState.UPDATING)


class UserTaskAssignedV3(_EndTransition):
    """V3: as V2, and the task kept from before the assignment is dropped."""

    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, "ASSIGNING")


class UserTaskAssignmentDeniedV1(_EndTransition):
    """An assigning listener denied the assignment (or claim): the event shows the task as it
    was before, back in CREATED."""

    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, "ASSIGNING")


class UserTaskUpdatedV2(_EndTransition):
    """V2: as V1, and the task kept from before the update and the count of completed updating
    listeners are dropped."""

    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, "UPDATING")


class UserTaskCompletionDeniedV2(_EndTransition):
    """V2: as V1, and the listener's denied reason is not kept on the task."""

    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, "COMPLETING")


class UserTaskUpdateDeniedV1(_EndTransition):
    """An updating listener denied the update: the event shows the task as it was before, back
    in CREATED."""

    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, "UPDATING")


class _HoldRequestV3:
    """V3 of ASSIGNING / CLAIMING / UPDATING / COMPLETING: as V2, and the request of the command
    the event carries (written only when task listeners hold the transition) is kept, to be
    answered when the transition ends."""

    def __init__(self, state: MutableProcessingState, before: Applier, command: UserTaskIntent) -> None:
        self._tasks = state.user_tasks
        self._before = before
        self._command = command

    def __call__(self, record: Record[Any]) -> None:
        self._before(record)
        if record.request_id >= 0 and self._tasks.get(record.key) is not None:
            request = HeldRequest(record.request_stream_id, record.request_id, int(self._command))
            self._tasks.put_held_request(record.key, request)


class UserTaskAssigningV3(_HoldRequestV3):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, UserTaskAssigningV2(state), UserTaskIntent.ASSIGN)


class UserTaskClaimingV3(_HoldRequestV3):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, UserTaskClaimingV2(state), UserTaskIntent.CLAIM)


class UserTaskUpdatingV3(_HoldRequestV3):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, UserTaskUpdatingV2(state), UserTaskIntent.UPDATE)


class UserTaskCompletingV3(_HoldRequestV3):
    def __init__(self, state: MutableProcessingState) -> None:
        super().__init__(state, UserTaskCompletingV2(state), UserTaskIntent.COMPLETE)


def _clear_listener_index(instances: Any, element_instance_key: int, event_type: str) -> None:
    instance = instances.get(element_instance_key)
    if instance is not None and index_key(event_type) in instance.extra:
        instances.put(_replace(instance, extra=without_index(instance.extra, event_type)))


def register_task_listener_events(appliers: EventAppliers, state: MutableProcessingState) -> None:
    """The USER_TASK events of user task listeners, and the versions they brought."""
    task = ValueType.USER_TASK
    appliers.register(task, UserTaskIntent.COMPLETING, UserTaskCompletingV2(state), version=2)
    appliers.register(task, UserTaskIntent.ASSIGNED, UserTaskAssignedV2(state), version=2)
    appliers.register(task, UserTaskIntent.CORRECTED, UserTaskCorrectedV1(state))
    appliers.register(task, UserTaskIntent.COMPLETION_DENIED, UserTaskCompletionDeniedV1(state))
    appliers.register(task, UserTaskIntent.ASSIGNING, UserTaskAssigningV2(state), version=2)
    appliers.register(task, UserTaskIntent.CLAIMING, UserTaskClaimingV2(state), version=2)
    appliers.register(task, UserTaskIntent.UPDATING, UserTaskUpdatingV2(state), version=2)
    appliers.register(task, UserTaskIntent.ASSIGNED, UserTaskAssignedV3(state), version=3)
    appliers.register(task, UserTaskIntent.UPDATED, UserTaskUpdatedV2(state), version=2)
    appliers.register(task, UserTaskIntent.ASSIGNMENT_DENIED, UserTaskAssignmentDeniedV1(state))
    appliers.register(task, UserTaskIntent.UPDATE_DENIED, UserTaskUpdateDeniedV1(state))
    appliers.register(task, UserTaskIntent.COMPLETION_DENIED, UserTaskCompletionDeniedV2(state), version=2)
    appliers.register(task, UserTaskIntent.ASSIGNING, UserTaskAssigningV3(state), version=3)
    appliers.register(task, UserTaskIntent.CLAIMING, UserTaskClaimingV3(state), version=3)
    appliers.register(task, UserTaskIntent.UPDATING, UserTaskUpdatingV3(state), version=3)
    appliers.register(task, UserTaskIntent.COMPLETING, UserTaskCompletingV3(state), version=3)
