"""Whether the caller of a command holds a permission (Zeebe's ``AuthorizationCheckBehavior``).

A command names its caller in ``Record.authorizations`` (the gateway that authenticated it put the
username or client id there, with the token's claims). The caller's *owners* are that user or
client, the mapping rules its claims match, the groups all of these are in, and the roles of any of
them. The caller holds a permission when one owner holds an authorization for the resource type
with that permission, on every resource (``*``) or on the one named.

Built-in roles, as Camunda 8.8 sets them up: ``admin`` holds every permission on everything;
``readonly-admin`` every ``READ…`` permission. (Camunda gives these roles authorization records at
start-up; Strom gives them their meaning directly — see docs/identity.md.)
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from strom.engine.state.identity import IdentityState, Relation
from strom.protocol.record import (
    AUTHORIZED_CLIENT_ID,
    AUTHORIZED_USERNAME,
    USER_TOKEN_CLAIMS,
    Record,
)
from strom.protocol.values.identity import (
    WILDCARD_RESOURCE_ID,
    AuthorizationOwnerType,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)

ADMIN_ROLE = "admin"
"""The built-in role holding every permission."""
READONLY_ADMIN_ROLE = "readonly-admin"
"""The built-in role holding every read permission."""


def granted_by_role(roles: Collection[str], permission: PermissionType) -> bool:
    """Whether a built-in role grants ``permission`` whatever the authorizations say: ``admin``
    every one, ``readonly-admin`` every ``READ…`` one."""
    return ADMIN_ROLE in roles or (READONLY_ADMIN_ROLE in roles and str(permission).startswith("READ"))


class PermissionRequest:
    """A permission a command needs: ``permission`` on ``resource_type``, for ``resource_id`` (or,
    when ``resource_id`` is empty, on every resource of the type — only ``*`` grants it), in tenant
    ``tenant_id`` (checked with multi-tenancy on). ``new_resource``: the command creates something
    in the tenant (a deployment, an instance, a message) rather than acting on what exists there —
    a caller not assigned to the tenant is then FORBIDDEN instead of told it was NOT_FOUND."""

    __slots__ = ("new_resource", "permission", "resource_id", "resource_type", "tenant_id", "tenant_message")

    def __init__(
        self,
        resource_type: AuthorizationResourceType,
        permission: PermissionType | None,
        resource_id: str = "",
        tenant_id: str = "",
        new_resource: bool = False,
        tenant_message: str = "",
    ) -> None:
        self.resource_type = resource_type
        self.permission = permission
        self.resource_id = resource_id
        self.tenant_id = tenant_id
        self.new_resource = new_resource
        self.tenant_message = tenant_message
        """The rejection reason for a caller not assigned to the tenant, where Zeebe words its own."""

    def tenant_reason(self) -> str:
        """Zeebe's rejection reason when the caller is not assigned to the request's tenant."""
        if self.tenant_message:
            return self.tenant_message
        if self.new_resource:
            return (
                f"Expected to perform operation '{self.permission}' on resource '{self.resource_type}' "
                f"for tenant '{self.tenant_id}', but user is not assigned to this tenant"
            )
        return (
            f"Expected to perform operation '{self.permission}' on resource '{self.resource_type}', "
            f"but no resource was found for tenant '{self.tenant_id}'"
        )

    def forbidden_reason(self) -> str:
        """Zeebe's rejection reason when the caller lacks this permission."""
        reason = (
            f"Insufficient permissions to perform operation '{self.permission}' "
            f"on resource '{self.resource_type}'"
        )
        if self.resource_id:
            reason += f", required resource identifiers are one of '[*, {self.resource_id}]'"
        return reason


class Caller:
    """Who a command's caller is in terms of the engine's identity state: its owners (to look up
    authorizations), its roles and its tenants, and the resource ids it holds each permission on
    (filled as asked). Valid while the identity state's ``generation`` is ``generation``."""

    __slots__ = ("generation", "owners", "permitted", "roles", "tenants")

    def __init__(
        self,
        owners: list[tuple[AuthorizationOwnerType, str]],
        roles: set[str],
        tenants: set[str],
        generation: int = -1,
    ) -> None:
        self.owners = owners
        self.roles = roles
        self.tenants = tenants
        self.generation = generation
        self.permitted: dict[tuple[AuthorizationResourceType, PermissionType], set[str]] = {}


def names_caller(command: Record[Any]) -> bool:
    """Whether ``command`` says who sent it (so its permissions are checked)."""
    return names_caller_data(command.authorizations)


def names_caller_data(authorizations: dict[str, Any]) -> bool:
    """Whether ``authorizations`` (a command's or a job stream's) name a caller."""
    return bool(authorizations.get(AUTHORIZED_USERNAME) or authorizations.get(AUTHORIZED_CLIENT_ID))


_CACHED_CALLERS = 1024
"""Callers remembered between commands (a worker or user sends many); beyond it the cache starts
over."""


