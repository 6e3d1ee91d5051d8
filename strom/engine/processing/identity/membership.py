"""GROUP, ROLE and TENANT ADD_ENTITY / REMOVE_ENTITY (Zeebe's ``GroupAddEntityProcessor``,
``RoleRemoveEntityProcessor``, ``TenantAddEntityProcessor`` …): one class per command, one instance
per value type (``_kinds``).

The entity is named by ``entity_id`` and ``entity_type``. Users and clients need not exist (as in
Zeebe 8.8: a user or client may be known only from a token); mapping rules, groups and roles must.
Which entity types a group, role or tenant takes is ``EntityKind.members``; another type is an
INVALID_ARGUMENT.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.identity._kinds import EntityKind
from strom.engine.processing.identity._support import Accepted, Decision, IdentityCommands, Rejected
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.identity import Membership
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.identity import EntityType
from strom.stream.key_generator import KeyGenerator


class _MembershipProcessor:
    _verb = ""

    def __init__(
        self, kind: EntityKind, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator
    ) -> None:
        self._kind = kind
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)

    def _invalid(self, value: Any) -> Rejected | None:
        kind = self._kind
        target = f"{kind.noun} with ID '{kind.id_of(value)}'"
        preposition = "to" if self._verb == "add" else "from"
        if value.entity_type not in kind.members:
            allowed = ", ".join(member.value for member in kind.members)
            return Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to {self._verb} an entity of type '{value.entity_type}' {preposition} "
                f"{target}, but the entityType must be one of {allowed}",
            )
        if not value.entity_id:
            return Rejected(
                RejectionType.INVALID_ARGUMENT,
                f"Expected to {self._verb} an entity {preposition} {target}, but no entityId was provided",
            )
        return None

    def _exists(self, entity_type: EntityType, entity_id: str) -> bool:
        if entity_type is EntityType.MAPPING_RULE:
            return self._identity.mapping_rule(entity_id) is not None
        if entity_type is EntityType.GROUP:
            return self._identity.group(entity_id) is not None
        if entity_type is EntityType.ROLE:
            return self._identity.role(entity_id) is not None
        return True

    def _text(self, template: str, value: Any) -> str:
        return template.format(
            noun=self._kind.noun,
            id=self._kind.id_of(value),
            entity_id=value.entity_id,
            entity_type=value.entity_type,
            entity=str(value.entity_type).lower(),
        )

    def _membership(self, value: Any) -> Membership:
        return Membership(self._kind.relation, self._kind.id_of(value), value.entity_type, value.entity_id)


class EntityAddProcessor(_MembershipProcessor):
    _verb = "add"

    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: Any, distributed: bool) -> Decision:
        kind = self._kind
        invalid = None if distributed else self._invalid(value)
        if invalid is not None:
            return invalid
        stored = kind.stored(self._identity, kind.id_of(value))
        if stored is None:
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.add_missing, value))
        if not self._exists(value.entity_type, value.entity_id):
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.add_entity_missing, value))
        if self._identity.is_member(self._membership(value)):
            return Rejected(RejectionType.ALREADY_EXISTS, self._text(kind.add_assigned, value))
        key = kind.key_of(stored)
        return Accepted(key, kind.intent("ENTITY_ADDED"), kind.with_key(value, key))


class EntityRemoveProcessor(_MembershipProcessor):
    _verb = "remove"

    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: Any, distributed: bool) -> Decision:
        kind = self._kind
        invalid = None if distributed else self._invalid(value)
        if invalid is not None:
            return invalid
        stored = kind.stored(self._identity, kind.id_of(value))
        if stored is None:
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.remove_missing, value))
        if not self._exists(value.entity_type, value.entity_id):
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.remove_entity_missing, value))
        if not self._identity.is_member(self._membership(value)):
            return Rejected(RejectionType.NOT_FOUND, self._text(kind.remove_unassigned, value))
        key = kind.key_of(stored)
        return Accepted(key, kind.intent("ENTITY_REMOVED"), kind.with_key(value, key))
