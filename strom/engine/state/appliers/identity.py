"""Appliers for the identity events: USER, GROUP, ROLE, TENANT, MAPPING_RULE and AUTHORIZATION.

Each stores what its event says; the processor decided everything (the user's password hash
included). Groups, roles and tenants have the same lifecycle, so their appliers are one class per
intent, bound to the value type's ``_Kind`` at registration.

Every version 1 applier also remembers, on a partition that received the record from partition 1
(its key was made there), that key as a received distribution: a repeated delivery of the same
distributed command is then only acknowledged (as RESOURCE_DELETION DELETED v2 does). Cascaded
events (a deleted user's memberships) mark keys no distribution will ever use again, which costs
one small entry and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.distribution import MutableDistributionState
from strom.engine.state.identity import Membership, MutableIdentityState, Relation
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    AuthorizationIntent,
    GroupIntent,
    MappingRuleIntent,
    RoleIntent,
    TenantIntent,
    UserIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.record import Record


def _note_received(distributions: MutableDistributionState, record: Record[Any]) -> None:
    if partition_of(record.key) != record.partition_id:
        distributions.mark_received(record.key)


class _Applier:
    """What every identity applier needs: the identity state and the received distributions."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._identity = state.identity
        self._distributions = state.distributions


# -- users -----------------------------------------------------------------------------------------


class UserCreatedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_user(record.value)
        _note_received(self._distributions, record)


class UserUpdatedV1(_Applier):
    """The event holds the whole user as it is now (hash included), not only what changed."""

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_user(record.value)
        _note_received(self._distributions, record)


class UserDeletedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_user(record.value.username)
        _note_received(self._distributions, record)


# -- groups, roles, tenants ------------------------------------------------------------------------


class _Kind:
    """How a group, role or tenant is stored: its id field, its relation, its state methods."""

    def __init__(
        self,
        relation: Relation,
        id_of: Callable[[Any], str],
        put: Callable[[MutableIdentityState, Any], None],
        delete: Callable[[MutableIdentityState, str], None],
    ) -> None:
        self.relation = relation
        self.id_of = id_of
        self.put = put
        self.delete = delete


_GROUP = _Kind(
    Relation.GROUP,
    lambda value: value.group_id,
    lambda state, value: state.put_group(value),
    lambda state, entity_id: state.delete_group(entity_id),
)
_ROLE = _Kind(
    Relation.ROLE,
    lambda value: value.role_id,
    lambda state, value: state.put_role(value),
    lambda state, entity_id: state.delete_role(entity_id),
)
_TENANT = _Kind(
    Relation.TENANT,
    lambda value: value.tenant_id,
    lambda state, value: state.put_tenant(value),
    lambda state, entity_id: state.delete_tenant(entity_id),
)


class _KindApplier(_Applier):
    def __init__(self, state: MutableProcessingState, kind: _Kind) -> None:
        super().__init__(state)
        self._kind = kind


class EntityCreatedV1(_KindApplier):
    """GROUP / ROLE / TENANT CREATED: store the new group, role or tenant."""

    def __call__(self, record: Record[Any]) -> None:
        self._kind.put(self._identity, record.value)
        _note_received(self._distributions, record)


class EntityUpdatedV1(_KindApplier):
    """GROUP / ROLE / TENANT UPDATED: the event holds the whole entity as it is now."""

    def __call__(self, record: Record[Any]) -> None:
        self._kind.put(self._identity, record.value)
        _note_received(self._distributions, record)


class EntityDeletedV1(_KindApplier):
    """GROUP / ROLE / TENANT DELETED: its members were removed by ENTITY_REMOVED events before."""

    def __call__(self, record: Record[Any]) -> None:
        self._kind.delete(self._identity, self._kind.id_of(record.value))
        _note_received(self._distributions, record)


class MemberAddedV1(_KindApplier):
    """GROUP / ROLE / TENANT ENTITY_ADDED."""

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._identity.add_membership(
            Membership(self._kind.relation, self._kind.id_of(value), value.entity_type, value.entity_id)
        )
        _note_received(self._distributions, record)


class MemberRemovedV1(_KindApplier):
    """GROUP / ROLE / TENANT ENTITY_REMOVED."""

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._identity.remove_membership(
            Membership(self._kind.relation, self._kind.id_of(value), value.entity_type, value.entity_id)
        )
        _note_received(self._distributions, record)


# -- mapping rules ---------------------------------------------------------------------------------


class MappingRuleCreatedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_mapping_rule(record.value)
        _note_received(self._distributions, record)


class MappingRuleUpdatedV1(_Applier):
    """The event holds the whole rule; its claim index moves with it."""

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_mapping_rule(record.value)
        _note_received(self._distributions, record)


class MappingRuleDeletedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_mapping_rule(record.value.mapping_rule_id)
        _note_received(self._distributions, record)


# -- authorizations --------------------------------------------------------------------------------


class AuthorizationCreatedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_authorization(record.value)
        _note_received(self._distributions, record)


class AuthorizationUpdatedV1(_Applier):
    """The event holds the whole authorization; its owner index moves with it."""

    def __call__(self, record: Record[Any]) -> None:
        self._identity.put_authorization(record.value)
        _note_received(self._distributions, record)


class AuthorizationDeletedV1(_Applier):
    def __call__(self, record: Record[Any]) -> None:
        self._identity.delete_authorization(record.value.authorization_key)
        _note_received(self._distributions, record)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    user = ValueType.USER
    appliers.register(user, UserIntent.CREATED, UserCreatedV1(state))
    appliers.register(user, UserIntent.UPDATED, UserUpdatedV1(state))
    appliers.register(user, UserIntent.DELETED, UserDeletedV1(state))
    kinds: tuple[tuple[ValueType, Any, _Kind], ...] = (
        (ValueType.GROUP, GroupIntent, _GROUP),
        (ValueType.ROLE, RoleIntent, _ROLE),
        (ValueType.TENANT, TenantIntent, _TENANT),
    )
    for value_type, intents, kind in kinds:
        appliers.register(value_type, intents.CREATED, EntityCreatedV1(state, kind))
        appliers.register(value_type, intents.UPDATED, EntityUpdatedV1(state, kind))
        appliers.register(value_type, intents.DELETED, EntityDeletedV1(state, kind))
        appliers.register(value_type, intents.ENTITY_ADDED, MemberAddedV1(state, kind))
        appliers.register(value_type, intents.ENTITY_REMOVED, MemberRemovedV1(state, kind))
    rule = ValueType.MAPPING_RULE
    appliers.register(rule, MappingRuleIntent.CREATED, MappingRuleCreatedV1(state))
    appliers.register(rule, MappingRuleIntent.UPDATED, MappingRuleUpdatedV1(state))
    appliers.register(rule, MappingRuleIntent.DELETED, MappingRuleDeletedV1(state))
    authorization = ValueType.AUTHORIZATION
    appliers.register(authorization, AuthorizationIntent.CREATED, AuthorizationCreatedV1(state))
    appliers.register(authorization, AuthorizationIntent.UPDATED, AuthorizationUpdatedV1(state))
    appliers.register(authorization, AuthorizationIntent.DELETED, AuthorizationDeletedV1(state))
