"""What the caller of a REST request may read: searches and gets of secondary storage show only
the items of processes (decisions, …) on which the caller holds the read permission, as Camunda 8.8
filters them.

The caller's owners are the user or client, its groups, roles and mapping rules (as the
authenticator resolved them from secondary storage); their authorizations come from the identity
tables the SQL exporter keeps. The built-in roles keep their meaning: ``admin`` reads everything,
``readonly-admin`` too.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from strom.engine.processing.authorization import granted_by_role
from strom.gateway.auth.identity import Identity, identity_of
from strom.protocol.values.identity import (
    WILDCARD_RESOURCE_ID,
    AuthorizationResourceType,
    PermissionType,
)
from strom.search import Restriction
from strom.search.identity import IdentityStore

_R = AuthorizationResourceType
_P = PermissionType
_PROCESS_INSTANCE_READ = (_R.PROCESS_DEFINITION, _P.READ_PROCESS_INSTANCE, "bpmn_process_id")

READS: dict[str, tuple[AuthorizationResourceType, PermissionType, str]] = {
    "processDefinition": (_R.PROCESS_DEFINITION, _P.READ_PROCESS_DEFINITION, "bpmn_process_id"),
    "processInstance": _PROCESS_INSTANCE_READ,
    "elementInstance": _PROCESS_INSTANCE_READ,
    "sequenceFlow": _PROCESS_INSTANCE_READ,
    "variable": _PROCESS_INSTANCE_READ,
    "incident": _PROCESS_INSTANCE_READ,
    "job": _PROCESS_INSTANCE_READ,
    "messageSubscription": _PROCESS_INSTANCE_READ,
    "userTask": (_R.PROCESS_DEFINITION, _P.READ_USER_TASK, "bpmn_process_id"),
    "decisionDefinition": (_R.DECISION_DEFINITION, _P.READ_DECISION_DEFINITION, "decision_id"),
    "decisionInstance": (_R.DECISION_DEFINITION, _P.READ_DECISION_INSTANCE, "decision_id"),
    "decisionRequirements": (_R.DECISION_REQUIREMENTS_DEFINITION, _P.READ, "decision_requirements_id"),
}
"""Per searchable entity: the permission that lets a caller read it, and the column naming the
resource (the process, decision or requirements id)."""


def owners_of(identity: Identity) -> list[tuple[str, str]]:
    """(owner type, owner id) of every owner whose authorizations the caller holds."""
    owners: list[tuple[str, str]] = []
    if identity.username:
        owners.append(("USER", identity.username))
    elif identity.client_id:
        owners.append(("CLIENT", identity.client_id))
    owners.extend(("GROUP", group) for group in identity.groups)
    owners.extend(("ROLE", role) for role in identity.roles)
    owners.extend(("MAPPING_RULE", rule) for rule in identity.mapping_rules)
    return owners


def readable_ids(
    identity: Identity,
    store: IdentityStore,
    resource_type: AuthorizationResourceType,
    permission: PermissionType,
) -> frozenset[str] | None:
    """The resource ids ``identity`` may read with ``permission``; None for every one."""
    if not identity.authenticated or not identity.checked or granted_by_role(identity.roles, permission):
        return None
    found: set[str] = set()
    for authorization in store.authorizations(owners_of(identity)):
        if authorization.resource_type == resource_type and permission in authorization.permission_types:
            found.add(authorization.resource_id)
    return None if WILDCARD_RESOURCE_ID in found else frozenset(found)


async def read_restriction(request: Request, entity: str) -> Restriction | None:
    """What a search or get of ``entity`` is limited to for the request's caller (None: nothing):
    the resource ids it may read and, with multi-tenancy on, the tenants it is assigned to."""
    identity = identity_of(request)
    read = READS.get(entity)
    if read is None or not identity.authenticated:
        return None
    tenants = frozenset(identity.tenants) if request.app.state.context.settings.multi_tenancy else None
    store: IdentityStore | None = request.app.state.auth.store
    if store is None or not identity.checked:
        return None if tenants is None else Restriction(None, tenants=tenants)
    resource_type, permission, column = read
    ids = await asyncio.to_thread(readable_ids, identity, store, resource_type, permission)
    if ids is None:
        return None if tenants is None else Restriction(None, tenants=tenants)
    return Restriction(column, ids, tenants)
