"""USER_TASK COMPLETE: the task is done; its variables go to the process and the element completes.

Like a job completion: with output mappings the variables become the element's local variables
(for the mappings to read), otherwise they are merged upward from the element's scope.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.user_task._preconditions import UserTaskPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import ProcessInstanceIntent, UserTaskIntent
from strom.protocol.record import Record


class UserTaskCompleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._preconditions = UserTaskPreconditions(state.user_tasks)
        self._instances = state.element_instances
        self._processes = state.processes
        self._variables = behaviors.variables

    def process(self, command: Record[Any], writers: Writers) -> None:
        task = self._preconditions.check(command, "complete", writers)
        if task is None:
            return
        request = command.value
        variables = request.variables
        completed = msgspec.structs.replace(task, variables=variables, action=request.action or "complete")
        writers.append_event(command.key, UserTaskIntent.COMPLETING, completed)
        writers.respond(writers.append_event(command.key, UserTaskIntent.COMPLETED, completed))
        instance = self._instances.get(task.element_instance_key)
        if instance is None or not instance.is_active:
            return
        scope = self._instances.get(instance.value.flow_scope_key)
        if scope is None or not scope.is_active:
            return
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
