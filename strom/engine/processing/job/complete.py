"""JOB COMPLETE: the job's element goes on, with the worker's variables merged into the process."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.protocol.intents import JobIntent, ProcessInstanceIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import JobKind, JobListenerEventType


class JobCompleteProcessor:
    """Job data from state, only the variables from the command.

    Without output mappings the variables are merged with propagation from the element's scope;
    with output mappings they become the element's local variables, for the mappings to read.
    """

    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._preconditions = JobPreconditions(state.jobs)
        self._variables = behaviors.variables

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "complete", writers)
        if job is None:
            return
        variables = command.value.variables
        completed = msgspec.structs.replace(job, variables=variables)
        writers.respond(writers.append_event(command.key, JobIntent.COMPLETED, completed))
        instance = self._instances.get(job.element_instance_key)
        if instance is None:
            return
        if job.job_kind is JobKind.EXECUTION_LISTENER:
            self._continue_after_listener(writers, job, instance, variables)
            return
        if not instance.is_active:
            return
        if variables:
            owner = VariableOwner(
                job.process_instance_key, job.process_definition_key, job.bpmn_process_id, job.tenant_id
            )
            if self._has_output_mappings(instance.value):
                self._variables.merge_local(writers, instance.key, variables, owner)
            else:
                self._variables.merge_propagate(writers, instance.key, variables, owner)
        writers.append_command(instance.key, ProcessInstanceIntent.COMPLETE_ELEMENT, instance.value)

    def _continue_after_listener(
        self, writers: Writers, job: Any, instance: ElementInstance, variables: dict[str, Any]
    ) -> None:
        """An execution listener's variables become local variables of the element (start
        listener) or of its flow scope (end listener); then the element's step goes on."""
        if instance.state not in (
            ProcessInstanceIntent.ELEMENT_ACTIVATING,
            ProcessInstanceIntent.ELEMENT_COMPLETING,
        ):
            return
        if variables:
            owner = VariableOwner(
                job.process_instance_key, job.process_definition_key, job.bpmn_process_id, job.tenant_id
            )
            scope = instance.key
            flow_scope = instance.value.flow_scope_key
            if job.job_listener_event_type is JobListenerEventType.END and flow_scope > 0:
                scope = flow_scope
            self._variables.merge_local(writers, scope, variables, owner)
        writers.append_command(
            instance.key, ProcessInstanceIntent.COMPLETE_EXECUTION_LISTENER, instance.value
        )

    def _has_output_mappings(self, value: Any) -> bool:
        process = self._processes.by_key(value.process_definition_key)
        element = process.executable.elements.get(value.element_id) if process is not None else None
        io = getattr(element, "io_mappings", None)
        return bool(io is not None and io.outputs)
