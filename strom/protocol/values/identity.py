"""Identity values: USER, GROUP, ROLE, TENANT, MAPPING_RULE and AUTHORIZATION (Zeebe 8.8).

Field for field Zeebe's ``UserRecordValue``, ``GroupRecordValue``, ``RoleRecordValue``,
``TenantRecordValue``, ``MappingRuleRecordValue`` and ``AuthorizationRecordValue``, camelCase on
the wire. Group, role and tenant values carry ``entity_id`` / ``entity_type`` only in
ADD_ENTITY / REMOVE_ENTITY and their events (a membership change), as Zeebe's do.

``UserRecordValue.password`` holds what the record is about: the clear-text password in a client's
USER CREATE / UPDATE command, and only ever an argon2 hash in an event (the processor hashes it;
see docs/identity.md).

The enums are Zeebe's, stored by name like every value enum (``strom.protocol.values.enums``).
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class EntityType(StrEnum):
    """What is added to (or removed from) a group, role or tenant."""

    UNSPECIFIED = "UNSPECIFIED"
    USER = "USER"
    CLIENT = "CLIENT"
    MAPPING_RULE = "MAPPING_RULE"
    GROUP = "GROUP"
    ROLE = "ROLE"


class AuthorizationOwnerType(StrEnum):
    """Who holds an authorization's permissions."""

    UNSPECIFIED = "UNSPECIFIED"
    USER = "USER"
    CLIENT = "CLIENT"
    ROLE = "ROLE"
    GROUP = "GROUP"
    MAPPING_RULE = "MAPPING_RULE"


class AuthorizationResourceMatcher(StrEnum):
    """How an authorization names its resources: every one (``ANY``, resource id ``*``) or one id."""

    UNSPECIFIED = "UNSPECIFIED"
    ANY = "ANY"
    ID = "ID"


class PermissionType(StrEnum):
    """What an authorization allows on its resources."""

    ACCESS = "ACCESS"
    CREATE = "CREATE"
    CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE = "CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE"
    CREATE_BATCH_OPERATION_DELETE_PROCESS_INSTANCE = "CREATE_BATCH_OPERATION_DELETE_PROCESS_INSTANCE"
    CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE = "CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE"
    CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE = "CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE"
    CREATE_BATCH_OPERATION_RESOLVE_INCIDENT = "CREATE_BATCH_OPERATION_RESOLVE_INCIDENT"
    CREATE_BATCH_OPERATION_DELETE_DECISION_INSTANCE = "CREATE_BATCH_OPERATION_DELETE_DECISION_INSTANCE"
    CREATE_BATCH_OPERATION_DELETE_DECISION_DEFINITION = "CREATE_BATCH_OPERATION_DELETE_DECISION_DEFINITION"
    CREATE_BATCH_OPERATION_DELETE_PROCESS_DEFINITION = "CREATE_BATCH_OPERATION_DELETE_PROCESS_DEFINITION"
    CREATE_PROCESS_INSTANCE = "CREATE_PROCESS_INSTANCE"
    CREATE_DECISION_INSTANCE = "CREATE_DECISION_INSTANCE"
    READ = "READ"
    READ_PROCESS_INSTANCE = "READ_PROCESS_INSTANCE"
    READ_USER_TASK = "READ_USER_TASK"
    READ_DECISION_INSTANCE = "READ_DECISION_INSTANCE"
    READ_PROCESS_DEFINITION = "READ_PROCESS_DEFINITION"
    READ_DECISION_DEFINITION = "READ_DECISION_DEFINITION"
    READ_USAGE_METRIC = "READ_USAGE_METRIC"
    UPDATE = "UPDATE"
    UPDATE_PROCESS_INSTANCE = "UPDATE_PROCESS_INSTANCE"
    UPDATE_USER_TASK = "UPDATE_USER_TASK"
    CANCEL_PROCESS_INSTANCE = "CANCEL_PROCESS_INSTANCE"
    MODIFY_PROCESS_INSTANCE = "MODIFY_PROCESS_INSTANCE"
    DELETE = "DELETE"
    DELETE_PROCESS = "DELETE_PROCESS"
    DELETE_DRD = "DELETE_DRD"
    DELETE_FORM = "DELETE_FORM"
    DELETE_RESOURCE = "DELETE_RESOURCE"
    DELETE_PROCESS_INSTANCE = "DELETE_PROCESS_INSTANCE"
    DELETE_DECISION_INSTANCE = "DELETE_DECISION_INSTANCE"


class AuthorizationResourceType(StrEnum):
    """What kind of resource an authorization is about (see ``SUPPORTED_PERMISSIONS``)."""

    UNSPECIFIED = "UNSPECIFIED"
    AUTHORIZATION = "AUTHORIZATION"
    BATCH = "BATCH"
    COMPONENT = "COMPONENT"
    DECISION_DEFINITION = "DECISION_DEFINITION"
    DECISION_REQUIREMENTS_DEFINITION = "DECISION_REQUIREMENTS_DEFINITION"
    DOCUMENT = "DOCUMENT"
    GROUP = "GROUP"
    MAPPING_RULE = "MAPPING_RULE"
    MESSAGE = "MESSAGE"
    PROCESS_DEFINITION = "PROCESS_DEFINITION"
    RESOURCE = "RESOURCE"
    ROLE = "ROLE"
    SYSTEM = "SYSTEM"
    TENANT = "TENANT"
    USER = "USER"


