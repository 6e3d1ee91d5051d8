"""PROCESS_INSTANCE_BATCH ACTIVATE: activate the next inner instance of a parallel
multi-instance body, then ask for the rest in a follow-up command (Zeebe's way of keeping each
step small however long the input collection is); ACTIVATED when none is left."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceBatchIntent, ProcessInstanceIntent
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator


class ProcessInstanceBatchActivateProcessor:
    def __init__(self, state: ProcessingState, keys: KeyGenerator) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        body = self._instances.get(request.batch_element_instance_key)
        if body is None:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                "Expected to activate child for batch element instance, but no parent element "
                f"instance found for key '{request.batch_element_instance_key}'. The parent was likely "
                "terminated before processing this batch activation.",
            )
            return
        remaining = request.index
        if remaining > 0 and body.is_active:
            process = self._processes.by_key(body.value.process_definition_key)
            if process is not None:
                inner = process.executable.flow_node(body.value.element_id)
                writers.append_command(
                    self._keys.next_key(),
                    ProcessInstanceIntent.ACTIVATE_ELEMENT,
                    msgspec.structs.replace(
                        body.value,
                        flow_scope_key=body.key,
                        bpmn_element_type=inner.element_type,
                        bpmn_event_type=inner.event_type,
                    ),
                )
        else:
            remaining = 0
        if remaining - 1 > 0:
            writers.append_command(
                self._keys.next_key(),
                ProcessInstanceBatchIntent.ACTIVATE,
                msgspec.structs.replace(request, index=remaining - 1),
            )
        else:
            writers.append_event(command.key, ProcessInstanceBatchIntent.ACTIVATED, request)
