"""VARIABLE_DOCUMENT UPDATE (SetVariables): merge a document into an element instance's scope,
locally or with propagation."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.variable import VariableOwner
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import VariableDocumentIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.stream.key_generator import KeyGenerator


class VariableDocumentUpdateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._instances = state.element_instances
        self._variables = behaviors.variables
        self._keys = keys

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
        value = instance.value
        owner = VariableOwner(
            value.process_instance_key, value.process_definition_key, value.bpmn_process_id, value.tenant_id
        )
        if request.update_semantics == VariableDocumentUpdateSemantic.LOCAL:
            self._variables.merge_local(writers, scope_key, request.variables, owner)
        else:
            self._variables.merge_propagate(writers, scope_key, request.variables, owner)
        writers.respond(writers.append_event(self._keys.next_key(), VariableDocumentIntent.UPDATED, request))