_P = PermissionType
_CRUD = frozenset({_P.CREATE, _P.READ, _P.UPDATE, _P.DELETE})

SUPPORTED_PERMISSIONS: dict[AuthorizationResourceType, frozenset[PermissionType]] = {
    AuthorizationResourceType.UNSPECIFIED: frozenset(),
    AuthorizationResourceType.AUTHORIZATION: _CRUD,
    AuthorizationResourceType.BATCH: frozenset(
        {
            _P.CREATE,
            _P.CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE,
            _P.CREATE_BATCH_OPERATION_DELETE_PROCESS_INSTANCE,
            _P.CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE,
            _P.CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE,
            _P.CREATE_BATCH_OPERATION_RESOLVE_INCIDENT,
            _P.CREATE_BATCH_OPERATION_DELETE_DECISION_INSTANCE,
            _P.CREATE_BATCH_OPERATION_DELETE_DECISION_DEFINITION,
            _P.CREATE_BATCH_OPERATION_DELETE_PROCESS_DEFINITION,
            _P.READ,
            _P.UPDATE,
        }
    ),
    AuthorizationResourceType.COMPONENT: frozenset({_P.ACCESS}),
    AuthorizationResourceType.DECISION_DEFINITION: frozenset(
        {
            _P.CREATE_DECISION_INSTANCE,
            _P.READ_DECISION_DEFINITION,
            _P.READ_DECISION_INSTANCE,
            _P.DELETE_DECISION_INSTANCE,
        }
    ),
    AuthorizationResourceType.DECISION_REQUIREMENTS_DEFINITION: frozenset({_P.READ}),
    AuthorizationResourceType.DOCUMENT: frozenset({_P.CREATE, _P.READ, _P.DELETE}),
    AuthorizationResourceType.GROUP: _CRUD,
    AuthorizationResourceType.MAPPING_RULE: _CRUD,
    AuthorizationResourceType.MESSAGE: frozenset({_P.CREATE, _P.READ}),
    AuthorizationResourceType.PROCESS_DEFINITION: frozenset(
        {
            _P.CREATE_PROCESS_INSTANCE,
            _P.READ_PROCESS_DEFINITION,
            _P.READ_PROCESS_INSTANCE,
            _P.READ_USER_TASK,
            _P.UPDATE_PROCESS_INSTANCE,
            _P.UPDATE_USER_TASK,
            _P.MODIFY_PROCESS_INSTANCE,
            _P.CANCEL_PROCESS_INSTANCE,
            _P.DELETE_PROCESS_INSTANCE,
        }
    ),
    AuthorizationResourceType.RESOURCE: frozenset(
        {_P.CREATE, _P.READ, _P.DELETE_DRD, _P.DELETE_FORM, _P.DELETE_PROCESS, _P.DELETE_RESOURCE}
    ),
    AuthorizationResourceType.ROLE: _CRUD,
    AuthorizationResourceType.SYSTEM: frozenset({_P.READ, _P.READ_USAGE_METRIC, _P.UPDATE}),
    AuthorizationResourceType.TENANT: _CRUD,
    AuthorizationResourceType.USER: _CRUD,
}
"""The permission types each resource type supports (Zeebe's ``getSupportedPermissionTypes``)."""

WILDCARD_RESOURCE_ID = "*"
"""The resource id of an authorization whose matcher is ``ANY``."""


class UserRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A user who can log in with a password (Basic authentication)."""

    user_key: int = -1
    username: str = ""
    name: str = ""
    email: str = ""
    password: str = ""


class GroupRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A group of users, clients and mapping rules; ``entity_*`` name a membership change."""

    group_key: int = -1
    group_id: str = ""
    name: str = ""
    description: str = ""
    entity_id: str = ""
    entity_type: EntityType = EntityType.UNSPECIFIED


class RoleRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A role held by users, clients, groups and mapping rules; ``entity_*`` name a membership change."""

    role_key: int = -1
    role_id: str = ""
    name: str = ""
    description: str = ""
    entity_id: str = ""
    entity_type: EntityType = EntityType.UNSPECIFIED


class TenantRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A tenant and who belongs to it; ``entity_*`` name a membership change."""

    tenant_key: int = -1
    tenant_id: str = ""
    name: str = ""
    description: str = ""
    entity_id: str = ""
    entity_type: EntityType = EntityType.UNSPECIFIED


class MappingRuleRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """Maps a token claim (name = value) to an identity that can hold roles, groups and tenants."""

    mapping_rule_key: int = -1
    claim_name: str = ""
    claim_value: str = ""
    name: str = ""
    mapping_rule_id: str = ""


class AuthorizationRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """Permissions of one owner on resources of one type: every one (``*``) or the one named."""

    authorization_key: int = -1
    owner_id: str = ""
    owner_type: AuthorizationOwnerType = AuthorizationOwnerType.UNSPECIFIED
    resource_matcher: AuthorizationResourceMatcher = AuthorizationResourceMatcher.UNSPECIFIED
    resource_id: str = ""
    resource_type: AuthorizationResourceType = AuthorizationResourceType.UNSPECIFIED
    permission_types: list[PermissionType] = []
