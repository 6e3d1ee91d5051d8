"""Identity state: users, groups, roles, tenants, mapping rules, memberships and authorizations.

Zeebe keeps these in ``UserState``, ``GroupState``, ``RoleState``, ``TenantState``,
``MappingRuleState``, ``MembershipState`` and ``AuthorizationState``; Strom keeps them in one
area because the deletions cascade across all of them (a deleted user leaves its groups, roles
and tenants, and its authorizations go). Every partition holds the same identity state: the
records are created on partition 1 and distributed (docs/identity.md).

Layout (one column family each):

* users by username, holding the ``UserRecordValue`` with the password *hash*;
* groups, roles and tenants by their id, holding the value without ``entity_*``;
* mapping rules by id, and by (claim name, claim value) -> id, since a claim maps to one rule;
* memberships twice: (relation, relation id, entity type, entity id) to list a group's, role's or
  tenant's members, and (entity type, entity id, relation, relation id) to list what an entity
  belongs to (what a deletion must undo, and later what a caller's token grants);
* authorizations by key, and by (owner type, owner id, key) for an owner's permissions.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    EntityType,
    GroupRecordValue,
    MappingRuleRecordValue,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)


class Relation(StrEnum):
    """What an entity can be a member of (Zeebe's ``RelationType``)."""

    GROUP = "GROUP"
    ROLE = "ROLE"
    TENANT = "TENANT"


class Membership(msgspec.Struct, frozen=True):
    """An entity (user, client, mapping rule, group, role) in a group, role or tenant."""

    relation: Relation
    relation_id: str
    entity_type: EntityType
    entity_id: str


_encode = msgspec.msgpack.Encoder().encode
_users = msgspec.msgpack.Decoder(UserRecordValue).decode
_groups = msgspec.msgpack.Decoder(GroupRecordValue).decode
_roles = msgspec.msgpack.Decoder(RoleRecordValue).decode
_tenants = msgspec.msgpack.Decoder(TenantRecordValue).decode
_mapping_rules = msgspec.msgpack.Decoder(MappingRuleRecordValue).decode
_authorizations = msgspec.msgpack.Decoder(AuthorizationRecordValue).decode


class IdentityState(Protocol):
    generation: int
    """Changes with every membership, mapping rule and authorization change (and rollback)."""

    def user(self, username: str) -> UserRecordValue | None:
        """The user with its password hash, or None."""
        ...

    def has_users(self) -> bool: ...
    def group(self, group_id: str) -> GroupRecordValue | None: ...
    def role(self, role_id: str) -> RoleRecordValue | None: ...
    def tenant(self, tenant_id: str) -> TenantRecordValue | None: ...
    def mapping_rule(self, mapping_rule_id: str) -> MappingRuleRecordValue | None: ...
    def mapping_rule_for_claim(self, claim_name: str, claim_value: str) -> str | None:
        """The id of the mapping rule for this claim, or None."""
        ...

    def is_member(self, membership: Membership) -> bool: ...
    def members(self, relation: Relation, relation_id: str) -> Iterator[Membership]:
        """The members of a group, role or tenant, by entity type and id."""
        ...

    def memberships_of(self, entity_type: EntityType, entity_id: str) -> Iterator[Membership]:
        """The groups, roles and tenants an entity belongs to."""
        ...

    def authorization(self, key: int) -> AuthorizationRecordValue | None: ...
    def authorizations_of(
        self, owner_type: AuthorizationOwnerType, owner_id: str
    ) -> Iterator[AuthorizationRecordValue]:
        """The authorizations an owner holds directly, oldest first."""
        ...


class MutableIdentityState(IdentityState, Protocol):
    def put_user(self, user: UserRecordValue) -> None: ...
    def delete_user(self, username: str) -> None: ...
    def put_group(self, group: GroupRecordValue) -> None: ...
    def delete_group(self, group_id: str) -> None: ...
    def put_role(self, role: RoleRecordValue) -> None: ...
    def delete_role(self, role_id: str) -> None: ...
    def put_tenant(self, tenant: TenantRecordValue) -> None: ...
    def delete_tenant(self, tenant_id: str) -> None: ...
    def put_mapping_rule(self, rule: MappingRuleRecordValue) -> None: ...
    def delete_mapping_rule(self, mapping_rule_id: str) -> None: ...
    def add_membership(self, membership: Membership) -> None: ...
    def remove_membership(self, membership: Membership) -> None: ...
    def put_authorization(self, authorization: AuthorizationRecordValue) -> None: ...
    def delete_authorization(self, key: int) -> None: ...


class DbIdentityState:
    def __init__(self, db: Database) -> None:
        self._users = db.column_family(cf.USERS)
        self._groups = db.column_family(cf.GROUPS)
        self._roles = db.column_family(cf.ROLES)
        self._tenants = db.column_family(cf.TENANTS)
        self._mapping_rules = db.column_family(cf.MAPPING_RULES)
        self._mapping_rule_claims = db.column_family(cf.MAPPING_RULE_CLAIMS)
        self._members = db.column_family(cf.MEMBERSHIPS)
        self._memberships_by_entity = db.column_family(cf.MEMBERSHIPS_BY_ENTITY)
        self._authorizations = db.column_family(cf.AUTHORIZATIONS)
        self._authorizations_by_owner = db.column_family(cf.AUTHORIZATIONS_BY_OWNER)
        self.generation = 0
        """Counts changes of what decides permissions (memberships, mapping rules, authorizations)
        and rollbacks of such changes: a permission cache is current while the generation it was
        made at is."""
        self._mutated = False
        db.add_rollback_listener(self._rolled_back)

    def _changed(self) -> None:
        self.generation += 1
        self._mutated = True

    def _rolled_back(self) -> None:
        # Most rollbacks undo no identity change (the processor rolls back idle and failed steps):
        # only one after a change (since the last such rollback) makes cached permissions stale.
        if self._mutated:
            self.generation += 1
            self._mutated = False

    def user(self, username: str) -> UserRecordValue | None:
        raw = self._users.get(pack(username))
        return None if raw is None else _users(raw)

    def has_users(self) -> bool:
        return next(iter(self._users.iterate(b"")), None) is not None

    def group(self, group_id: str) -> GroupRecordValue | None:
        raw = self._groups.get(pack(group_id))
        return None if raw is None else _groups(raw)

    def role(self, role_id: str) -> RoleRecordValue | None:
        raw = self._roles.get(pack(role_id))
        return None if raw is None else _roles(raw)

    def tenant(self, tenant_id: str) -> TenantRecordValue | None:
        raw = self._tenants.get(pack(tenant_id))
        return None if raw is None else _tenants(raw)

    def mapping_rule(self, mapping_rule_id: str) -> MappingRuleRecordValue | None:
        raw = self._mapping_rules.get(pack(mapping_rule_id))
        return None if raw is None else _mapping_rules(raw)

    def mapping_rule_for_claim(self, claim_name: str, claim_value: str) -> str | None:
        raw = self._mapping_rule_claims.get(pack(claim_name, claim_value))
        return None if raw is None else raw.decode()

    def is_member(self, membership: Membership) -> bool:
        return self._members.get(_member_key(membership)) is not None

    def members(self, relation: Relation, relation_id: str) -> Iterator[Membership]:
        for key, _ in list(self._members.iterate(prefix(str(relation), relation_id))):
            _, _, entity_type, entity_id = unpack(key, (str, str, str, str))
            yield Membership(relation, relation_id, EntityType(str(entity_type)), str(entity_id))

    def memberships_of(self, entity_type: EntityType, entity_id: str) -> Iterator[Membership]:
        for key, _ in list(self._memberships_by_entity.iterate(prefix(str(entity_type), entity_id))):
            _, _, relation, relation_id = unpack(key, (str, str, str, str))
            yield Membership(Relation(str(relation)), str(relation_id), entity_type, entity_id)

    def authorization(self, key: int) -> AuthorizationRecordValue | None:
        raw = self._authorizations.get(pack(key))
        return None if raw is None else _authorizations(raw)

    def authorizations_of(
        self, owner_type: AuthorizationOwnerType, owner_id: str
    ) -> Iterator[AuthorizationRecordValue]:
        for key, _ in list(self._authorizations_by_owner.iterate(prefix(str(owner_type), owner_id))):
            _, _, authorization_key = unpack(key, (str, str, int))
            raw = self._authorizations.get(pack(authorization_key))
            if raw is not None:
                yield _authorizations(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put_user(self, user: UserRecordValue) -> None:
        self._users.put(pack(user.username), _encode(user))

    def delete_user(self, username: str) -> None:
        self._users.delete(pack(username))

    def put_group(self, group: GroupRecordValue) -> None:
        self._groups.put(pack(group.group_id), _encode(group))

    def delete_group(self, group_id: str) -> None:
        self._groups.delete(pack(group_id))

    def put_role(self, role: RoleRecordValue) -> None:
        self._roles.put(pack(role.role_id), _encode(role))

    def delete_role(self, role_id: str) -> None:
        self._roles.delete(pack(role_id))

    def put_tenant(self, tenant: TenantRecordValue) -> None:
        self._tenants.put(pack(tenant.tenant_id), _encode(tenant))

    def delete_tenant(self, tenant_id: str) -> None:
        self._tenants.delete(pack(tenant_id))

    def put_mapping_rule(self, rule: MappingRuleRecordValue) -> None:
        self._changed()
        old = self.mapping_rule(rule.mapping_rule_id)
        if old is not None:
            self._mapping_rule_claims.delete(pack(old.claim_name, old.claim_value))
        self._mapping_rules.put(pack(rule.mapping_rule_id), _encode(rule))
        self._mapping_rule_claims.put(pack(rule.claim_name, rule.claim_value), rule.mapping_rule_id.encode())

    def delete_mapping_rule(self, mapping_rule_id: str) -> None:
        self._changed()
        old = self.mapping_rule(mapping_rule_id)
        if old is not None:
            self._mapping_rule_claims.delete(pack(old.claim_name, old.claim_value))
        self._mapping_rules.delete(pack(mapping_rule_id))

    def add_membership(self, membership: Membership) -> None:
        self._changed()
        self._members.put(_member_key(membership), b"")
        self._memberships_by_entity.put(_entity_key(membership), b"")

    def remove_membership(self, membership: Membership) -> None:
        self._changed()
        self._members.delete(_member_key(membership))
        self._memberships_by_entity.delete(_entity_key(membership))

    def put_authorization(self, authorization: AuthorizationRecordValue) -> None:
        self._changed()
        key = authorization.authorization_key
        old = self.authorization(key)
        if old is not None:
            self._authorizations_by_owner.delete(pack(str(old.owner_type), old.owner_id, key))
        self._authorizations.put(pack(key), _encode(authorization))
        self._authorizations_by_owner.put(
            pack(str(authorization.owner_type), authorization.owner_id, key), b""
        )

    def delete_authorization(self, key: int) -> None:
        self._changed()
        old = self.authorization(key)
        if old is not None:
            self._authorizations_by_owner.delete(pack(str(old.owner_type), old.owner_id, key))
        self._authorizations.delete(pack(key))


def _member_key(membership: Membership) -> bytes:
    return pack(
        str(membership.relation),
        membership.relation_id,
        str(membership.entity_type),
        membership.entity_id,
    )


def _entity_key(membership: Membership) -> bytes:
    return pack(
        str(membership.entity_type),
        membership.entity_id,
        str(membership.relation),
        membership.relation_id,
    )
