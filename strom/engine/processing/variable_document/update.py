"""VARIABLE_DOCUMENT UPDATE (SetVariables): merge a document into an element instance's scope,
locally or with propagation.

Set locally on a user task's element instance whose task has ``updating`` listeners, the
variables are an update of the task: they wait for the listeners (``UserTaskTransitions.
update_variables``) and the request is answered when they are done, as in Zeebe 8.8 (a task in
another transition is refused with Zeebe's INVALID_STATE text). Without such listeners the
variables are written at once, as before.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.user_task._transitions import UserTaskTransitions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance_record import ElementInstance
from strom.engine.state.user_task import LifecycleState
from strom.model import TaskListenerEventType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import VariableDocumentIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.stream.key_generator import KeyGenerator


class VariableDocumentUpdateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._instances = state.element_instances
        self._tasks = state.user_tasks
        self._variables = behaviors.variables
        self._keys = keys
        self._transitions = UserTaskTransitions(state, behaviors)

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        scope_key = request.scope_key
        instance = self._instances.get(scope_key)
        if instance is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to update variables for element with key '{scope_key}', but no such "
                "element was found",
            )
            return
        if request.update_semantics == VariableDocumentUpdateSemantic.LOCAL and self._held_by_listeners(
            command, instance, writers
        ):
            return
        value = instance.value
        owner = VariableOwner(
            value.process_instance_key, value.process_definition_key, value.bpmn_process_id, value.tenant_id
        )
        if request.update_semantics == VariableDocumentUpdateSemantic.LOCAL:
            self._variables.merge_local(writers, scope_key, request.variables, owner)
        else:
            self._variables.merge_propagate(writers, scope_key, request.variables, owner)
        writers.respond(writers.append_event(self._keys.next_key(), VariableDocumentIntent.UPDATED, request))

    def _held_by_listeners(self, command: Record[Any], instance: ElementInstance, writers: Writers) -> bool:
        """Whether the user task of ``instance`` has updating listeners, which then hold the
        update (or refuse it: the task is in another transition)."""
        task_key = instance.user_task_key
        task = self._tasks.get(task_key) if task_key > 0 else None
        if task is None:
            return False
        context = self._transitions.listeners.context_of(task)
        if context is None or not self._transitions.listeners.listeners(
            context, TaskListenerEventType.UPDATING
        ):
            return False
        lifecycle = self._tasks.lifecycle(task_key)
        if lifecycle is not LifecycleState.CREATED:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to trigger update transition for user task with key '{task_key}', but it "
                f"is in state '{lifecycle.name}'",
            )
            return True
        document_key = self._keys.next_key()
        outcome = self._transitions.update_variables(writers, context, task_key, task, document_key, command)
        if isinstance(outcome, Failure):
            self._transitions.raise_incident(writers, outcome, context)
        return True
