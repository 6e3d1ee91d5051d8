"""The user task transitions that task listeners can hold up: creating, assigning (and claiming),
updating, completing and canceling.

Each starts with its intermediate event (CREATING, ASSIGNING / CLAIMING, UPDATING, COMPLETING,
CANCELING); with listeners of its event type it waits there for their jobs
(``TaskListenerBehavior``), otherwise, or once the last listener completed, it finishes (CREATED,
ASSIGNED, UPDATED, COMPLETED, CANCELED) — Zeebe 8.8's ``BpmnUserTaskBehavior`` and
``UserTaskProcessor`` together. Shared by the USER_TASK command processors and the user task
element processor. A finished assignment or update names in ``changedAttributes`` what differs
from the task before it (the request's changes and the listeners' corrections).

Variables set on the task's own scope (VARIABLE_DOCUMENT UPDATE, local) whose task has updating
listeners are an update too (``update_variables``): VARIABLE_DOCUMENT UPDATING, USER_TASK
UPDATING naming ``variables``, the listeners' jobs; the variables are written only once the last
listener is done (USER_TASK UPDATED, VARIABLE_DOCUMENT UPDATED), and a denial drops them
(USER_TASK and VARIABLE_DOCUMENT UPDATE_DENIED) — Zeebe 8.8's ``VariableDocumentUpdateProcessor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.task_listener import TaskListenerBehavior
from strom.engine.processing.bpmn.behavior.user_task import ASSIGNEE
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.user_task import HeldRequest, LifecycleState
from strom.model import TaskListenerEventType
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.intents import ProcessInstanceIntent, UserTaskIntent, VariableDocumentIntent
from strom.protocol.record import Record
from strom.protocol.records import UserTaskRecord, VariableDocumentRecord
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.protocol.values.variable import VariableDocumentRecordValue

_replace = msgspec.structs.replace
Outcome = Record[UserTaskRecordValue] | Failure
"""The record to answer a request with, or the failure to raise an incident for."""

ATTRIBUTES = {
    "assignee": "assignee",
    "candidateGroupsList": "candidate_groups_list",
    "candidateUsersList": "candidate_users_list",
    "dueDate": "due_date",
    "followUpDate": "follow_up_date",
    "priority": "priority",
}
"""Zeebe's names of the attributes a transition or a listener changes, and their record fields."""

VARIABLES = "variables"
"""The attribute an update by variables set on the task's scope names as changed."""


def changed_between(before: UserTaskRecordValue, after: UserTaskRecordValue) -> list[str]:
    """The attributes whose values differ between ``before`` and ``after``."""
    return [name for name, field in ATTRIBUTES.items() if getattr(before, field) != getattr(after, field)]


def held_rejection(
    key: int, task: UserTaskRecordValue, held: HeldRequest, reason: str
) -> Record[UserTaskRecordValue]:
    """The rejection (INVALID_STATE) a held request is answered with when its transition is
    denied or the task canceled; it is not written to the log, as in Zeebe."""
    return UserTaskRecord(
        key=key,
        record_type=RecordType.COMMAND_REJECTION,
        intent=held.intent,
        rejection_type=RejectionType.INVALID_STATE,
        rejection_reason=reason,
        value=task,
    )


def document_rejection(
    document_key: int, document: VariableDocumentRecordValue, reason: str
) -> Record[VariableDocumentRecordValue]:
    """The rejection (INVALID_STATE) of the VARIABLE_DOCUMENT UPDATE whose update of the task was
    denied or canceled; answered, not written, as in Zeebe."""
    return VariableDocumentRecord(
        key=document_key,
        record_type=RecordType.COMMAND_REJECTION,
        intent=VariableDocumentIntent.UPDATE,
        rejection_type=RejectionType.INVALID_STATE,
        rejection_reason=reason,
        value=document,
    )


