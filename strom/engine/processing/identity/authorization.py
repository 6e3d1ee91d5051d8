"""AUTHORIZATION CREATE, UPDATE and DELETE (Zeebe's ``AuthorizationCreateProcessor``,
``AuthorizationUpdateProcessor``, ``AuthorizationDeleteProcessor`` with ``PermissionsBehavior`` and
``AuthorizationEntityValidator``).

An authorization gives its owner permission types on resources of one type: all of them (matcher
ANY, resource id ``*``) or the one with the resource id (matcher ID). A matcher left UNSPECIFIED
follows from the resource id. The permission types must be ones the resource type supports
(``SUPPORTED_PERMISSIONS``), and an owner holds a permission on a resource id once: granting it
again is ALREADY_EXISTS. Owners and resources that are users, groups, roles or mapping rules must
exist (Strom manages its users and groups itself, Zeebe's "Camunda users/groups enabled"); clients
are not checked. An update replaces owner, resource and permissions of the authorization with the
key given.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.identity._support import Accepted, Decision, IdentityCommands, Rejected
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.identity import IdentityState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import AuthorizationIntent
from strom.protocol.record import Record
from strom.protocol.values.identity import (
    SUPPORTED_PERMISSIONS,
    WILDCARD_RESOURCE_ID,
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceMatcher,
    AuthorizationResourceType,
)
from strom.stream.key_generator import KeyGenerator

_Matcher = AuthorizationResourceMatcher


def _normalized(verb: str, value: AuthorizationRecordValue) -> AuthorizationRecordValue | Rejected:
    """The value with its matcher and resource id made consistent, or INVALID_ARGUMENT."""

    def invalid(reason: str) -> Rejected:
        return Rejected(RejectionType.INVALID_ARGUMENT, f"Expected to {verb} authorization, but {reason}")

    if not value.owner_id:
        return invalid("no ownerId was provided")
    if value.owner_type is AuthorizationOwnerType.UNSPECIFIED:
        return invalid("no ownerType was provided")
    if value.resource_type is AuthorizationResourceType.UNSPECIFIED:
        return invalid("no resourceType was provided")
    matcher, resource_id = value.resource_matcher, value.resource_id
    if matcher is _Matcher.UNSPECIFIED:
        if not resource_id:
            return invalid("no resourceId was provided (a resource id, or '*' for every resource)")
        matcher = _Matcher.ANY if resource_id == WILDCARD_RESOURCE_ID else _Matcher.ID
    if matcher is _Matcher.ANY:
        if resource_id not in ("", WILDCARD_RESOURCE_ID):
            return invalid(f"the resourceId is '{resource_id}' while the resourceMatcher is ANY (use '*')")
        resource_id = WILDCARD_RESOURCE_ID
    elif not resource_id or resource_id == WILDCARD_RESOURCE_ID:
        return invalid("the resourceMatcher is ID and no resourceId (other than '*') was provided")
    if not value.permission_types:
        return invalid("no permissionTypes were provided")
    supported = SUPPORTED_PERMISSIONS[value.resource_type]
    unsupported = [permission for permission in value.permission_types if permission not in supported]
    if unsupported:
        return Rejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to {verb} authorization with permission types '{_names(unsupported)}' and "
            f"resource type '{value.resource_type}', but these permissions are not supported. "
            f"Supported permission types are: '{_names(supported)}'",
        )
    permissions = sorted(set(value.permission_types))
    return replace(value, resource_matcher=matcher, resource_id=resource_id, permission_types=permissions)


def _names(permissions: Any) -> str:
    return "[" + ", ".join(sorted(str(permission) for permission in permissions)) + "]"


_ENTITY_CHECKED = {
    AuthorizationOwnerType.USER: ("user", lambda identity, entity_id: identity.user(entity_id)),
    AuthorizationOwnerType.GROUP: ("group", lambda identity, entity_id: identity.group(entity_id)),
    AuthorizationOwnerType.ROLE: ("role", lambda identity, entity_id: identity.role(entity_id)),
    AuthorizationOwnerType.MAPPING_RULE: (
        "mapping rule",
        lambda identity, entity_id: identity.mapping_rule(entity_id),
    ),
}
_RESOURCE_OWNER_TYPES = {
    AuthorizationResourceType.USER: AuthorizationOwnerType.USER,
    AuthorizationResourceType.GROUP: AuthorizationOwnerType.GROUP,
    AuthorizationResourceType.ROLE: AuthorizationOwnerType.ROLE,
    AuthorizationResourceType.MAPPING_RULE: AuthorizationOwnerType.MAPPING_RULE,
}


def _missing_entity(identity: IdentityState, value: AuthorizationRecordValue) -> Rejected | None:
    """NOT_FOUND when the owner, or a resource that is an identity entity, does not exist."""
    checks = [(value.owner_type, value.owner_id)]
    resource_type = _RESOURCE_OWNER_TYPES.get(value.resource_type)
    if resource_type is not None and value.resource_id != WILDCARD_RESOURCE_ID:
        checks.append((resource_type, value.resource_id))
    for entity_type, entity_id in checks:
        checked = _ENTITY_CHECKED.get(entity_type)
        if checked is not None and checked[1](identity, entity_id) is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                "Expected to create or update authorization with ownerId or resourceId "
                f"'{entity_id}', but a {checked[0]} with this ID does not exist",
            )
    return None


def _already_granted(
    identity: IdentityState, value: AuthorizationRecordValue, ignore_key: int = -1
) -> Rejected | None:
    for held in identity.authorizations_of(value.owner_type, value.owner_id):
        if (
            held.authorization_key != ignore_key
            and held.resource_type is value.resource_type
            and held.resource_id == value.resource_id
            and set(held.permission_types) & set(value.permission_types)
        ):
            return Rejected(
                RejectionType.ALREADY_EXISTS,
                f"Expected to create authorization for owner '{value.owner_id}' for resource "
                f"identifier '{value.resource_id}', but an authorization for this resource "
                "identifier already exists",
            )
    return None


class _AuthorizationProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._identity = state.identity
        self._commands = IdentityCommands(state, behaviors, keys)


class AuthorizationCreateProcessor(_AuthorizationProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=True)

    def _decide(self, value: AuthorizationRecordValue, distributed: bool) -> Decision:
        if distributed:
            return Accepted(value.authorization_key, AuthorizationIntent.CREATED, value)
        normalized = _normalized("create", value)
        if isinstance(normalized, Rejected):
            return normalized
        rejected = _missing_entity(self._identity, normalized) or _already_granted(self._identity, normalized)
        if rejected is not None:
            return rejected
        key = self._commands.next_key()
        return Accepted(key, AuthorizationIntent.CREATED, replace(normalized, authorization_key=key))


class AuthorizationUpdateProcessor(_AuthorizationProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: AuthorizationRecordValue, distributed: bool) -> Decision:
        key = value.authorization_key
        if self._identity.authorization(key) is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to update authorization with key {key}, but an authorization with this "
                "key does not exist",
            )
        if distributed:
            return Accepted(key, AuthorizationIntent.UPDATED, value)
        normalized = _normalized("update", value)
        if isinstance(normalized, Rejected):
            return normalized
        rejected = _missing_entity(self._identity, normalized) or _already_granted(
            self._identity, normalized, ignore_key=key
        )
        if rejected is not None:
            return rejected
        return Accepted(key, AuthorizationIntent.UPDATED, normalized)


class AuthorizationDeleteProcessor(_AuthorizationProcessor):
    def process(self, command: Record[Any], writers: Writers) -> None:
        self._commands.process(command, writers, self._decide, creates=False)

    def _decide(self, value: AuthorizationRecordValue, distributed: bool) -> Decision:
        key = value.authorization_key
        stored = self._identity.authorization(key)
        if stored is None:
            return Rejected(
                RejectionType.NOT_FOUND,
                f"Expected to delete authorization with key {key}, but an authorization with this "
                "key does not exist",
            )
        return Accepted(key, AuthorizationIntent.DELETED, stored)
