"""Groups, roles and tenants: one lifecycle, three value types, Zeebe's wording for each.

Zeebe has a processor class per (value type, intent); Strom has one per intent
(``membership.py``, ``entity.py``) and an instance per value type, told by an ``EntityKind``
what the value type's fields, state, members and rejection texts are. The texts are Zeebe 8.8's
(a tenant's read "no tenant with this ID exists" where a group's read "a group with this ID does
not exist").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from msgspec.structs import replace

from strom.engine.state.identity import IdentityState, Relation
from strom.protocol.enums import ValueType
from strom.protocol.intents import GroupIntent, RoleIntent, TenantIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    EntityType,
    GroupRecordValue,
    RoleRecordValue,
    TenantRecordValue,
)


@dataclass(frozen=True)
class EntityKind:
    noun: str
    value_type: ValueType
    intents: type[IntEnum]
    relation: Relation
    entity_type: EntityType
    owner_type: AuthorizationOwnerType | None
    """The owner type of the authorizations it holds (a tenant holds none)."""
    id_field: str
    key_field: str
    stored: Callable[[IdentityState, str], Any]
    members: tuple[EntityType, ...]
    """What can be a member; users and clients need not exist (they may come from a token)."""
    already_exists: str
    update_missing: str
    delete_missing: str
    add_missing: str
    remove_missing: str
    add_entity_missing: str
    add_assigned: str
    remove_entity_missing: str
    remove_unassigned: str

    def id_of(self, value: Any) -> str:
        return str(getattr(value, self.id_field))

    def key_of(self, value: Any) -> int:
        return int(getattr(value, self.key_field))

    def with_key(self, value: Any, key: int) -> Any:
        return replace(value, **{self.key_field: key})

    def intent(self, name: str) -> int:
        return int(self.intents[name])


_GROUP_ROLE_TEXTS = {
    "already_exists": "Expected to create {noun} with ID '{id}', but a {noun} with this ID already exists",
    "update_missing": "Expected to update {noun} with ID '{id}', but a {noun} with this ID does not exist",
    "delete_missing": "Expected to delete {noun} with ID '{id}', but a {noun} with this ID doesn't exist",
    "add_entity_missing": (
        "Expected to add an entity with ID '{entity_id}' and type '{entity_type}' to {noun} with ID "
        "'{id}', but the entity doesn't exist"
    ),
    "add_assigned": (
        "Expected to add entity with ID '{entity_id}' to {noun} with ID '{id}', but the entity is "
        "already assigned to this {noun}"
    ),
    "remove_entity_missing": (
        "Expected to remove an entity with ID '{entity_id}' and type '{entity_type}' from {noun} with "
        "ID '{id}', but the entity doesn't exist"
    ),
    "remove_unassigned": (
        "Expected to remove entity with ID '{entity_id}' from {noun} with ID '{id}', but the entity "
        "is not assigned to this {noun}"
    ),
}

GROUP = EntityKind(
    noun="group",
    value_type=ValueType.GROUP,
    intents=GroupIntent,
    relation=Relation.GROUP,
    entity_type=EntityType.GROUP,
    owner_type=AuthorizationOwnerType.GROUP,
    id_field="group_id",
    key_field="group_key",
    stored=lambda identity, group_id: identity.group(group_id),
    members=(EntityType.USER, EntityType.CLIENT, EntityType.MAPPING_RULE),
    add_missing=_GROUP_ROLE_TEXTS["update_missing"],
    remove_missing=_GROUP_ROLE_TEXTS["update_missing"],
    **_GROUP_ROLE_TEXTS,
)
ROLE = EntityKind(
    noun="role",
    value_type=ValueType.ROLE,
    intents=RoleIntent,
    relation=Relation.ROLE,
    entity_type=EntityType.ROLE,
    owner_type=AuthorizationOwnerType.ROLE,
    id_field="role_id",
    key_field="role_key",
    stored=lambda identity, role_id: identity.role(role_id),
    members=(EntityType.USER, EntityType.CLIENT, EntityType.MAPPING_RULE, EntityType.GROUP),
    add_missing=_GROUP_ROLE_TEXTS["update_missing"],
    remove_missing=_GROUP_ROLE_TEXTS["update_missing"],
    **_GROUP_ROLE_TEXTS,
)
TENANT = EntityKind(
    noun="tenant",
    value_type=ValueType.TENANT,
    intents=TenantIntent,
    relation=Relation.TENANT,
    entity_type=EntityType.UNSPECIFIED,
    owner_type=None,
    id_field="tenant_id",
    key_field="tenant_key",
    stored=lambda identity, tenant_id: identity.tenant(tenant_id),
    members=(
        EntityType.USER,
        EntityType.CLIENT,
        EntityType.MAPPING_RULE,
        EntityType.GROUP,
        EntityType.ROLE,
    ),
    already_exists="Expected to create tenant with ID '{id}', but a tenant with this ID already exists",
    update_missing="Expected to update tenant with id '{id}', but no tenant with this id exists",
    delete_missing="Expected to delete tenant with id '{id}', but no tenant with this id exists",
    add_missing="Expected to add entity to tenant with ID '{id}', but no tenant with this ID exists",
    remove_missing="Expected to remove entity from tenant '{id}', but no tenant with this ID exists",
    add_entity_missing=(
        "Expected to add {entity} with ID '{entity_id}' to tenant with ID '{id}', but the {entity} "
        "doesn't exist"
    ),
    add_assigned=(
        "Expected to add {entity} with ID '{entity_id}' to tenant with ID '{id}', but the {entity} "
        "is already assigned to the tenant"
    ),
    remove_entity_missing=(
        "Expected to remove {entity} with ID '{entity_id}' from tenant with ID '{id}', but the "
        "{entity} doesn't exist"
    ),
    remove_unassigned=(
        "Expected to remove {entity} with ID '{entity_id}' from tenant with ID '{id}', but the "
        "{entity} is not assigned to this tenant"
    ),
)

VALUE_CLASSES: dict[ValueType, type[GroupRecordValue | RoleRecordValue | TenantRecordValue]] = {
    ValueType.GROUP: GroupRecordValue,
    ValueType.ROLE: RoleRecordValue,
    ValueType.TENANT: TenantRecordValue,
}
