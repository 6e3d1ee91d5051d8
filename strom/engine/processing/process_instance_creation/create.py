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
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected to create a process instance with start instructions, but start "
                "instructions are not supported by this version of Strom",
            )
            return
        instance_key = self._keys.next_key()
        owner = VariableOwner(instance_key, process.key, process.bpmn_process_id, process.record.tenant_id)
        if request.variables:
            self._variables.merge_local(writers, instance_key, request.variables, owner)
        writers.append_command(
            instance_key,
            ProcessInstanceIntent.ACTIVATE_ELEMENT,
            ProcessInstanceRecordValue(
                bpmn_process_id=process.bpmn_process_id,
                version=process.version,
                process_definition_key=process.key,
                process_instance_key=instance_key,
                element_id=process.bpmn_process_id,
                flow_scope_key=-1,
                bpmn_element_type=BpmnElementType.PROCESS,
                bpmn_event_type=BpmnEventType.UNSPECIFIED,
                tenant_id=process.record.tenant_id,
            ),
        )
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
            if process is None:
                writers.reject(
                    command,
                    RejectionType.NOT_FOUND,
                    f"Expected to find process definition with key "
                    f"'{request.process_definition_key}', but none found",
                )
            return process
        if not request.bpmn_process_id:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected either a bpmnProcessId or a processDefinitionKey, but none given",
            )
            return None
        if request.version > 0:
            process = self._processes.by_id_and_version(request.bpmn_process_id, request.version)
            if process is None:
                writers.reject(
                    command,
                    RejectionType.NOT_FOUND,
                    f"Expected to find process definition with process ID "
                    f"'{request.bpmn_process_id}' and version '{request.version}', but none found",
                )
            return process
        process = self._processes.latest(request.bpmn_process_id)
        if process is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find process definition with process ID "
                f"'{request.bpmn_process_id}', but none found",
            )
        return process
