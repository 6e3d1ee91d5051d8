"""PROCESS_INSTANCE CANCEL: terminate the whole instance (every active element, their jobs)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceIntent
from strom.protocol.record import Record


class ProcessInstanceCancelProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._instances = state.element_instances

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        instance = self._instances.get(key)
        if instance is None or instance.value.bpmn_element_type is not BpmnElementType.PROCESS:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to cancel a process instance with key '{key}', but no such process was found",
            )
            return
        if instance.value.parent_process_instance_key > 0:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to cancel a process instance with key '{key}', but it is created by "
                f"a parent process instance. Cancel the root process instance "
                f"'{instance.value.parent_process_instance_key}' instead.",
            )
            return
        if instance.is_terminating:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to cancel a process instance with key '{key}', but it is already being canceled",
            )
            return
        canceling = writers.append_event(key, ProcessInstanceIntent.CANCELING, instance.value)
        writers.append_command(key, ProcessInstanceIntent.TERMINATE_ELEMENT, instance.value)
        writers.respond(canceling)