class UserTaskTransitions:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._tasks = state.user_tasks
        self._variables = behaviors.variables
        self._incidents = behaviors.incidents
        self._user_tasks = behaviors.user_tasks
        self.listeners = TaskListenerBehavior(state, behaviors.jobs)

    def raise_incident(self, writers: Writers, failure: Failure, context: ElementContext) -> None:
        """A listener job that cannot be created: an incident on the task's element."""
        self._incidents.raise_for_element(writers, failure, context)

    def _begin(
        self,
        writers: Writers,
        context: ElementContext | None,
        key: int,
        intent: UserTaskIntent,
        task: UserTaskRecordValue,
        event_type: TaskListenerEventType,
        changed: Sequence[str] = (),
        request: Record[Any] | None = None,
    ) -> bool | Failure:
        """The intermediate event, and the first listener's job of ``event_type``: True if
        listeners hold the transition (the event keeps ``request``'s ids, to answer it when the
        transition ends), False when it may finish at once."""
        listened = context is not None and bool(self.listeners.listeners(context, event_type))
        writers.append_event(key, intent, task, request=request if listened else None)
        if context is None or not listened:
            return False
        return self.listeners.next(writers, context, event_type, 0, task, changed)

    def _answer(self, writers: Writers, held: HeldRequest | None, record: Record[Any]) -> None:
        """Answer the request a listener held with the transition's last event."""
        if held is not None:
            writers.respond_to(held.request_stream_id, held.request_id, record)

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
        intent: UserTaskIntent = UserTaskIntent.ASSIGNING,
        request: Record[Any] | None = None,
    ) -> Outcome | None:
        """ASSIGNING (or CLAIMING); ASSIGNED unless assigning listeners hold it up (None: the
        request is answered when they are done)."""
        changed = [ASSIGNEE] if task.assignee != assignee else []
        assigning = _replace(
            task, assignee=assignee, changed_attributes=changed, action=action or task.action
        )
        held = self._begin(
            writers, context, key, intent, assigning, TaskListenerEventType.ASSIGNING, changed, request
        )
        if held is not False:
            return None if held is True else held
        return writers.append_event(key, UserTaskIntent.ASSIGNED, assigning)

    # -- updating ----------------------------------------------------------------------------------

    def update(
        self,
        writers: Writers,
        context: ElementContext | None,
        key: int,
        updating: UserTaskRecordValue,
        request: Record[Any] | None = None,
    ) -> Outcome | None:
        """UPDATING; UPDATED unless updating listeners hold it up (None: the request is answered
        when they are done)."""
        held = self._begin(
            writers,
            context,
            key,
            UserTaskIntent.UPDATING,
            updating,
            TaskListenerEventType.UPDATING,
            updating.changed_attributes,
            request,
        )
        if held is not False:
            return None if held is True else held
        return writers.append_event(key, UserTaskIntent.UPDATED, updating)

    def update_variables(
        self,
        writers: Writers,
        context: ElementContext,
        key: int,
        task: UserTaskRecordValue,
        document_key: int,
        command: Record[Any],
    ) -> Outcome | None:
        """VARIABLE_DOCUMENT UPDATING and the task's UPDATING with the document's variables,
        held by the updating listeners (the caller checked there are some): the variables are
        written when they are done (``_finish_with_diff``)."""
        writers.append_event(document_key, VariableDocumentIntent.UPDATING, command.value)
        updating = _replace(task, variables=command.value.variables, changed_attributes=[VARIABLES])
        return self.update(writers, context, key, updating, request=command)

    def _finish_with_diff(
        self, writers: Writers, key: int, intent: UserTaskIntent, task: UserTaskRecordValue
    ) -> Record[UserTaskRecordValue]:
        """ASSIGNED / UPDATED after listeners: ``changedAttributes`` is what differs from the
        task before the transition; the held request is answered with it."""
        before = self._tasks.before_transition(key)
        held = self._tasks.held_request(key)
        if before is not None:
            task = _replace(task, changed_attributes=changed_between(before, task))
        pending = self._tasks.pending_variables(key) if intent is UserTaskIntent.UPDATED else None
        if pending is not None:
            return self._finish_variables_update(
                writers, key, task, held, pending.document_key, pending.document
            )
        record = writers.append_event(key, intent, task)
        self._answer(writers, held, record)
        return record

    def _finish_variables_update(
        self,
        writers: Writers,
        key: int,
        task: UserTaskRecordValue,
        held: HeldRequest | None,
        document_key: int,
        document: VariableDocumentRecordValue,
    ) -> Record[UserTaskRecordValue]:
        """The updating listeners of variables set on the task's scope are done: the variables
        are written to that scope, then USER_TASK UPDATED and VARIABLE_DOCUMENT UPDATED, which
        answers the request (Zeebe's order)."""
        owner = VariableOwner(
            task.process_instance_key, task.process_definition_key, task.bpmn_process_id, task.tenant_id
        )
        self._variables.merge_local(writers, task.element_instance_key, document.variables, owner)
        changed = [*task.changed_attributes, VARIABLES]
        updated = writers.append_event(
            key,
            UserTaskIntent.UPDATED,
            _replace(task, variables=document.variables, changed_attributes=changed),
        )
        self._answer(
            writers, held, writers.append_event(document_key, VariableDocumentIntent.UPDATED, document)
        )
        return updated

    # -- completing --------------------------------------------------------------------------------

    def complete(
        self,
        writers: Writers,
        context: ElementContext | None,
        key: int,
        task: UserTaskRecordValue,
        request: Record[Any] | None = None,
    ) -> Outcome | None:
        """COMPLETING (the task keeps the variables); COMPLETED unless completing listeners hold
        it up (None: the request is answered when they are done)."""
        held = self._begin(
            writers,
            context,
            key,
            UserTaskIntent.COMPLETING,
            task,
            TaskListenerEventType.COMPLETING,
            request=request,
        )
        if held is not False:
            return None if held is True else held
        return self.finish_completing(writers, key, task)

    def finish_completing(
        self, writers: Writers, key: int, task: UserTaskRecordValue
    ) -> Record[UserTaskRecordValue]:
        """COMPLETED (answering a request completing listeners held); the variables go to the
        process (like a job's) and the element completes."""
        held = self._tasks.held_request(key)
        completed = writers.append_event(key, UserTaskIntent.COMPLETED, task)
        self._answer(writers, held, completed)
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

    # -- canceling ---------------------------------------------------------------------------------

    def cancel(self, writers: Writers, context: ElementContext, key: int) -> bool | Failure:
        """CANCELING for the task of a terminating element, then its canceling listeners: True
        while they hold the termination (the last one continues it, see ``finish_canceling``);
        False when the task is CANCELED (or there is none) and the element may terminate. A
        request listeners held is rejected, as Zeebe does."""
        if key <= 0 or self._tasks.lifecycle(key) in (LifecycleState.NOT_FOUND, LifecycleState.CANCELING):
            return False
        task = self._tasks.get(key)
        if task is None:
            return False
        held_request = self._tasks.held_request(key)
        if held_request is not None:
            reason = "user task was canceled during ongoing transition"
            pending = self._tasks.pending_variables(key)
            answer: Record[Any] = (
                held_rejection(key, task, held_request, reason)
                if pending is None
                else document_rejection(pending.document_key, pending.document, reason)
            )
            self._answer(writers, held_request, answer)
        held = self._begin(
            writers, context, key, UserTaskIntent.CANCELING, task, TaskListenerEventType.CANCELING
        )
        if held is not False:
            return held
        writers.append_event(key, UserTaskIntent.CANCELED, task)
        return False

    def finish_canceling(
        self, writers: Writers, key: int, task: UserTaskRecordValue
    ) -> Record[UserTaskRecordValue]:
        """CANCELED after the canceling listeners, and the element's termination goes on
        (CONTINUE_TERMINATING_ELEMENT), as in Zeebe 8.8."""
        canceled = writers.append_event(key, UserTaskIntent.CANCELED, task)
        instance = self._instances.get(task.element_instance_key)
        if instance is not None:
            writers.append_command(
                instance.key, ProcessInstanceIntent.CONTINUE_TERMINATING_ELEMENT, instance.value
            )
        return canceled

    # -- after a listener --------------------------------------------------------------------------

    def after_listener(
        self,
        writers: Writers,
        context: ElementContext,
        key: int,
        task: UserTaskRecordValue,
        event_type: TaskListenerEventType,
        index: int,
        corrected: Sequence[str] = (),
    ) -> Outcome | None:
        """The job of listener ``index`` of ``event_type``, or the end of the transition.
        The job names as changed what differs from the task before the transition (or, for
        creating / completing / canceling, what the listeners ``corrected``)."""
        before = self._tasks.before_transition(key)
        changed = changed_between(before, task) if before is not None else list(corrected)
        started = self.listeners.next(writers, context, event_type, index, task, changed)
        if isinstance(started, Failure):
            return started
        if started:
            return None
        if event_type is TaskListenerEventType.CREATING:
            return self.finish_creating(writers, context, key, task)
        if event_type is TaskListenerEventType.ASSIGNING:
            return self._finish_with_diff(writers, key, UserTaskIntent.ASSIGNED, task)
        if event_type is TaskListenerEventType.UPDATING:
            return self._finish_with_diff(writers, key, UserTaskIntent.UPDATED, task)
        if event_type is TaskListenerEventType.CANCELING:
            return self.finish_canceling(writers, key, task)
        return self.finish_completing(writers, key, task)
