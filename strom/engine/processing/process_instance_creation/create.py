"""PROCESS_INSTANCE_CREATION CREATE and CREATE_WITH_AWAITING_RESULT.

The process is found by definition key, or by id and version (latest when the version is -1).
Variables become the instance's root-scope variables before the process element activates.
With awaiting result, the request is answered when the instance completes, not now.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceCreationIntent, ProcessInstanceIntent
from strom.protocol.record import Record
from strom.protocol.values.process_instance import ProcessInstanceRecordValue
from strom.stream.key_generator import KeyGenerator


class ProcessInstanceCreateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._processes = state.processes
        self._variables = behaviors.variables
        self._activation = behaviors.element_activation
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        process = self._find(command, writers)
        if process is None:
            return
        if process.executable.none_start_event is None and not request.start_instructions:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to create instance of process with none start event, but there is "
                f"no such event in process '{process.bpmn_process_id}'",
            )
            return
        if request.start_instructions:
            problem = _start_instruction_problem(process, request.start_instructions)
            if problem is not None:
                writers.reject(command, RejectionType.INVALID_ARGUMENT, problem)
                return
        instance_key = self._keys.next_key()
        owner = VariableOwner(instance_key, process.key, process.bpmn_process_id, process.record.tenant_id)
        if request.variables:
            self._variables.merge_local(writers, instance_key, request.variables, owner)
        root = ProcessInstanceRecordValue(
            bpmn_process_id=process.bpmn_process_id,
            version=process.version,
            process_definition_key=process.key,
            process_instance_key=instance_key,
            element_id=process.bpmn_process_id,
            flow_scope_key=-1,
            bpmn_element_type=BpmnElementType.PROCESS,
            bpmn_event_type=BpmnEventType.UNSPECIFIED,
            tenant_id=process.record.tenant_id,
        )
        if request.start_instructions:
            # the process is activated by events, and each element where it should start by a command
            for instruction in request.start_instructions:
                element = process.executable.flow_node(instruction.element_id)
                self._activation.activate(writers, root, process, element, -1, _no_variables)
        else:
            writers.append_command(instance_key, ProcessInstanceIntent.ACTIVATE_ELEMENT, root)
        created = msgspec.structs.replace(
            request,
            bpmn_process_id=process.bpmn_process_id,
            version=process.version,
            process_definition_key=process.key,
            process_instance_key=instance_key,
        )
        if command.intent == ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT:
            writers.append_event(
                self._keys.next_key(), ProcessInstanceCreationIntent.CREATED, created, request=command
            )
        else:
            writers.respond(
                writers.append_event(self._keys.next_key(), ProcessInstanceCreationIntent.CREATED, created)
            )

    def _find(self, command: Record[Any], writers: Writers) -> DeployedProcess | None:
        request = command.value
        if request.process_definition_key > 0:
            process = self._processes.by_key(request.process_definition_key)
            if process is None or process.tenant_id != request.tenant_id:
                writers.reject(
                    command,
                    RejectionType.NOT_FOUND,
                    f"Expected to find process definition with key "
                    f"'{request.process_definition_key}', but none found",
                )
                return None
            return process
        if not request.bpmn_process_id:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected either a bpmnProcessId or a processDefinitionKey, but none given",
            )
            return None
        if request.version > 0:
            process = self._processes.by_id_and_version(
                request.tenant_id, request.bpmn_process_id, request.version
            )
            if process is None:
                writers.reject(
                    command,
                    RejectionType.NOT_FOUND,
                    f"Expected to find process definition with process ID "
                    f"'{request.bpmn_process_id}' and version '{request.version}', but none found",
                )
            return process
        process = self._processes.latest(request.tenant_id, request.bpmn_process_id)
        if process is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find process definition with process ID "
                f"'{request.bpmn_process_id}', but none found",
            )
        return process


_UNSUPPORTED_START = (
    BpmnElementType.UNSPECIFIED,
    BpmnElementType.START_EVENT,
    BpmnElementType.SEQUENCE_FLOW,
    BpmnElementType.BOUNDARY_EVENT,
)


def _no_variables(element_id: str, scope_key: int) -> None:
    return None


def _start_instruction_problem(process: DeployedProcess, instructions: list[Any]) -> str | None:
    """Zeebe's checks of start instructions: the elements exist, are not inside a multi-instance
    subprocess, have a supported type and do not follow an event-based gateway."""
    executable = process.executable
    prefix = "Expected to create instance of process with start instructions but"
    for instruction in instructions:
        if not isinstance(executable.elements.get(instruction.element_id), FlowNode):
            return f"{prefix} no element found with id '{instruction.element_id}'."
    for instruction in instructions:
        scope_id = executable.flow_node(instruction.element_id).flow_scope_id
        while scope_id is not None:
            scope = executable.flow_node(scope_id)
            if scope.multi_instance is not None:
                return (
                    f"{prefix} the element with id '{instruction.element_id}' is inside a multi-instance "
                    "subprocess. The creation of elements inside a multi-instance subprocess is not "
                    "supported."
                )
            scope_id = scope.flow_scope_id
    for instruction in instructions:
        element_type = executable.flow_node(instruction.element_id).element_type
        if element_type in _UNSUPPORTED_START:
            supported = ", ".join(t.name for t in BpmnElementType if t not in _UNSUPPORTED_START)
            return (
                f"{prefix} the element with id '{instruction.element_id}' targets unsupported element type "
                f"'{element_type.name}'. Supported element types are: [{supported}]"
            )
    for instruction in instructions:
        element = executable.flow_node(instruction.element_id)
        if any(
            executable.flow_node(flow.source_id).element_type is BpmnElementType.EVENT_BASED_GATEWAY
            for flow in element.incoming
        ):
            return (
                f"{prefix} the element with id '{instruction.element_id}' belongs to an event-based gateway. "
                "The creation of elements belonging to an event-based gateway is not supported."
            )
    return None
