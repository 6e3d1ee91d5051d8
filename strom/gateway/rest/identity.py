"""Camunda 8.8's identity operations: users, groups, roles, tenants, mapping rules, authorizations.

Commands (create, update, delete, assign, unassign) go to the engine through the same bridge as every
other REST command; identity commands are decided on partition 1 and distributed from there, and a
rejection answers with Zeebe's reason (NOT_FOUND 404, ALREADY_EXISTS 409, INVALID_ARGUMENT 400).
A password is hashed here, off the event loop, before the USER command is written. Gets and
searches read the identity tables of the secondary storage (``IdentityStore``), so an entity shows
there a moment after its command was answered. Creating users and searching them is
``strom.gateway.auth.rest`` (it came first, with the first admin's setup).

Groups, roles and tenants share one lifecycle; ``_Kind`` tells them apart (paths, Camunda's
operation ids, which members each takes), so each operation is written once for the three.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext, json_response, key
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument, not_found
from strom.protocol.intents import (
    AuthorizationIntent,
    GroupIntent,
    MappingRuleIntent,
    RoleIntent,
    TenantIntent,
    UserIntent,
)
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceType,
    EntityType,
    GroupRecordValue,
    MappingRuleRecordValue,
    PermissionType,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)
from strom.search.errors import SearchError
from strom.search.identity import LISTINGS, IdentityStore, Listing, member_listing, roles_of_group

operations = Operations("Identity")


# -- request bodies ----------------------------------------------------------------------------------


class SortField(Body):
    field: str
    order: str = "ASC"


class IdentitySearchRequest(Body):
    """``filter`` (field: value or Camunda's operators), ``sort``, ``page`` (from/limit or a cursor)."""

    filter: dict[str, Any] | None = None
    sort: list[SortField] | None = None
    page: dict[str, Any] | None = None


class UserUpdateRequest(Body):
    password: str | None = None
    name: str | None = None
    email: str | None = None


class GroupCreateRequest(Body):
    groupId: str | None = None
    name: str | None = None
    description: str | None = None


class RoleCreateRequest(Body):
    roleId: str | None = None
    name: str | None = None
    description: str | None = None


class TenantCreateRequest(Body):
    tenantId: str | None = None
    name: str | None = None
    description: str | None = None


class EntityUpdateRequest(Body):
    """A group's, role's or tenant's new name and description (both replaced)."""

    name: str | None = None
    description: str | None = None


class MappingRuleCreateRequest(Body):
    mappingRuleId: str | None = None
    claimName: str | None = None
    claimValue: str | None = None
    name: str | None = None


class MappingRuleUpdateRequest(Body):
    claimName: str | None = None
    claimValue: str | None = None
    name: str | None = None


class AuthorizationRequest(Body):
    """Permissions of an owner on one resource id (``*``: every resource of the type)."""

    ownerId: str | None = None
    ownerType: AuthorizationOwnerType | None = None
    resourceId: str | None = None
    resourcePropertyName: str | None = None
    resourceType: AuthorizationResourceType | None = None
    permissionTypes: list[PermissionType] | None = None


# -- shared steps ------------------------------------------------------------------------------------


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


def _store(request: Request) -> IdentityStore:
    store: IdentityStore | None = request.app.state.auth.store
    if store is None:
        raise Problem(
            403,
            "FORBIDDEN",
            "This broker runs without secondary storage, so identity searches are not available; start "
            "it with secondary storage (the default: SQLite in the data directory) to use them",
        )
    return store


async def _send(request: Request, value: Any, intent: int, operation_id: str) -> Any:
    """The value of the engine's answer (the event) to the command; a rejection ends the request."""
    operation = operation_id[0].upper() + operation_id[1:]
    record = await _context(request).send(command(value, intent), operation)
    return record.value


Shape = Callable[[dict[str, Any]], dict[str, Any]]


def _as_stored(item: dict[str, Any]) -> dict[str, Any]:
    return item


def _described(item: dict[str, Any]) -> dict[str, Any]:
    """Groups, roles and tenants: an empty description is null, as Camunda answers one not given."""
    return {**item, "description": item.get("description") or None}


async def _search(
    request: Request,
    listing: Listing,
    body: IdentitySearchRequest,
    shape: Shape = _as_stored,
    filter_: dict[str, Any] | None = None,
    sort: list[dict[str, Any]] | None = None,
) -> Response:
    store = _store(request)
    given_sort = msgspec.to_builtins(body.sort) if body.sort is not None else None
    try:
        result = await asyncio.to_thread(
            store.search,
            listing,
            body.filter if filter_ is None else filter_,
            given_sort if sort is None else sort,
            body.page,
        )
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    result["items"] = [shape(item) for item in result["items"]]
    return json_response(result)


async def _get(
    request: Request, listing: Listing, value: Any, what: str, shape: Shape = _as_stored
) -> Response:
    item = await asyncio.to_thread(_store(request).get, listing, value)
    if item is None:
        raise not_found(f"{what} not found")
    return json_response(shape(item))


# -- users (creation and search: strom.gateway.auth.rest) -------------------------------------------


def _user_result(value: UserRecordValue) -> dict[str, Any]:
    """Never the password: the event holds its hash."""
    return {"username": value.username, "name": value.name, "email": value.email}


@operations.get("/users/{username}", "getUser", "Get a user by username", tag="User")
async def get_user(request: Request, username: str) -> Response:
    return await _get(request, LISTINGS["user"], username, f"User with username '{username}'")


@operations.put(
    "/users/{username}",
    "updateUser",
    "Change a user's name, email or password (an empty one keeps the old)",
    tag="User",
    body=UserUpdateRequest,
    body_required=True,
)
async def update_user(request: Request, username: str, body: UserUpdateRequest) -> Response:
    from strom.engine.processing.identity.passwords import hash_password

    password_hash = await asyncio.to_thread(hash_password, body.password) if body.password else ""
    value = UserRecordValue(
        username=username, password=password_hash, name=body.name or "", email=body.email or ""
    )
    updated = await _send(request, value, UserIntent.UPDATE, "updateUser")
    return json_response(_user_result(updated))


@operations.delete("/users/{username}", "deleteUser", "Delete a user", tag="User", answers=204)
async def delete_user(request: Request, username: str) -> Response:
    await _send(request, UserRecordValue(username=username), UserIntent.DELETE, "deleteUser")
    return Response(status_code=204)


# -- groups, roles, tenants ----------------------------------------------------------------------


@dataclass(frozen=True)
class _MemberType:
    """What can be a member: its path segment and parameter, and its entity type."""

    segment: str
    parameter: str
    entity_type: EntityType
    noun: str


USERS = _MemberType("users", "username", EntityType.USER, "user")
CLIENTS = _MemberType("clients", "clientId", EntityType.CLIENT, "client")
GROUPS = _MemberType("groups", "groupId", EntityType.GROUP, "group")
ROLES = _MemberType("roles", "roleId", EntityType.ROLE, "role")
MAPPING_RULES = _MemberType("mapping-rules", "mappingRuleId", EntityType.MAPPING_RULE, "mapping rule")


@dataclass(frozen=True)
class _Member:
    """One type of member of a group, role or tenant, with Camunda's operation ids for it."""

    type: _MemberType
    assign: str
    unassign: str
    search: str


@dataclass(frozen=True)
class _Kind:
    """A group, role or tenant: ``noun`` names its path (``/groups``), id field (``groupId``),
    record field (``group_id``), listing and membership relation (``GROUP``)."""

    noun: str
    value_type: type[Any]
    intents: Any
    create_body: type[Body]
    operation_ids: tuple[str, str, str, str, str]
    """create, search, get, update, delete."""
    members: tuple[_Member, ...]

    @property
    def tag(self) -> str:
        return self.noun.capitalize()

    @property
    def path(self) -> str:
        return f"/{self.noun}s"

    @property
    def id_field(self) -> str:
        return f"{self.noun}Id"

    def value(self, identifier: str, /, **fields: Any) -> Any:
        """The record value of the group, role or tenant ``identifier`` with ``fields``."""
        return self.value_type(**{f"{self.noun}_id": identifier}, **fields)

    def result(self, value: Any) -> dict[str, Any]:
        return {
            self.id_field: getattr(value, f"{self.noun}_id"),
            "name": value.name,
            "description": value.description or None,
        }


KINDS = (
    _Kind(
        "group",
        GroupRecordValue,
        GroupIntent,
        GroupCreateRequest,
        ("createGroup", "searchGroups", "getGroup", "updateGroup", "deleteGroup"),
        (
            _Member(USERS, "assignUserToGroup", "unassignUserFromGroup", "searchUsersForGroup"),
            _Member(CLIENTS, "assignClientToGroup", "unassignClientFromGroup", "searchClientsForGroup"),
            _Member(
                MAPPING_RULES,
                "assignMappingRuleToGroup",
                "unassignMappingRuleFromGroup",
                "searchMappingRulesForGroup",
            ),
        ),
    ),
    _Kind(
        "role",
        RoleRecordValue,
        RoleIntent,
        RoleCreateRequest,
        ("createRole", "searchRoles", "getRole", "updateRole", "deleteRole"),
        (
            _Member(USERS, "assignRoleToUser", "unassignRoleFromUser", "searchUsersForRole"),
            _Member(CLIENTS, "assignRoleToClient", "unassignRoleFromClient", "searchClientsForRole"),
            _Member(GROUPS, "assignRoleToGroup", "unassignRoleFromGroup", "searchGroupsForRole"),
            _Member(
                MAPPING_RULES,
                "assignRoleToMappingRule",
                "unassignRoleFromMappingRule",
                "searchMappingRulesForRole",
            ),
        ),
    ),
    _Kind(
        "tenant",
        TenantRecordValue,
        TenantIntent,
        TenantCreateRequest,
        ("createTenant", "searchTenants", "getTenant", "updateTenant", "deleteTenant"),
        (
            _Member(USERS, "assignUserToTenant", "unassignUserFromTenant", "searchUsersForTenant"),
            _Member(CLIENTS, "assignClientToTenant", "unassignClientFromTenant", "searchClientsForTenant"),
            _Member(GROUPS, "assignGroupToTenant", "unassignGroupFromTenant", "searchGroupIdsForTenant"),
            _Member(ROLES, "assignRoleToTenant", "unassignRoleFromTenant", "searchRolesForTenant"),
            _Member(
                MAPPING_RULES,
                "assignMappingRuleToTenant",
                "unassignMappingRuleFromTenant",
                "searchMappingRulesForTenant",
            ),
        ),
    ),
)


def _named(handler: Callable[..., Awaitable[Response]], name: str) -> Callable[..., Awaitable[Response]]:
    handler.__name__ = name
    return handler


def _register_entity(kind: _Kind) -> None:
    create_id, search_id, get_id, update_id, delete_id = kind.operation_ids
    item = f"/{{{kind.id_field}}}"

    async def create(request: Request, body: Any) -> Response:
        fields = {"name": body.name or "", "description": body.description or ""}
        value = kind.value(getattr(body, kind.id_field) or "", **fields)
        created = await _send(request, value, kind.intents.CREATE, create_id)
        return json_response(kind.result(created), 201)

    async def search(request: Request, body: IdentitySearchRequest) -> Response:
        return await _search(request, LISTINGS[kind.noun], body, _described)

    async def get(request: Request, entity_id: str) -> Response:
        what = f"{kind.tag} with ID '{entity_id}'"
        return await _get(request, LISTINGS[kind.noun], entity_id, what, _described)

    async def update(request: Request, entity_id: str, body: EntityUpdateRequest) -> Response:
        value = kind.value(entity_id, name=body.name or "", description=body.description or "")
        updated = await _send(request, value, kind.intents.UPDATE, update_id)
        return json_response(kind.result(updated))

    async def delete(request: Request, entity_id: str) -> Response:
        await _send(request, kind.value(entity_id), kind.intents.DELETE, delete_id)
        return Response(status_code=204)

    tag, noun = kind.tag, kind.noun
    options: dict[str, Any] = {"tag": tag, "body_required": True}
    operations.post(kind.path, create_id, f"Create a {noun}", body=kind.create_body, answers=201, **options)(
        _named(create, create_id)
    )
    operations.post(f"{kind.path}/search", search_id, f"Search {noun}s", body=IdentitySearchRequest, tag=tag)(
        _named(search, search_id)
    )
    operations.get(kind.path + item, get_id, f"Get a {noun} by ID", tag=tag)(_named(get, get_id))
    operations.put(kind.path + item, update_id, f"Rename a {noun}", body=EntityUpdateRequest, **options)(
        _named(update, update_id)
    )
    operations.delete(
        kind.path + item,
        delete_id,
        f"Delete a {noun}, its memberships and authorizations",
        tag=tag,
        answers=204,
    )(_named(delete, delete_id))
    for member in kind.members:
        _register_member(kind, member)
    if kind.noun == "group":  # the roles a group holds: the membership read the other way round
        _register_roles_of_group(kind)


def _register_member(kind: _Kind, member: _Member) -> None:
    base = f"{kind.path}/{{{kind.id_field}}}/{member.type.segment}"

    def membership(entity_id: str, member_id: str) -> Any:
        return kind.value(entity_id, entity_id=member_id, entity_type=member.type.entity_type)

    async def assign(request: Request, entity_id: str, member_id: str) -> Response:
        await _send(request, membership(entity_id, member_id), kind.intents.ADD_ENTITY, member.assign)
        return Response(status_code=204)

    async def unassign(request: Request, entity_id: str, member_id: str) -> Response:
        await _send(request, membership(entity_id, member_id), kind.intents.REMOVE_ENTITY, member.unassign)
        return Response(status_code=204)

    async def search(request: Request, entity_id: str, body: IdentitySearchRequest) -> Response:
        listing = member_listing(kind.noun.upper(), entity_id, str(member.type.entity_type))
        shape = _described if member.type is ROLES else _as_stored
        return await _search(request, listing, body, shape)

    tag = kind.tag
    path = f"{base}/{{{member.type.parameter}}}"
    operations.put(
        path, member.assign, f"Assign a {member.type.noun} to a {kind.noun}", tag=tag, answers=204
    )(_named(assign, member.assign))
    operations.delete(
        path, member.unassign, f"Unassign a {member.type.noun} from a {kind.noun}", tag=tag, answers=204
    )(_named(unassign, member.unassign))
    operations.post(
        f"{base}/search",
        member.search,
        f"The {member.type.noun}s of a {kind.noun}",
        body=IdentitySearchRequest,
        tag=tag,
    )(_named(search, member.search))


def _register_roles_of_group(kind: _Kind) -> None:
    async def search_roles_for_group(
        request: Request, group_id: str, body: IdentitySearchRequest
    ) -> Response:
        return await _search(request, roles_of_group(group_id), body, _described)

    operations.post(
        "/groups/{groupId}/roles/search",
        "searchRolesForGroup",
        "The roles a group holds",
        body=IdentitySearchRequest,
        tag=kind.tag,
    )(search_roles_for_group)


for _kind in KINDS:
    _register_entity(_kind)


# -- mapping rules -----------------------------------------------------------------------------------


def _mapping_rule_result(value: MappingRuleRecordValue) -> dict[str, Any]:
    return {
        "mappingRuleId": value.mapping_rule_id,
        "claimName": value.claim_name,
        "claimValue": value.claim_value,
        "name": value.name,
    }


@operations.post(
    "/mapping-rules",
    "createMappingRule",
    "Create a mapping rule (a token claim name and value)",
    tag="Mapping rule",
    body=MappingRuleCreateRequest,
    body_required=True,
    answers=201,
)
async def create_mapping_rule(request: Request, body: MappingRuleCreateRequest) -> Response:
    value = MappingRuleRecordValue(
        mapping_rule_id=body.mappingRuleId or "",
        claim_name=body.claimName or "",
        claim_value=body.claimValue or "",
        name=body.name or "",
    )
    created = await _send(request, value, MappingRuleIntent.CREATE, "createMappingRule")
    return json_response(_mapping_rule_result(created), 201)


@operations.post(
    "/mapping-rules/search",
    "searchMappingRule",
    "Search mapping rules",
    tag="Mapping rule",
    body=IdentitySearchRequest,
)
async def search_mapping_rules(request: Request, body: IdentitySearchRequest) -> Response:
    return await _search(request, LISTINGS["mappingRule"], body)


@operations.get("/mapping-rules/{mappingRuleId}", "getMappingRule", "Get a mapping rule", tag="Mapping rule")
async def get_mapping_rule(request: Request, mappingRuleId: str) -> Response:
    what = f"Mapping rule with ID '{mappingRuleId}'"
    return await _get(request, LISTINGS["mappingRule"], mappingRuleId, what)


@operations.put(
    "/mapping-rules/{mappingRuleId}",
    "updateMappingRule",
    "Change a mapping rule's claim and name",
    tag="Mapping rule",
    body=MappingRuleUpdateRequest,
    body_required=True,
)
async def update_mapping_rule(
    request: Request, mappingRuleId: str, body: MappingRuleUpdateRequest
) -> Response:
    value = MappingRuleRecordValue(
        mapping_rule_id=mappingRuleId,
        claim_name=body.claimName or "",
        claim_value=body.claimValue or "",
        name=body.name or "",
    )
    updated = await _send(request, value, MappingRuleIntent.UPDATE, "updateMappingRule")
    return json_response(_mapping_rule_result(updated))


@operations.delete(
    "/mapping-rules/{mappingRuleId}",
    "deleteMappingRule",
    "Delete a mapping rule",
    tag="Mapping rule",
    answers=204,
)
async def delete_mapping_rule(request: Request, mappingRuleId: str) -> Response:
    value = MappingRuleRecordValue(mapping_rule_id=mappingRuleId)
    await _send(request, value, MappingRuleIntent.DELETE, "deleteMappingRule")
    return Response(status_code=204)


# -- authorizations ----------------------------------------------------------------------------------


def _authorization_value(body: AuthorizationRequest, authorization_key: int = -1) -> AuthorizationRecordValue:
    if body.resourcePropertyName and not body.resourceId:
        raise invalid_argument(
            "Authorizations by resource property ('resourcePropertyName') are not supported by Strom: "
            "name a 'resourceId' ('*' for every resource of the type)"
        )
    return AuthorizationRecordValue(
        authorization_key=authorization_key,
        owner_id=body.ownerId or "",
        owner_type=body.ownerType or AuthorizationOwnerType.UNSPECIFIED,
        resource_id=body.resourceId or "",
        resource_type=body.resourceType or AuthorizationResourceType.UNSPECIFIED,
        permission_types=list(body.permissionTypes or []),
    )


def _authorization_result(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "authorizationKey": str(item["authorizationKey"]),
        "ownerId": item["ownerId"],
        "ownerType": item["ownerType"],
        "resourceType": item["resourceType"],
        "resourceId": item["resourceId"],
        "resourcePropertyName": None,
        "permissionTypes": json.loads(item["permissionTypes"]),
    }


@operations.post(
    "/authorizations",
    "createAuthorization",
    "Give an owner permissions on a resource id ('*': every resource of the type)",
    tag="Authorization",
    body=AuthorizationRequest,
    body_required=True,
    answers=201,
)
async def create_authorization(request: Request, body: AuthorizationRequest) -> Response:
    created = await _send(
        request, _authorization_value(body), AuthorizationIntent.CREATE, "createAuthorization"
    )
    return json_response({"authorizationKey": str(created.authorization_key)}, 201)


@operations.post(
    "/authorizations/search",
    "searchAuthorizations",
    "Search authorizations by owner, resource type and resource ids",
    tag="Authorization",
    body=IdentitySearchRequest,
)
async def search_authorizations(request: Request, body: IdentitySearchRequest) -> Response:
    given = dict(body.filter or {})
    resource_ids = given.pop("resourceIds", None)
    property_names = given.pop("resourcePropertyNames", None)
    if resource_ids is not None:
        given["resourceId"] = {"$in": resource_ids}
    if property_names:  # no authorization of Strom names a resource property
        given["resourceMatcher"] = {"$in": []}
    # Strom's authorizations have no resource property: sorting by it orders nothing.
    sort = [
        entry for entry in msgspec.to_builtins(body.sort or []) if entry["field"] != "resourcePropertyName"
    ]
    return await _search(request, LISTINGS["authorization"], body, _authorization_result, given, sort)


@operations.get(
    "/authorizations/{authorizationKey}",
    "getAuthorization",
    "Get an authorization by key",
    tag="Authorization",
)
async def get_authorization(request: Request, authorizationKey: str) -> Response:
    number = key(authorizationKey, "authorizationKey")
    what = f"Authorization with key '{authorizationKey}'"
    return await _get(request, LISTINGS["authorization"], number, what, _authorization_result)


@operations.put(
    "/authorizations/{authorizationKey}",
    "updateAuthorization",
    "Replace an authorization's owner, resource and permissions",
    tag="Authorization",
    body=AuthorizationRequest,
    body_required=True,
    answers=204,
)
async def update_authorization(
    request: Request, authorizationKey: str, body: AuthorizationRequest
) -> Response:
    value = _authorization_value(body, key(authorizationKey, "authorizationKey"))
    await _send(request, value, AuthorizationIntent.UPDATE, "updateAuthorization")
    return Response(status_code=204)


@operations.delete(
    "/authorizations/{authorizationKey}",
    "deleteAuthorization",
    "Delete an authorization",
    tag="Authorization",
    answers=204,
)
async def delete_authorization(request: Request, authorizationKey: str) -> Response:
    value = AuthorizationRecordValue(authorization_key=key(authorizationKey, "authorizationKey"))
    await _send(request, value, AuthorizationIntent.DELETE, "deleteAuthorization")
    return Response(status_code=204)