class AuthorizationCheck:
    """Resolves a command's caller and answers whether it holds a permission.

    Callers are remembered with what they were found to hold until the identity state changes
    (its ``generation``): a busy worker costs a dictionary lookup per command instead of a few
    RocksDB scans."""

    def __init__(
        self, identity: IdentityState, *, authorizations: bool = True, multi_tenancy: bool = False
    ) -> None:
        self._identity = identity
        self._callers: dict[tuple[Any, ...], Caller] = {}
        self.authorizations = authorizations
        """Whether a caller's permissions are checked (Zeebe's ``authorizations.enabled``)."""
        self.multi_tenancy = multi_tenancy
        """Whether a caller must be assigned to the tenant it acts in (Zeebe's
        ``multiTenancy.checksEnabled``)."""

    def assigned(self, caller: Caller, tenant_id: str) -> bool:
        """Whether ``caller`` may act in tenant ``tenant_id`` (always, with multi-tenancy off)."""
        return not self.multi_tenancy or tenant_id in caller.tenants

    def caller(self, command: Record[Any]) -> Caller:
        """The owners, roles and tenants of the caller ``command`` names."""
        return self.caller_named(command.authorizations)

    def caller_named(self, data: dict[str, Any]) -> Caller:
        """The caller ``data`` (a command's or job stream's ``authorizations``) names."""
        key = _cache_key(data)
        generation = self._identity.generation
        known = self._callers.get(key)
        if known is not None and known.generation == generation:
            return known
        caller = self._resolve(data)
        caller.generation = generation
        if len(self._callers) >= _CACHED_CALLERS:
            self._callers.clear()
        self._callers[key] = caller
        return caller

    def _resolve(self, data: dict[str, Any]) -> Caller:
        entities: list[tuple[EntityType, str]] = []
        username = data.get(AUTHORIZED_USERNAME)
        if isinstance(username, str) and username:
            entities.append((EntityType.USER, username))
        client_id = data.get(AUTHORIZED_CLIENT_ID)
        if isinstance(client_id, str) and client_id:
            entities.append((EntityType.CLIENT, client_id))
        claims = data.get(USER_TOKEN_CLAIMS)
        if isinstance(claims, dict):
            for rule_id in self._matched_mapping_rules(claims):
                entities.append((EntityType.MAPPING_RULE, rule_id))
        owners: list[tuple[AuthorizationOwnerType, str]] = []
        roles: set[str] = set()
        tenants: set[str] = set()
        groups: list[str] = []
        for entity_type, entity_id in entities:
            owners.append((AuthorizationOwnerType(str(entity_type)), entity_id))
            self._collect(entity_type, entity_id, groups, roles, tenants)
        for group_id in groups:
            owners.append((AuthorizationOwnerType.GROUP, group_id))
            self._collect(EntityType.GROUP, group_id, [], roles, tenants)
        for role_id in roles:
            owners.append((AuthorizationOwnerType.ROLE, role_id))
            for membership in self._identity.memberships_of(EntityType.ROLE, role_id):
                if membership.relation is Relation.TENANT:
                    tenants.add(membership.relation_id)
        return Caller(owners, roles, tenants)

    def permits(self, caller: Caller, request: PermissionRequest) -> bool:
        """Whether ``caller`` holds ``request``'s permission (always, with authorizations off)."""
        if not self.authorizations or request.permission is None:
            return True
        return bool(
            self.resource_ids(caller, request.resource_type, request.permission)
            & {
                WILDCARD_RESOURCE_ID,
                request.resource_id or WILDCARD_RESOURCE_ID,
            }
        )

    def resource_ids(
        self, caller: Caller, resource_type: AuthorizationResourceType, permission: PermissionType
    ) -> set[str]:
        """The resource ids on which ``caller`` holds ``permission`` (``*`` for every one)."""
        if not self.authorizations or granted_by_role(caller.roles, permission):
            return {WILDCARD_RESOURCE_ID}
        known = caller.permitted.get((resource_type, permission))
        if known is not None:
            return known
        found: set[str] = set()
        for owner_type, owner_id in caller.owners:
            for authorization in self._identity.authorizations_of(owner_type, owner_id):
                if (
                    authorization.resource_type == resource_type
                    and permission in authorization.permission_types
                ):
                    found.add(authorization.resource_id)
        caller.permitted[(resource_type, permission)] = found
        return found

    def _matched_mapping_rules(self, claims: dict[str, Any]) -> list[str]:
        matched: list[str] = []
        for name, value in claims.items():
            values = value if isinstance(value, list) else [value]
            for one in values:
                if isinstance(one, (str, int, float, bool)):
                    text = str(one).lower() if isinstance(one, bool) else str(one)
                    rule_id = self._identity.mapping_rule_for_claim(str(name), text)
                    if rule_id is not None and rule_id not in matched:
                        matched.append(rule_id)
        return matched

    def _collect(
        self, entity_type: EntityType, entity_id: str, groups: list[str], roles: set[str], tenants: set[str]
    ) -> None:
        for membership in self._identity.memberships_of(entity_type, entity_id):
            if membership.relation is Relation.GROUP:
                if membership.relation_id not in groups:
                    groups.append(membership.relation_id)
            elif membership.relation is Relation.ROLE:
                roles.add(membership.relation_id)
            else:
                tenants.add(membership.relation_id)


def _cache_key(data: dict[str, Any]) -> tuple[Any, ...]:
    """The caller ``data`` names, as a dictionary key (claims by their text: lists are not
    hashable)."""
    claims = data.get(USER_TOKEN_CLAIMS)
    claim_key = repr(sorted(claims.items())) if isinstance(claims, dict) else ""
    return (data.get(AUTHORIZED_USERNAME), data.get(AUTHORIZED_CLIENT_ID), claim_key)
