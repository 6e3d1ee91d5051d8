"""JOB COMPLETE: the job's element goes on, with the worker's variables merged into the process.

An ad-hoc sub-process's job (kind ``AD_HOC_SUB_PROCESS``) does not complete its element: its
result becomes AD_HOC_SUB_PROCESS_INSTRUCTION commands on the sub-process, ACTIVATE for the
``activateElements`` and COMPLETE when ``isCompletionConditionFulfilled``, as Zeebe 8.8's
``JobCompleteProcessor`` writes them; the worker's variables are merged from the sub-process's
scope (propagated).

A user task listener's job (kind ``TASK_LISTENER``) continues its task's transition with USER_TASK
COMPLETE_TASK_LISTENER (its result's ``corrections`` on the task) or, when its result says
``denied``, DENY_TASK_LISTENER.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.ad_hoc_sub_process_instruction.activate import java_list
from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.job._preconditions import JobPreconditions
from strom.engine.processing.user_task.complete_task_listener import CORRECTABLE
from strom.engine.processing.user_task.listener_result import listener_result_problem
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.protocol.enums import RejectionType
from strom.protocol.intents import (
    AdHocSubProcessInstructionIntent,
    JobIntent,
    ProcessInstanceIntent,
    UserTaskIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.ad_hoc_sub_process import (
    AdHocSubProcessActivateElementInstructionValue,
    AdHocSubProcessInstructionRecordValue,
)
from strom.protocol.values.enums import JobKind, JobListenerEventType
from strom.protocol.values.job import JobRecordValue, JobResultValue


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
        self._user_tasks = state.user_tasks

    def process(self, command: Record[Any], writers: Writers) -> None:
        job = self._preconditions.check(command, "complete", writers)
        if job is None:
            return
        result = command.value.result
        if job.job_kind is JobKind.AD_HOC_SUB_PROCESS and not self._ad_hoc_result_valid(
            command, job, result, writers
        ):
            return
        if job.job_kind is JobKind.TASK_LISTENER:
            problem = listener_result_problem(command, job, self._processes)
            if problem is not None:
                writers.reject(command, *problem)
                return
        variables = command.value.variables
        completed = msgspec.structs.replace(job, variables=variables, result=result)
        writers.respond(writers.append_event(command.key, JobIntent.COMPLETED, completed))
        instance = self._instances.get(job.element_instance_key)
        if instance is None:
            return
        if job.job_kind is JobKind.EXECUTION_LISTENER:
            self._continue_after_listener(writers, job, instance, variables)
            return
        if job.job_kind is JobKind.TASK_LISTENER:
            self._continue_after_task_listener(writers, instance, result)
            return
        if job.job_kind is JobKind.AD_HOC_SUB_PROCESS:
            self._instruct_ad_hoc_sub_process(writers, job, instance, result, variables)
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

    def _ad_hoc_result_valid(
        self, command: Record[Any], job: JobRecordValue, result: JobResultValue, writers: Writers
    ) -> bool:
        """Zeebe's checks of an ad-hoc sub-process job's result: the elements exist, the
        sub-process is active, no activations once the completion condition is fulfilled."""
        key = job.element_instance_key
        element_ids = [element.element_id for element in result.activate_elements]
        process = self._processes.by_key(job.process_definition_key)
        element = process.executable.elements.get(job.element_id) if process is not None else None
        ad_hoc = getattr(element, "ad_hoc", None)
        known = ad_hoc.activity_ids if ad_hoc is not None else ()
        unknown = [element_id for element_id in element_ids if element_id not in known]
        if unknown:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to activate activities for ad-hoc sub-process with key '{key}', but the "
                f"given elements {java_list(unknown)} do not exist.",
            )
            return False
        instance = self._instances.get(key)
        if instance is not None and not instance.is_active:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                "Expected to complete ad-hoc sub-process job, but the ad-hoc sub-process instance is "
                f"not active (job key '{command.key}', type '{job.type}', processInstanceKey "
                f"'{job.process_instance_key}')",
            )
            return False
        if element_ids and result.completion_condition_fulfilled:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected to complete ad-hoc sub-process job, but the job result contains elements to "
                "be activated while the completion condition is fulfilled "
                f"(job key '{key}'). When the completion condition is fulfilled, no further element "
                "activations are allowed. Either remove the elements to be activated from the job "
                "result, or set the completion condition to not fulfilled.",
            )
            return False
        return True

    def _instruct_ad_hoc_sub_process(
        self,
        writers: Writers,
        job: JobRecordValue,
        instance: ElementInstance,
        result: JobResultValue,
        variables: dict[str, Any],
    ) -> None:
        instruction = AdHocSubProcessInstructionRecordValue(
            ad_hoc_sub_process_instance_key=instance.key,
            activate_elements=[
                AdHocSubProcessActivateElementInstructionValue(
                    element_id=element.element_id, variables=element.variables
                )
                for element in result.activate_elements
            ],
            cancel_remaining_instances=result.cancel_remaining_instances,
            tenant_id=job.tenant_id,
            completion_condition_fulfilled=result.completion_condition_fulfilled,
        )
        if instruction.activate_elements:
            writers.append_command(instance.key, AdHocSubProcessInstructionIntent.ACTIVATE, instruction)
        if result.completion_condition_fulfilled:
            writers.append_command(instance.key, AdHocSubProcessInstructionIntent.COMPLETE, instruction)
        if variables:
            owner = VariableOwner(
                job.process_instance_key, job.process_definition_key, job.bpmn_process_id, job.tenant_id
            )
            self._variables.merge_propagate(writers, instance.key, variables, owner)

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

    def _continue_after_task_listener(
        self, writers: Writers, instance: ElementInstance, result: JobResultValue
    ) -> None:
        """The user task's transition goes on (COMPLETE_TASK_LISTENER, with the corrections on
        the task) or is denied (DENY_TASK_LISTENER)."""
        task_key = instance.user_task_key
        task = self._user_tasks.get(task_key)
        if task is None:
            return
        if result.denied:
            denied = msgspec.structs.replace(task, denied_reason=result.denied_reason)
            writers.append_command(task_key, UserTaskIntent.DENY_TASK_LISTENER, denied)
            return
        corrected = [name for name in result.corrected_attributes if name in CORRECTABLE]
        corrections = result.corrections
        changes = {CORRECTABLE[name]: getattr(corrections, CORRECTABLE[name]) for name in corrected}
        value = msgspec.structs.replace(task, **changes, changed_attributes=corrected)
        writers.append_command(task_key, UserTaskIntent.COMPLETE_TASK_LISTENER, value)

    def _has_output_mappings(self, value: Any) -> bool:
        process = self._processes.by_key(value.process_definition_key)
        element = process.executable.elements.get(value.element_id) if process is not None else None
        io = getattr(element, "io_mappings", None)
        return bool(io is not None and io.outputs)
