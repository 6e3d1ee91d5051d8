"""Identity commands for tests: ``identity(engine).create_user("demo", "secret")``.

Each method sends one USER / GROUP / ROLE / TENANT / MAPPING_RULE / AUTHORIZATION command to the
partition the gateways would (partition 1, which distributes it), processes until every partition
is idle, and returns the answer: the event, or with ``expect_rejection=True`` the rejection.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strom.engine.processing.identity.passwords import hash_password, verify_password
from strom.protocol.intents import (
    AuthorizationIntent,
    GroupIntent,
    MappingRuleIntent,
    RoleIntent,
    TenantIntent,
    UserIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceMatcher,
    AuthorizationResourceType,
    EntityType,
    GroupRecordValue,
    MappingRuleRecordValue,
    PermissionType,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)
from strom.testing._engine import TestEngine

__all__ = ["IdentityClient", "identity"]


def _hashed(password: str) -> str:
    """What a gateway does before writing a USER command: hash the password (empty stays empty)."""
    return hash_password(password) if password else ""


class IdentityClient:
    """Sends identity commands to a ``TestEngine`` (see the module's docstring)."""

    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine

    def _send(self, value: Any, intent: int, expect_rejection: bool) -> Record[Any]:
        return self._engine.send(value, intent, expect_rejection=expect_rejection)

    # -- users -----------------------------------------------------------------------------------

    def create_user(
        self, username: str, password: str, *, name: str = "", email: str = "", expect_rejection: bool = False
    ) -> Record[Any]:
        value = UserRecordValue(username=username, password=_hashed(password), name=name, email=email)
        return self._send(value, UserIntent.CREATE, expect_rejection)

    def create_initial_admin(
        self, username: str, password: str, *, expect_rejection: bool = False
    ) -> Record[Any]:
        """USER CREATE_INITIAL_ADMIN, as ``/v2/setup/user`` sends it."""
        value = UserRecordValue(username=username, password=_hashed(password))
        return self._send(value, UserIntent.CREATE_INITIAL_ADMIN, expect_rejection)

    def update_user(
        self,
        username: str,
        *,
        name: str = "",
        email: str = "",
        password: str = "",
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = UserRecordValue(username=username, password=_hashed(password), name=name, email=email)
        return self._send(value, UserIntent.UPDATE, expect_rejection)

    def delete_user(self, username: str, *, expect_rejection: bool = False) -> Record[Any]:
        return self._send(UserRecordValue(username=username), UserIntent.DELETE, expect_rejection)

    def verify(self, username: str, password: str, partition_id: int = 1) -> bool:
        """Whether the partition's users accept this username and password (Basic auth's check)."""
        with self._engine.state(partition_id) as state:
            return verify_password(state.identity, username, password)

    # -- groups, roles, tenants ------------------------------------------------------------------

    def create_group(
        self, group_id: str, name: str | None = None, description: str = "", *, expect_rejection: bool = False
    ) -> Record[Any]:
        value = GroupRecordValue(
            group_id=group_id, name=group_id if name is None else name, description=description
        )
        return self._send(value, GroupIntent.CREATE, expect_rejection)

    def update_group(
        self, group_id: str, name: str, description: str = "", *, expect_rejection: bool = False
    ) -> Record[Any]:
        value = GroupRecordValue(group_id=group_id, name=name, description=description)
        return self._send(value, GroupIntent.UPDATE, expect_rejection)

    def delete_group(self, group_id: str, *, expect_rejection: bool = False) -> Record[Any]:
        return self._send(GroupRecordValue(group_id=group_id), GroupIntent.DELETE, expect_rejection)

    def add_to_group(
        self,
        group_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = GroupRecordValue(group_id=group_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, GroupIntent.ADD_ENTITY, expect_rejection)

    def remove_from_group(
        self,
        group_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = GroupRecordValue(group_id=group_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, GroupIntent.REMOVE_ENTITY, expect_rejection)

    def create_role(
        self, role_id: str, name: str | None = None, description: str = "", *, expect_rejection: bool = False
    ) -> Record[Any]:
        value = RoleRecordValue(
            role_id=role_id, name=role_id if name is None else name, description=description
        )
        return self._send(value, RoleIntent.CREATE, expect_rejection)

    def update_role(
        self, role_id: str, name: str, description: str = "", *, expect_rejection: bool = False
    ) -> Record[Any]:
        value = RoleRecordValue(role_id=role_id, name=name, description=description)
        return self._send(value, RoleIntent.UPDATE, expect_rejection)

    def delete_role(self, role_id: str, *, expect_rejection: bool = False) -> Record[Any]:
        return self._send(RoleRecordValue(role_id=role_id), RoleIntent.DELETE, expect_rejection)

    def add_to_role(
        self,
        role_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = RoleRecordValue(role_id=role_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, RoleIntent.ADD_ENTITY, expect_rejection)

    def remove_from_role(
        self,
        role_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = RoleRecordValue(role_id=role_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, RoleIntent.REMOVE_ENTITY, expect_rejection)

    def create_tenant(
        self,
        tenant_id: str,
        name: str | None = None,
        description: str = "",
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = TenantRecordValue(
            tenant_id=tenant_id, name=tenant_id if name is None else name, description=description
        )
        return self._send(value, TenantIntent.CREATE, expect_rejection)

    def update_tenant(
        self, tenant_id: str, name: str, description: str = "", *, expect_rejection: bool = False
    ) -> Record[Any]:
        value = TenantRecordValue(tenant_id=tenant_id, name=name, description=description)
        return self._send(value, TenantIntent.UPDATE, expect_rejection)

    def delete_tenant(self, tenant_id: str, *, expect_rejection: bool = False) -> Record[Any]:
        return self._send(TenantRecordValue(tenant_id=tenant_id), TenantIntent.DELETE, expect_rejection)

    def add_to_tenant(
        self,
        tenant_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = TenantRecordValue(tenant_id=tenant_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, TenantIntent.ADD_ENTITY, expect_rejection)

    def remove_from_tenant(
        self,
        tenant_id: str,
        entity_id: str,
        entity_type: EntityType = EntityType.USER,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = TenantRecordValue(tenant_id=tenant_id, entity_id=entity_id, entity_type=entity_type)
        return self._send(value, TenantIntent.REMOVE_ENTITY, expect_rejection)

    # -- mapping rules ---------------------------------------------------------------------------

    def create_mapping_rule(
        self,
        mapping_rule_id: str,
        claim_name: str,
        claim_value: str,
        name: str | None = None,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = MappingRuleRecordValue(
            mapping_rule_id=mapping_rule_id,
            claim_name=claim_name,
            claim_value=claim_value,
            name=mapping_rule_id if name is None else name,
        )
        return self._send(value, MappingRuleIntent.CREATE, expect_rejection)

    def update_mapping_rule(
        self,
        mapping_rule_id: str,
        claim_name: str,
        claim_value: str,
        name: str | None = None,
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = MappingRuleRecordValue(
            mapping_rule_id=mapping_rule_id,
            claim_name=claim_name,
            claim_value=claim_value,
            name=mapping_rule_id if name is None else name,
        )
        return self._send(value, MappingRuleIntent.UPDATE, expect_rejection)

    def delete_mapping_rule(self, mapping_rule_id: str, *, expect_rejection: bool = False) -> Record[Any]:
        value = MappingRuleRecordValue(mapping_rule_id=mapping_rule_id)
        return self._send(value, MappingRuleIntent.DELETE, expect_rejection)

    # -- authorizations --------------------------------------------------------------------------

    def create_authorization(
        self,
        owner_id: str,
        owner_type: AuthorizationOwnerType,
        resource_type: AuthorizationResourceType,
        permissions: Iterable[PermissionType],
        resource_id: str = "*",
        *,
        matcher: AuthorizationResourceMatcher = AuthorizationResourceMatcher.UNSPECIFIED,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = AuthorizationRecordValue(
            owner_id=owner_id,
            owner_type=owner_type,
            resource_type=resource_type,
            resource_id=resource_id,
            resource_matcher=matcher,
            permission_types=list(permissions),
        )
        return self._send(value, AuthorizationIntent.CREATE, expect_rejection)

    def update_authorization(
        self,
        authorization_key: int,
        owner_id: str,
        owner_type: AuthorizationOwnerType,
        resource_type: AuthorizationResourceType,
        permissions: Iterable[PermissionType],
        resource_id: str = "*",
        *,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        value = AuthorizationRecordValue(
            authorization_key=authorization_key,
            owner_id=owner_id,
            owner_type=owner_type,
            resource_type=resource_type,
            resource_id=resource_id,
            permission_types=list(permissions),
        )
        return self._send(value, AuthorizationIntent.UPDATE, expect_rejection)

    def delete_authorization(self, authorization_key: int, *, expect_rejection: bool = False) -> Record[Any]:
        value = AuthorizationRecordValue(authorization_key=authorization_key)
        return self._send(value, AuthorizationIntent.DELETE, expect_rejection)


def identity(engine: TestEngine) -> IdentityClient:
    """The identity commands of ``engine``."""
    return IdentityClient(engine)
