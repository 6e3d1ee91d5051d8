"""Appliers for the identity events: USER, GROUP, ROLE, TENANT, MAPPING_RULE and AUTHORIZATION.

Each stores what its event says; the processor decided everything (the user's password hash
included). One class per (value type, intent, version), so that a new version of one never changes
the replay of another.

Every version 1 applier also remembers, on a partition that received the record from partition 1
(its key was made there), that key as a received distribution: a repeated delivery of the same
distributed command is then only acknowledged (as RESOURCE_DELETION DELETED v2 does). Cascaded
events (a deleted user's memberships) mark keys no distribution will ever use again, which costs
one small entry and changes nothing.
"""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.identity import Membership, Relation
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

# -- users -----------------------------------------------------------------------------------------


class UserCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_user(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class UserUpdatedV1:
    """The event holds the whole user as it is now (hash included), not only what changed."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_user(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class UserDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_user(record.value.username)
        self._distributions.mark_if_received(record.key, record.partition_id)


# -- groups, roles, tenants ------------------------------------------------------------------------


def _membership(relation: Relation, relation_id: str, value: Any) -> Membership:
    return Membership(relation, relation_id, value.entity_type, value.entity_id)


class GroupCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_group(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class GroupUpdatedV1:
    """The event holds the whole group as it is now."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_group(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class GroupDeletedV1:
    """Its memberships ended in ENTITY_REMOVED events written before this one."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_group(record.value.group_id)
        self._distributions.mark_if_received(record.key, record.partition_id)


class GroupEntityAddedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.add_membership(_membership(Relation.GROUP, record.value.group_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


class GroupEntityRemovedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.remove_membership(_membership(Relation.GROUP, record.value.group_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


class RoleCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_role(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class RoleUpdatedV1:
    """The event holds the whole role as it is now."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_role(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class RoleDeletedV1:
    """Its memberships ended in ENTITY_REMOVED events written before this one."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_role(record.value.role_id)
        self._distributions.mark_if_received(record.key, record.partition_id)


class RoleEntityAddedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.add_membership(_membership(Relation.ROLE, record.value.role_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


class RoleEntityRemovedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.remove_membership(_membership(Relation.ROLE, record.value.role_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


class TenantCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_tenant(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class TenantUpdatedV1:
    """The event holds the whole tenant as it is now."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_tenant(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class TenantDeletedV1:
    """Its memberships ended in ENTITY_REMOVED events written before this one."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_tenant(record.value.tenant_id)
        self._distributions.mark_if_received(record.key, record.partition_id)


class TenantEntityAddedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.add_membership(_membership(Relation.TENANT, record.value.tenant_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


class TenantEntityRemovedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.remove_membership(_membership(Relation.TENANT, record.value.tenant_id, record.value))
        self._distributions.mark_if_received(record.key, record.partition_id)


# -- mapping rules ---------------------------------------------------------------------------------


class MappingRuleCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_mapping_rule(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class MappingRuleUpdatedV1:
    """The event holds the whole rule; its claim index moves with it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_mapping_rule(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class MappingRuleDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_mapping_rule(record.value.mapping_rule_id)
        self._distributions.mark_if_received(record.key, record.partition_id)


# -- authorizations --------------------------------------------------------------------------------


class AuthorizationCreatedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_authorization(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class AuthorizationUpdatedV1:
    """The event holds the whole authorization; its owner index moves with it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_authorization(record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class AuthorizationDeletedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_authorization(record.value.authorization_key)
        self._distributions.mark_if_received(record.key, record.partition_id)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    user = ValueType.USER
    appliers.register(user, UserIntent.CREATED, UserCreatedV1(state))
    appliers.register(user, UserIntent.UPDATED, UserUpdatedV1(state))
    appliers.register(user, UserIntent.DELETED, UserDeletedV1(state))
    appliers.register(
        user,
        UserIntent.INITIAL_ADMIN_CREATED,
        NoStateChange("the follow-up USER CREATE and ROLE ADD_ENTITY commands make the admin"),
    )
    group = ValueType.GROUP
    appliers.register(group, GroupIntent.CREATED, GroupCreatedV1(state))
    appliers.register(group, GroupIntent.UPDATED, GroupUpdatedV1(state))
    appliers.register(group, GroupIntent.DELETED, GroupDeletedV1(state))
    appliers.register(group, GroupIntent.ENTITY_ADDED, GroupEntityAddedV1(state))
    appliers.register(group, GroupIntent.ENTITY_REMOVED, GroupEntityRemovedV1(state))
    role = ValueType.ROLE
    appliers.register(role, RoleIntent.CREATED, RoleCreatedV1(state))
    appliers.register(role, RoleIntent.UPDATED, RoleUpdatedV1(state))
    appliers.register(role, RoleIntent.DELETED, RoleDeletedV1(state))
    appliers.register(role, RoleIntent.ENTITY_ADDED, RoleEntityAddedV1(state))
    appliers.register(role, RoleIntent.ENTITY_REMOVED, RoleEntityRemovedV1(state))
    tenant = ValueType.TENANT
    appliers.register(tenant, TenantIntent.CREATED, TenantCreatedV1(state))
    appliers.register(tenant, TenantIntent.UPDATED, TenantUpdatedV1(state))
    appliers.register(tenant, TenantIntent.DELETED, TenantDeletedV1(state))
    appliers.register(tenant, TenantIntent.ENTITY_ADDED, TenantEntityAddedV1(state))
    appliers.register(tenant, TenantIntent.ENTITY_REMOVED, TenantEntityRemovedV1(state))
    rule = ValueType.MAPPING_RULE
    appliers.register(rule, MappingRuleIntent.CREATED, MappingRuleCreatedV1(state))
    appliers.register(rule, MappingRuleIntent.UPDATED, MappingRuleUpdatedV1(state))
    appliers.register(rule, MappingRuleIntent.DELETED, MappingRuleDeletedV1(state))
    authorization = ValueType.AUTHORIZATION
    appliers.register(authorization, AuthorizationIntent.CREATED, AuthorizationCreatedV1(state))
    appliers.register(authorization, AuthorizationIntent.UPDATED, AuthorizationUpdatedV1(state))
    appliers.register(authorization, AuthorizationIntent.DELETED, AuthorizationDeletedV1(state))
