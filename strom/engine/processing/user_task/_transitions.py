"""The user task transitions that task listeners can hold up: creating, assigning, completing.

Each starts with its intermediate event (CREATING, ASSIGNING, COMPLETING); with listeners of its
event type it waits there for their jobs (``TaskListenerBehavior``), otherwise, or once the last
listener completed, it finishes (CREATED, ASSIGNED, COMPLETED) — Zeebe 8.8's
``BpmnUserTaskBehavior`` and ``UserTaskProcessor`` together. Shared by the USER_TASK command
processors and the user task element processor.
"""

from __future__ import annotations

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.task_listener import TaskListenerBehavior
from strom.engine.processing.bpmn.behavior.user_task import ASSIGNEE
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import TaskListenerEventType
from strom.protocol.intents import ProcessInstanceIntent, UserTaskIntent
from strom.protocol.record import Record
from strom.protocol.values.user_task import UserTaskRecordValue

_replace = msgspec.structs.replace
Outcome = Record[UserTaskRecordValue] | Failure
"""The record to answer a request with, or the failure to raise an incident for."""


class UserTaskTransitions:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._variables = behaviors.variables
        self._incidents = behaviors.incidents
        self._user_tasks = behaviors.user_tasks
        self.listeners = TaskListenerBehavior(state, behaviors.jobs)

    def raise_incident(self, writers: Writers, failure: Failure, context: ElementContext) -> None:
        """A listener job that cannot be created: an incident on the task's element."""
        self._incidents.raise_for_element(writers, failure, context)

    def _start(
        self, writers: Writers, context: ElementContext | None, event_type: TaskListenerEventType
    ) -> bool | Failure:
        """The first listener's job of ``event_type``; False without listeners (or element)."""
        if context is None:
            return False
        return self.listeners.next(writers, context, event_type, 0)

    # -- creating ----------------------------------------------------------------------------------

    def finish_creating(
        self, writers: Writers, context: ElementContext, key: int, task: UserTaskRecordValue
    ) -> Outcome | None:
        """CREATED, then the assignment of the assignee the task was created with."""
        created = self._user_tasks.created(writers, key, task)
        if task.assignee:
            return self.assign(writers, context, key, created, task.assignee)
        return None

    # -- assigning ---------------------------------------------------------------------------------

    def assign(
        self,
        writers: Writers,
        context: ElementContext | None,
        key: int,
        task: UserTaskRecordValue,
        assignee: str,
        action: str = "",
    ) -> Outcome:
        """ASSIGNING; ASSIGNED unless assigning listeners hold it up."""
        changed = [ASSIGNEE] if task.assignee != assignee else []
        assigning = _replace(
            task, assignee=assignee, changed_attributes=changed, action=action or task.action
        )
        record = writers.append_event(key, UserTaskIntent.ASSIGNING, assigning)
        started = self._start(writers, context, TaskListenerEventType.ASSIGNING)
        if isinstance(started, Failure):
            return started
        if started:
            return record
        return writers.append_event(key, UserTaskIntent.ASSIGNED, assigning)

    # -- completing --------------------------------------------------------------------------------

    def complete(
        self, writers: Writers, context: ElementContext | None, key: int, task: UserTaskRecordValue
    ) -> Outcome:
        """COMPLETING (the task keeps the variables); COMPLETED unless completing listeners hold
        it up."""
        record = writers.append_event(key, UserTaskIntent.COMPLETING, task)
        started = self._start(writers, context, TaskListenerEventType.COMPLETING)
        if isinstance(started, Failure):
            return started
        if started:
            return record
        return self.finish_completing(writers, key, task)

    def finish_completing(
        self, writers: Writers, key: int, task: UserTaskRecordValue
    ) -> Record[UserTaskRecordValue]:
        """COMPLETED; the variables go to the process (like a job's) and the element completes."""
        completed = writers.append_event(key, UserTaskIntent.COMPLETED, task)
        instance = self._instances.get(task.element_instance_key)
        if instance is None or not instance.is_active:
            return completed
        scope = self._instances.get(instance.value.flow_scope_key)
        if scope is None or not scope.is_active:
            return completed
        variables = task.variables
        if variables:
            owner = VariableOwner(
                task.process_instance_key, task.process_definition_key, task.bpmn_process_id, task.tenant_id
            )
            process = self._processes.by_key(task.process_definition_key)
            element = process.executable.flow_node(task.element_id) if process is not None else None
            if element is not None and element.io_mappings.outputs:
                self._variables.merge_local(writers, instance.key, variables, owner)
            else:
                self._variables.merge_propagate(writers, instance.key, variables, owner)
        writers.append_command(instance.key, ProcessInstanceIntent.COMPLETE_ELEMENT, instance.value)
        return completed

    # -- after a listener --------------------------------------------------------------------------

    def after_listener(
        self,
        writers: Writers,
        context: ElementContext,
        key: int,
        task: UserTaskRecordValue,
        event_type: TaskListenerEventType,
        index: int,
    ) -> Outcome | None:
        """The job of listener ``index`` of ``event_type``, or the end of the transition."""
        started = self.listeners.next(writers, context, event_type, index)
        if isinstance(started, Failure):
            return started
        if started:
            return None
        if event_type is TaskListenerEventType.CREATING:
            return self.finish_creating(writers, context, key, task)
        if event_type is TaskListenerEventType.ASSIGNING:
            return writers.append_event(key, UserTaskIntent.ASSIGNED, task)
        return self.finish_completing(writers, key, task)
