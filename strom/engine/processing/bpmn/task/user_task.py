"""User task: a Camunda user task (``zeebe:userTask``) lives as USER_TASK records — created when
the element activates, completed through USER_TASK COMPLETE, canceled when the element is
terminated; task listeners hold its creating, assigning, updating, completing and canceling
transitions (``user_task._transitions``); without the marker it is job-based (job type
``io.camunda.zeebe:userTask``)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.task.job_worker_task import JobWorkerTaskProcessor
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import TaskListenerEventType


def _is_camunda_user_task(context: ElementContext) -> bool:
    definition = context.element.user_task
    return definition is not None and definition.is_zeebe_user_task


class UserTaskProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._job_worker = JobWorkerTaskProcessor(state, behaviors)
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._user_tasks = behaviors.user_tasks
        self._events = behaviors.event_subscriptions
        self._task_transitions = UserTaskTransitions(state, behaviors)

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        if not _is_camunda_user_task(context):
            return self._job_worker.on_activate(writers, context)
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        definition = context.element.user_task
        if definition is None or not definition.is_zeebe_user_task:
            return self._job_worker.finalize_activation(writers, context)
        props = self._user_tasks.evaluate(context, definition)
        if isinstance(props, Failure):
            return props
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        if self._task_transitions.listeners.listeners(context, TaskListenerEventType.CREATING):
            # Zeebe 8.8: the element is ACTIVATED while creating listeners hold the task in CREATING
            _, task = self._user_tasks.creating(writers, context, props)
            started = self._task_transitions.listeners.next(
                writers, context, TaskListenerEventType.CREATING, 0, task
            )
            if isinstance(started, Failure):
                return started
            self._transitions.activated(writers, context)
            return None
        key, task = self._user_tasks.create(writers, context, props)
        self._transitions.activated(writers, context)
        if props.assignee:
            assigned = self._task_transitions.assign(writers, context, key, task, props.assignee)
            if isinstance(assigned, Failure):
                return assigned
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._job_worker.finalize_completion(writers, context)

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        """As Zeebe 8.8: a listener's job under way is canceled, the task goes CANCELING; its
        canceling listeners hold the element in TERMINATING (the last one writes
        CONTINUE_TERMINATING_ELEMENT), otherwise the task is CANCELED and the element TERMINATED."""
        if not _is_camunda_user_task(context):
            self._job_worker.on_terminate(writers, context)
            return
        self._leaving.leave_terminated(writers, context, held_by=self._cancel_task)

    def _cancel_task(self, writers: Writers, context: ElementContext) -> bool:
        """The task goes CANCELING; True while its canceling listeners hold the termination (or
        their job could not be created: an incident on the element)."""
        instance = self._instances.get(context.key)
        if instance is None:
            return False
        held = self._task_transitions.cancel(writers, context, instance.user_task_key)
        if isinstance(held, Failure):
            self._task_transitions.raise_incident(writers, held, context)
            return True
        return held

    def finalize_termination(self, writers: Writers, context: ElementContext) -> None:
        self._transitions.end_terminated(writers, context)
