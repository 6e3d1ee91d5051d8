"""The identity tables of the read model, kept from USER, GROUP, ROLE, TENANT, MAPPING_RULE and
AUTHORIZATION events (Camunda 8.8's exporters keep the same entities for its gateways).

Identity records are global: partition 1 decides them and distributes them to every other
partition, which writes the same events again. Only partition 1's exporter keeps these tables (as
Camunda's exporters do), so every change is written once and in the order partition 1 decided it.

Identity events are few (people, not process instances), so instead of the keyed row buffers of
the process tables each event becomes one statement, run in event order inside the exporter's
flush transaction: a user deleted and created again in one batch ends as the new user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    AuthorizationIntent,
    GroupIntent,
    MappingRuleIntent,
    RoleIntent,
    TenantIntent,
    UserIntent,
)
from strom.protocol.record import Record
from strom.search import schema

IDENTITY_PARTITION = 1
"""The partition whose exporter keeps the identity tables (where identity commands are decided)."""

Insert = Callable[[sa.Table], Any]
_Step = Callable[[Connection, Insert], None]


def _upsert(table: sa.Table, row: dict[str, Any], unique: str) -> _Step:
    """Insert ``row``, replacing the row with the same key; a row left with the same ``unique``
    column under another key (a read model that missed a deletion) is replaced too."""

    def step(connection: Connection, insert: Insert) -> None:
        connection.execute(sa.delete(table).where(table.c[unique] == row[unique], table.c.key != row["key"]))
        statement = insert(table).values(**row)
        updates = {column: statement.excluded[column] for column in row if column != "key"}
        connection.execute(statement.on_conflict_do_update(index_elements=["key"], set_=updates))

    return step


def _update(table: sa.Table, column: str, value: str, changes: dict[str, Any]) -> _Step:
    def step(connection: Connection, insert: Insert) -> None:
        connection.execute(sa.update(table).where(table.c[column] == value).values(**changes))

    return step


def _delete(table: sa.Table, **where: Any) -> _Step:
    def step(connection: Connection, insert: Insert) -> None:
        connection.execute(sa.delete(table).where(*(table.c[name] == value for name, value in where.items())))

    return step


def _member_added(row: dict[str, str]) -> _Step:
    def step(connection: Connection, insert: Insert) -> None:
        statement = insert(schema.identity_membership).values(**row)
        connection.execute(statement.on_conflict_do_nothing())

    return step


class IdentityExport:
    """Turns identity events into ordered statements; ``write`` runs them in the flush transaction."""

    def __init__(self) -> None:
        self._steps: list[_Step] = []
        self.handlers: dict[ValueType, Callable[[Record[Any]], None]] = {
            ValueType.USER: self._user,
            ValueType.GROUP: self._group,
            ValueType.ROLE: self._role,
            ValueType.TENANT: self._tenant,
            ValueType.MAPPING_RULE: self._mapping_rule,
            ValueType.AUTHORIZATION: self._authorization,
        }

    @property
    def pending(self) -> bool:
        return bool(self._steps)

    def write(self, connection: Connection, insert: Insert) -> None:
        for step in self._steps:
            step(connection, insert)

    def clear(self) -> None:
        self._steps.clear()

    # -- mapping -----------------------------------------------------------------------------------

    def _user(self, record: Record[Any]) -> None:
        value = record.value
        intent = record.intent
        table = schema.identity_user
        if intent == UserIntent.CREATED or intent == UserIntent.INITIAL_ADMIN_CREATED:
            row = {
                "key": value.user_key if value.user_key > 0 else record.key,
                "username": value.username,
                "name": value.name,
                "email": value.email,
                "password_hash": value.password,
            }
            self._steps.append(_upsert(table, row, "username"))
        elif intent == UserIntent.UPDATED:
            # The event holds the user as it now is (an update's empty fields kept the old ones).
            changes = {"name": value.name, "email": value.email}
            if value.password:
                changes["password_hash"] = value.password
            self._steps.append(_update(table, "username", value.username, changes))
        elif intent == UserIntent.DELETED:
            self._steps.append(_delete(table, username=value.username))

    def _group(self, record: Record[Any]) -> None:
        self._entity(record, GroupIntent, schema.identity_group, "GROUP", "group_id", record.value.group_key)

    def _role(self, record: Record[Any]) -> None:
        self._entity(record, RoleIntent, schema.identity_role, "ROLE", "role_id", record.value.role_key)

    def _tenant(self, record: Record[Any]) -> None:
        self._entity(
            record, TenantIntent, schema.identity_tenant, "TENANT", "tenant_id", record.value.tenant_key
        )

    def _entity(
        self, record: Record[Any], intents: Any, table: sa.Table, relation: str, id_field: str, key: int
    ) -> None:
        value = record.value
        entity_id: str = getattr(value, id_field)
        intent = record.intent
        if intent == intents.CREATED:
            row = {
                "key": key if key > 0 else record.key,
                id_field: entity_id,
                "name": value.name,
                "description": value.description,
            }
            self._steps.append(_upsert(table, row, id_field))
        elif intent == intents.UPDATED:
            changes = {"name": value.name, "description": value.description}
            self._steps.append(_update(table, id_field, entity_id, changes))
        elif intent == intents.DELETED:
            # The members left in ENTITY_REMOVED events before; what is left would be stale rows.
            self._steps.append(_delete(table, **{id_field: entity_id}))
            self._steps.append(
                _delete(schema.identity_membership, relation_type=relation, relation_id=entity_id)
            )
        elif intent == intents.ENTITY_ADDED:
            membership = {
                "relation_type": relation,
                "relation_id": entity_id,
                "entity_type": str(value.entity_type),
                "entity_id": value.entity_id,
            }
            self._steps.append(_member_added(membership))
        elif intent == intents.ENTITY_REMOVED:
            self._steps.append(
                _delete(
                    schema.identity_membership,
                    relation_type=relation,
                    relation_id=entity_id,
                    entity_type=str(value.entity_type),
                    entity_id=value.entity_id,
                )
            )

    def _mapping_rule(self, record: Record[Any]) -> None:
        value = record.value
        intent = record.intent
        table = schema.identity_mapping_rule
        if intent == MappingRuleIntent.CREATED:
            row = {
                "key": value.mapping_rule_key if value.mapping_rule_key > 0 else record.key,
                "mapping_rule_id": value.mapping_rule_id,
                "claim_name": value.claim_name,
                "claim_value": value.claim_value,
                "name": value.name,
            }
            self._steps.append(_upsert(table, row, "mapping_rule_id"))
        elif intent == MappingRuleIntent.UPDATED:
            changes = {"claim_name": value.claim_name, "claim_value": value.claim_value, "name": value.name}
            self._steps.append(_update(table, "mapping_rule_id", value.mapping_rule_id, changes))
        elif intent == MappingRuleIntent.DELETED:
            self._steps.append(_delete(table, mapping_rule_id=value.mapping_rule_id))

    def _authorization(self, record: Record[Any]) -> None:
        value = record.value
        intent = record.intent
        table = schema.identity_authorization
        key = value.authorization_key if value.authorization_key > 0 else record.key
        if intent in (AuthorizationIntent.CREATED, AuthorizationIntent.UPDATED):
            row = {
                "key": key,
                "owner_id": value.owner_id,
                "owner_type": str(value.owner_type),
                "resource_matcher": str(value.resource_matcher),
                "resource_type": str(value.resource_type),
                "resource_id": value.resource_id,
                "permission_types": json.dumps(sorted(str(p) for p in value.permission_types)),
            }
            self._steps.append(_upsert(table, row, "key"))
        elif intent == AuthorizationIntent.DELETED:
            self._steps.append(_delete(table, key=key))
