"""GROUP, ROLE and TENANT CREATE / UPDATE / DELETE (Zeebe's ``GroupCreateProcessor``,
``RoleUpdateProcessor``, ``TenantDeleteProcessor`` …): one class per command, one instance per
value type (``_kinds``).

A group, role or tenant is found by its id. An update replaces the name and the description
(the name is required). A deletion first removes its members, takes it out of the roles and
tenants it belongs to, and deletes the authorizations it holds.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.identity._cascade import deletion_cascade
from strom.engine.processing.identity._kinds import EntityKind
from strom.engine.processing.identity._support import (
    Accepted,
    Decision,
    IdentityCommands,
    Rejected,
    invalid_id,
    missing,
)
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.identity import EntityType
from strom.stream.key_generator import KeyGenerator

_BARE: dict[str, Any] = {"entity_id": "", "entity_type": EntityType.UNSPECIFIED}
"""A group, role or tenant as stored and as created: no membership fields."""


class _EntityProcessor:
    def __init__(
        self, kind: EntityKind, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator
    ) -> None:
        self._kind = kind
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)

    def _text(self, template: str, entity_id: str) -> str:
        return template.format(noun=self._kind.noun, id=entity_id)


class EntityCreateProcessor(_EntityProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=True)

    def _decide(self, value: Any, distributed: bool) -> Decision:
        kind = self._kind
        entity_id = kind.id_of(value)
        if not distributed:
            # Zeebe's default tenant id is not an identifier by the pattern, but it is a tenant id.
            default_tenant = kind.noun == "tenant" and entity_id == DEFAULT_TENANT_ID
            invalid = None if default_tenant else invalid_id("create", kind.noun, f"{kind.noun}Id", entity_id)
            invalid = invalid or missing("create", kind.noun, "name", value.name)
            if invalid is not None:
                return invalid
        if kind.stored(self._identity, entity_id) is not None:
            return Rejected(RejectionType.ALREADY_EXISTS, self._text(kind.already_exists, entity_id))
        if distributed:
            return Accepted(kind.key_of(value), kind.intent("CREATED"), value)
        key = self._commands.next_key()
        created = replace(kind.with_key(value, key), **_BARE)
        return Accepted(key, kind.intent("CREATED"), created)


class EntityUpdateProcessor(_EntityProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: Any, distributed: bool) -> Decision:
        kind = self._kind
        entity_id = kind.id_of(value)
        stored = kind.stored(self._identity, entity_id)
        if stored is None:
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.update_missing, entity_id))
        if distributed:
            return Accepted(kind.key_of(stored), kind.intent("UPDATED"), value)
        invalid = missing("update", kind.noun, "name", value.name)
        if invalid is not None:
            return invalid
        updated = replace(stored, name=value.name, description=value.description)
        return Accepted(kind.key_of(stored), kind.intent("UPDATED"), updated)


class EntityDeleteProcessor(_EntityProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: Any, distributed: bool) -> Decision:
        kind = self._kind
        entity_id = kind.id_of(value)
        stored = kind.stored(self._identity, entity_id)
        if stored is None:
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.delete_missing, entity_id))
        cascade = deletion_cascade(
            self._identity,
            kind.entity_type,
            entity_id,
            relation=kind.relation,
            owner_type=kind.owner_type,
        )
        return Accepted(kind.key_of(stored), kind.intent("DELETED"), stored, cascade)
