"""Element instances: the live tree of a process instance (process, subprocesses, tasks, events).

An instance is kept from ELEMENT_ACTIVATING until ELEMENT_COMPLETED / ELEMENT_TERMINATED. Its
flow scope counts its active children and the sequence flows taken inside it whose target has not
been activated yet; a scope may complete only when both are zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack
from strom.engine.state import column_families as cf
from strom.engine.state.element_instance_record import (
    ElementInstance,
    decode_element_instance,
    encode_element_instance,
)
from strom.protocol.bpmn import BpmnElementType


class ElementInstanceState(Protocol):
    """Read-only view used by processors."""

    def get(self, key: int) -> ElementInstance | None: ...
    def children(self, parent_key: int) -> Iterator[ElementInstance]: ...
    def child_keys(self, parent_key: int) -> list[int]: ...
    def taken_flows(self, scope_key: int, gateway_id: str) -> dict[str, int]: ...
    def tokens_in_scope(self, scope_key: int) -> Iterator[tuple[str, str, int]]: ...
    def has_process_instances(self, process_definition_key: int) -> bool: ...


class MutableElementInstanceState(ElementInstanceState, Protocol):
    def put(self, instance: ElementInstance) -> None: ...
    def create(self, instance: ElementInstance) -> None: ...
    def remove(self, instance: ElementInstance) -> None: ...
    def increment_taken_flow(self, scope_key: int, gateway_id: str, flow_id: str) -> None: ...
    def consume_taken_flows(self, scope_key: int, gateway_id: str, flow_ids: list[str]) -> int: ...
    def migrate(self, instance: ElementInstance) -> None: ...


class DbElementInstanceState:
    """Element instances by key, plus a parent → child index for tree walks."""

    def __init__(self, db: Database) -> None:
        self._instances = db.column_family(cf.ELEMENT_INSTANCES).keyed_by_entity()
        db.register_encoder(cf.ELEMENT_INSTANCES, encode_element_instance)
        self._children = db.column_family(cf.ELEMENT_CHILDREN)
        self._taken = db.column_family(cf.TAKEN_SEQUENCE_FLOWS).keyed_by_entity()
        # Marks scopes that ever got a join token: removing any other instance skips the scan.
        self._scopes_with_taken = db.column_family(cf.SCOPES_WITH_TAKEN_FLOWS).keyed_by_entity()
        self._by_definition = db.column_family(cf.PROCESS_INSTANCES_BY_DEFINITION)

    def get(self, key: int) -> ElementInstance | None:
        stored: Any = self._instances.get(pack_long(key))
        if stored is None or stored.__class__ is ElementInstance:
            return stored
        return decode_element_instance(stored)

    def children(self, parent_key: int) -> Iterator[ElementInstance]:
        for child_key in self.child_keys(parent_key):
            child = self.get(child_key)
            if child is not None:
                yield child

    def child_keys(self, parent_key: int) -> list[int]:
        return [int(unpack(key, (int, int))[1]) for key, _ in self._children.iterate(prefix(parent_key))]

    def taken_flows(self, scope_key: int, gateway_id: str) -> dict[str, int]:
        taken: dict[str, int] = {}
        for key, value in self._taken.iterate(prefix(scope_key, gateway_id)):
            flow_id = str(unpack(key, (int, str, str))[2])
            taken[flow_id] = int.from_bytes(value, "big")
        return taken

    def has_process_instances(self, process_definition_key: int) -> bool:
        """Whether an instance of the definition (root or called) is still running."""
        for _ in self._by_definition.iterate(prefix(process_definition_key)):
            return True
        return False

    def tokens_in_scope(self, scope_key: int) -> Iterator[tuple[str, str, int]]:
        """Tokens on sequence flows of the scope whose target is not activated yet, as
        ``(target id, flow id, count)``: in flight, or waiting at a joining gateway."""
        for key, value in self._taken.iterate(prefix(scope_key)):
            _, target_id, flow_id = unpack(key, (int, str, str))
            yield str(target_id), str(flow_id), int.from_bytes(value, "big")

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, instance: ElementInstance) -> None:
        # The object itself goes into the transaction (encoded once, at commit): an instance
        # changes several times per step.
        self._instances.put(pack_long(instance.key), instance)

    def create(self, instance: ElementInstance) -> None:
        self.put(instance)
        if instance.parent_key > 0:
            self._children.put(pack(instance.parent_key, instance.key), b"")
        if instance.value.bpmn_element_type is BpmnElementType.PROCESS:
            self._by_definition.put(pack(instance.value.process_definition_key, instance.key), b"")

    def remove(self, instance: ElementInstance) -> None:
        key = instance.key
        packed = pack_long(key)
        self._instances.delete(packed)
        if instance.parent_key > 0:
            self._children.delete(pack(instance.parent_key, key))
        if instance.value.bpmn_element_type is BpmnElementType.PROCESS:
            self._by_definition.delete(pack(instance.value.process_definition_key, key))
        if self._scopes_with_taken.get(packed) is not None:
            for taken_key, _ in list(self._taken.iterate(prefix(key))):
                self._taken.delete(taken_key)
            self._scopes_with_taken.delete(packed)

    def migrate(self, instance: ElementInstance) -> None:
        """Store ``instance`` with its new process definition; a process instance moves in the
        index of instances by definition."""
        previous = self.get(instance.key)
        self.put(instance)
        if instance.value.bpmn_element_type is not BpmnElementType.PROCESS or previous is None:
            return
        old_definition = previous.value.process_definition_key
        if old_definition != instance.value.process_definition_key:
            self._by_definition.delete(pack(old_definition, instance.key))
            self._by_definition.put(pack(instance.value.process_definition_key, instance.key), b"")

    def increment_taken_flow(self, scope_key: int, gateway_id: str, flow_id: str) -> None:
        self._scopes_with_taken.put(pack_long(scope_key), b"")
        key = pack(scope_key, gateway_id, flow_id)
        raw = self._taken.get(key)
        count = (int.from_bytes(raw, "big") if raw else 0) + 1
        self._taken.put(key, count.to_bytes(4, "big"))

    def consume_taken_flows(self, scope_key: int, gateway_id: str, flow_ids: list[str]) -> int:
        """Take one token off each of ``flow_ids`` that has one (its target was activated);
        returns how many were taken."""
        consumed = 0
        for flow_id in flow_ids:
            key = pack(scope_key, gateway_id, flow_id)
            raw = self._taken.get(key)
            if not raw:
                continue
            consumed += 1
            count = int.from_bytes(raw, "big") - 1
            if count > 0:
                self._taken.put(key, count.to_bytes(4, "big"))
            else:
                self._taken.delete(key)
        return consumed
