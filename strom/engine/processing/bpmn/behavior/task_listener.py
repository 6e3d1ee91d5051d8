"""User task listeners (``zeebe:taskListener``): jobs that run while a user task is in a transition.

As in Zeebe 8.8, a transition with listeners of its event type (``creating``, ``assigning``,
``completing``) stops in its intermediate state (CREATING, ASSIGNING, COMPLETING) and creates the
job (kind TASK_LISTENER, the event type on the job) of the first listener. Its completion writes
USER_TASK COMPLETE_TASK_LISTENER (DENY_TASK_LISTENER when the worker denied), which creates the
next listener's job or finishes the transition. The element instance counts the completed
listeners of each event type (``strom.engine.state.task_listener``); the counter of a
repeatable transition (assigning, updating, completing) is cleared when it ends or is denied.

A listener's job carries the element's custom headers and, as Zeebe's do, the task's attributes
under reserved headers (``io.camunda.zeebe:userTaskKey``, ``…:assignee``, ``…:candidateGroups``,
``…:candidateUsers``, ``…:dueDate``, ``…:followUpDate``, ``…:formKey``, ``…:priority``,
``…:action``, ``…:changedAttributes``), each only when set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.job import JobBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance_record import ElementInstance
from strom.engine.state.task_listener import index_key
from strom.model import TaskListener, TaskListenerEventType
from strom.protocol.values.enums import JobKind, JobListenerEventType
from strom.protocol.values.user_task import UserTaskRecordValue

_JOB_EVENT_TYPE = {
    TaskListenerEventType.CREATING: JobListenerEventType.CREATING,
    TaskListenerEventType.ASSIGNING: JobListenerEventType.ASSIGNING,
    TaskListenerEventType.UPDATING: JobListenerEventType.UPDATING,
    TaskListenerEventType.COMPLETING: JobListenerEventType.COMPLETING,
    TaskListenerEventType.CANCELING: JobListenerEventType.CANCELING,
}
_EVENT_TYPE = {job: event for event, job in _JOB_EVENT_TYPE.items()}
_HEADER = "io.camunda.zeebe:"


def _list_literal(items: Sequence[str]) -> str:
    """A list as Zeebe writes it into a header: ``["a","b"]``."""
    return json.dumps(list(items), separators=(",", ":"), ensure_ascii=False)


def listener_headers(
    element_headers: Mapping[str, str], task: UserTaskRecordValue, changed: Sequence[str]
) -> dict[str, str]:
    """The custom headers of a task listener's job: the element's, then the task's attributes."""
    headers = dict(element_headers)
    if task.assignee:
        headers[_HEADER + "assignee"] = task.assignee
    if task.candidate_groups_list:
        headers[_HEADER + "candidateGroups"] = _list_literal(task.candidate_groups_list)
    if task.candidate_users_list:
        headers[_HEADER + "candidateUsers"] = _list_literal(task.candidate_users_list)
    if task.due_date:
        headers[_HEADER + "dueDate"] = task.due_date
    if task.follow_up_date:
        headers[_HEADER + "followUpDate"] = task.follow_up_date
    if task.form_key > 0:
        headers[_HEADER + "formKey"] = str(task.form_key)
    if task.action:
        headers[_HEADER + "action"] = task.action
    if changed:
        headers[_HEADER + "changedAttributes"] = _list_literal(sorted(changed))
    if task.priority > 0:
        headers[_HEADER + "priority"] = str(task.priority)
    if task.user_task_key > 0:
        headers[_HEADER + "userTaskKey"] = str(task.user_task_key)
    return headers


def event_type_of(job_event_type: JobListenerEventType) -> TaskListenerEventType | None:
    return _EVENT_TYPE.get(job_event_type)


class TaskListenerBehavior:
    def __init__(self, state: ProcessingState, jobs: JobBehavior) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._jobs = jobs

    @staticmethod
    def listeners(context: ElementContext, event_type: TaskListenerEventType) -> tuple[TaskListener, ...]:
        definition = context.element.user_task
        if definition is None or not definition.task_listeners:
            return ()
        return tuple(listener for listener in definition.task_listeners if listener.event_type is event_type)

    def context_of(self, task: UserTaskRecordValue) -> ElementContext | None:
        """The element context of ``task``'s element instance, if it is still there."""
        instance = self._instances.get(task.element_instance_key)
        process = self._processes.by_key(task.process_definition_key)
        if instance is None or process is None:
            return None
        element = process.executable.flow_node(task.element_id)
        return ElementContext(instance.key, instance.value, element, process)

    @staticmethod
    def completed(instance: ElementInstance, event_type: TaskListenerEventType) -> int:
        """How many listeners of ``event_type`` completed in the current transition."""
        return int(instance.extra.get(index_key(_JOB_EVENT_TYPE[event_type].value), 0))

    def next(
        self,
        writers: Writers,
        context: ElementContext,
        event_type: TaskListenerEventType,
        index: int,
        task: UserTaskRecordValue,
        changed: Sequence[str] = (),
    ) -> bool | Failure:
        """Create the job of listener ``index`` of ``event_type`` for ``task`` (``changed``: the
        attributes the transition changes): True if there is one, False when every listener is
        done (the transition may finish)."""
        listeners = self.listeners(context, event_type)
        if index >= len(listeners):
            return False
        failure = self._jobs.create(
            writers,
            context,
            listeners[index].job,
            listener_headers(context.element.task_headers, task, changed),
            kind=JobKind.TASK_LISTENER,
            listener_event_type=_JOB_EVENT_TYPE[event_type],
        )
        return True if failure is None else failure
