"""Writing variables the Zeebe way: local to a scope, or merged upward with propagation.

Propagation (job completion without output mappings, SetVariables, message variables): a variable
updates the nearest scope, from the given one upward, that already has it; a variable no scope
has is created in the process instance's root scope. Values equal to the stored ones write nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior.variable_owner import VariableOwner
from strom.engine.processing.writers import Writers
from strom.engine.state.variable import VariableState
from strom.protocol.intents import VariableIntent
from strom.protocol.values.variable import VariableRecordValue
from strom.stream.key_generator import KeyGenerator

__all__ = ["VariableBehavior", "VariableOwner", "to_json"]


def _enc_hook(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


_json = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")


def to_json(value: Any) -> bytes:
    """The JSON text Zeebe would store for ``value``: msgspec writes dates and times as ISO strings
    and durations (``timedelta``) as ISO 8601 durations itself."""
    return _json.encode(value)


class VariableBehavior:
    def __init__(self, variables: VariableState, keys: KeyGenerator) -> None:
        self._variables = variables
        self._keys = keys
        # told about every variable written (conditional events re-evaluate their conditions)
        self.on_changed: Callable[[Writers, VariableRecordValue, bool], None] | None = None

    def set_local(
        self, writers: Writers, scope_key: int, name: str, json: bytes, owner: VariableOwner
    ) -> None:
        """Create or update ``name`` in exactly ``scope_key``."""
        existing = self._variables.get_local(scope_key, name)
        if existing is None:
            self._write(writers, self._keys.next_key(), VariableIntent.CREATED, scope_key, name, json, owner)
        elif existing.json != json:
            self._write(writers, existing.key, VariableIntent.UPDATED, scope_key, name, json, owner)

    def merge_local(
        self, writers: Writers, scope_key: int, document: Mapping[str, Any], owner: VariableOwner
    ) -> None:
        for name, value in document.items():
            self.set_local(writers, scope_key, name, to_json(value), owner)

    def merge_propagate(
        self, writers: Writers, scope_key: int, document: Mapping[str, Any], owner: VariableOwner
    ) -> None:
        """Merge ``document`` starting at ``scope_key`` with Zeebe's propagation rule."""
        variables = self._variables
        for name, value in document.items():
            json = to_json(value)
            scope = scope_key
            target = None
            while scope > 0:
                existing = variables.get_local(scope, name)
                if existing is not None:
                    target = existing
                    break
                scope = variables.parent_scope(scope)
            if target is None:
                self._write(
                    writers,
                    self._keys.next_key(),
                    VariableIntent.CREATED,
                    owner.process_instance_key,
                    name,
                    json,
                    owner,
                )
            elif target.json != json:
                self._write(writers, target.key, VariableIntent.UPDATED, target.scope_key, name, json, owner)

    def _write(
        self,
        writers: Writers,
        key: int,
        intent: int,
        scope_key: int,
        name: str,
        json: bytes,
        owner: VariableOwner,
    ) -> None:
        variable = VariableRecordValue(
            name=name,
            value=json.decode(),
            scope_key=scope_key,
            process_instance_key=owner.process_instance_key,
            process_definition_key=owner.process_definition_key,
            bpmn_process_id=owner.bpmn_process_id,
            tenant_id=owner.tenant_id,
        )
        writers.append_event(key, intent, variable)
        on_changed = self.on_changed
        if on_changed is not None:
            on_changed(writers, variable, intent == VariableIntent.CREATED)
