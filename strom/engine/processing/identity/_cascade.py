"""The events a deletion writes before its own: memberships undone, authorizations deleted.

Zeebe's delete processors write them one by one (``UserDeleteProcessor``, ``GroupDeleteProcessor``
…), so exporters and the other partitions see every membership end; the order is memberships,
then authorizations, then the entity's own DELETED.
"""

from __future__ import annotations

from typing import Any

from strom.engine.state.identity import IdentityState, Membership, Relation
from strom.protocol.intents import AuthorizationIntent, GroupIntent, RoleIntent, TenantIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    EntityType,
    GroupRecordValue,
    RoleRecordValue,
    TenantRecordValue,
)

Event = tuple[int, int, Any]


def membership_removed(identity: IdentityState, membership: Membership) -> Event | None:
    """The ENTITY_REMOVED event of ``membership`` (keyed by its group, role or tenant)."""
    relation, relation_id = membership.relation, membership.relation_id
    entity_id, entity_type = membership.entity_id, membership.entity_type
    if relation is Relation.GROUP:
        group = identity.group(relation_id)
        if group is None:
            return None
        value: Any = GroupRecordValue(
            group_key=group.group_key, group_id=relation_id, entity_id=entity_id, entity_type=entity_type
        )
        return group.group_key, GroupIntent.ENTITY_REMOVED, value
    if relation is Relation.ROLE:
        role = identity.role(relation_id)
        if role is None:
            return None
        value = RoleRecordValue(
            role_key=role.role_key, role_id=relation_id, entity_id=entity_id, entity_type=entity_type
        )
        return role.role_key, RoleIntent.ENTITY_REMOVED, value
    tenant = identity.tenant(relation_id)
    if tenant is None:
        return None
    value = TenantRecordValue(
        tenant_key=tenant.tenant_key, tenant_id=relation_id, entity_id=entity_id, entity_type=entity_type
    )
    return tenant.tenant_key, TenantIntent.ENTITY_REMOVED, value


def deletion_cascade(
    identity: IdentityState,
    entity_type: EntityType,
    entity_id: str,
    *,
    relation: Relation | None = None,
    owner_type: AuthorizationOwnerType | None = None,
) -> tuple[Event, ...]:
    """What deleting an entity undoes first: its members leave it (``relation``: it is a group,
    role or tenant), it leaves what it belongs to, and its authorizations (``owner_type``) go."""
    events: list[Event] = []
    memberships = [] if relation is None else list(identity.members(relation, entity_id))
    memberships += identity.memberships_of(entity_type, entity_id)
    for membership in memberships:
        event = membership_removed(identity, membership)
        if event is not None:
            events.append(event)
    if owner_type is not None:
        for authorization in identity.authorizations_of(owner_type, entity_id):
            events.append((authorization.authorization_key, AuthorizationIntent.DELETED, authorization))
    return tuple(events)
