"""GROUP, ROLE and TENANT: create / update / delete, members added and removed, with Zeebe's
rejection types and texts."""

from __future__ import annotations

import pytest

from strom.engine.state.identity import Membership, Relation
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import AuthorizationIntent, GroupIntent, RoleIntent, TenantIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)
from strom.testing import TestEngine
from strom.testing.identity import identity


def test_a_group_is_created_updated_and_deleted(engine: TestEngine) -> None:
    ids = identity(engine)

    created = ids.create_group("eng", "Engineering", "builders")
    updated = ids.update_group("eng", "Engineers", "")
    deleted = ids.delete_group("eng")

    assert created.intent == GroupIntent.CREATED and created.value.group_key == created.key
    assert (created.value.group_id, created.value.name, created.value.description) == (
        "eng",
        "Engineering",
        "builders",
    )
    assert updated.intent == GroupIntent.UPDATED and updated.key == created.key
    assert (updated.value.name, updated.value.description) == ("Engineers", "")
    assert deleted.intent == GroupIntent.DELETED and deleted.value.name == "Engineers"
    with engine.state() as state:
        assert state.identity.group("eng") is None


@pytest.mark.parametrize(
    ("create", "reason"),
    [
        ("create_group", "Expected to create group with ID 'x', but a group with this ID already exists"),
        ("create_role", "Expected to create role with ID 'x', but a role with this ID already exists"),
        ("create_tenant", "Expected to create tenant with ID 'x', but a tenant with this ID already exists"),
    ],
)
def test_an_id_that_exists_is_rejected_as_already_existing(
    engine: TestEngine, create: str, reason: str
) -> None:
    ids = identity(engine)
    getattr(ids, create)("x")

    rejection = getattr(ids, create)("x", expect_rejection=True)

    assert (rejection.rejection_type, rejection.rejection_reason) == (RejectionType.ALREADY_EXISTS, reason)


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (
            ("update_group", "nope", "n"),
            "Expected to update group with ID 'nope', but a group with this ID does not exist",
        ),
        (
            ("delete_group", "nope"),
            "Expected to delete group with ID 'nope', but a group with this ID doesn't exist",
        ),
        (
            ("update_role", "nope", "n"),
            "Expected to update role with ID 'nope', but a role with this ID does not exist",
        ),
        (
            ("delete_role", "nope"),
            "Expected to delete role with ID 'nope', but a role with this ID doesn't exist",
        ),
        (
            ("update_tenant", "nope", "n"),
            "Expected to update tenant with id 'nope', but no tenant with this id exists",
        ),
        (
            ("delete_tenant", "nope"),
            "Expected to delete tenant with id 'nope', but no tenant with this id exists",
        ),
        (
            ("add_to_group", "nope", "demo"),
            "Expected to update group with ID 'nope', but a group with this ID does not exist",
        ),
        (
            ("add_to_tenant", "nope", "demo"),
            "Expected to add entity to tenant with ID 'nope', but no tenant with this ID exists",
        ),
        (
            ("remove_from_tenant", "nope", "demo"),
            "Expected to remove entity from tenant 'nope', but no tenant with this ID exists",
        ),
    ],
)
def test_an_unknown_group_role_or_tenant_is_not_found(
    engine: TestEngine, call: tuple[str, ...], reason: str
) -> None:
    method, *args = call

    rejection = getattr(identity(engine), method)(*args, expect_rejection=True)

    assert (rejection.rejection_type, rejection.rejection_reason) == (RejectionType.NOT_FOUND, reason)


def test_a_group_needs_an_id_and_a_name(engine: TestEngine) -> None:
    ids = identity(engine)

    no_id = ids.create_group("", "Name", expect_rejection=True)
    no_name = ids.create_group("eng", "", expect_rejection=True)
    bad_id = ids.create_role("ops team", expect_rejection=True)

    assert no_id.rejection_type is RejectionType.INVALID_ARGUMENT
    assert no_id.rejection_reason == "Expected to create group, but no groupId was provided"
    assert no_name.rejection_reason == "Expected to create group, but no name was provided"
    assert bad_id.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "roleId 'ops team', but the roleId contains illegal characters" in bad_id.rejection_reason


def test_the_default_tenant_id_is_a_valid_tenant_id(engine: TestEngine) -> None:
    created = identity(engine).create_tenant("<default>", "Default")

    assert created.intent == TenantIntent.CREATED


def test_members_are_added_and_removed(engine: TestEngine) -> None:
    ids = identity(engine)
    group = ids.create_group("eng")
    ids.create_mapping_rule("mr", "department", "engineering")

    added = ids.add_to_group("eng", "demo")
    ids.add_to_group("eng", "worker-app", EntityType.CLIENT)
    ids.add_to_group("eng", "mr", EntityType.MAPPING_RULE)
    removed = ids.remove_from_group("eng", "demo")

    assert added.intent == GroupIntent.ENTITY_ADDED and added.key == group.key
    assert (added.value.group_key, added.value.entity_id, added.value.entity_type) == (
        group.key,
        "demo",
        EntityType.USER,
    )
    assert removed.intent == GroupIntent.ENTITY_REMOVED
    with engine.state() as state:
        members = {(m.entity_type, m.entity_id) for m in state.identity.members(Relation.GROUP, "eng")}
        assert members == {(EntityType.CLIENT, "worker-app"), (EntityType.MAPPING_RULE, "mr")}
        assert list(state.identity.memberships_of(EntityType.MAPPING_RULE, "mr")) == [
            Membership(Relation.GROUP, "eng", EntityType.MAPPING_RULE, "mr")
        ]


def test_adding_a_member_twice_is_already_exists_and_removing_a_non_member_is_not_found(
    engine: TestEngine,
) -> None:
    ids = identity(engine)
    ids.create_group("eng")
    ids.create_role("ops")
    ids.create_tenant("acme")
    ids.add_to_group("eng", "demo")
    ids.add_to_role("ops", "demo")
    ids.add_to_tenant("acme", "demo")

    group_twice = ids.add_to_group("eng", "demo", expect_rejection=True)
    role_twice = ids.add_to_role("ops", "demo", expect_rejection=True)
    tenant_twice = ids.add_to_tenant("acme", "demo", expect_rejection=True)
    group_absent = ids.remove_from_group("eng", "other", expect_rejection=True)
    tenant_absent = ids.remove_from_tenant("acme", "other", expect_rejection=True)

    assert group_twice.rejection_type is RejectionType.ALREADY_EXISTS
    assert group_twice.rejection_reason == (
        "Expected to add entity with ID 'demo' to group with ID 'eng', but the entity is already "
        "assigned to this group"
    )
    assert role_twice.rejection_reason == (
        "Expected to add entity with ID 'demo' to role with ID 'ops', but the entity is already "
        "assigned to this role"
    )
    assert tenant_twice.rejection_reason == (
        "Expected to add user with ID 'demo' to tenant with ID 'acme', but the user is already "
        "assigned to the tenant"
    )
    assert group_absent.rejection_type is RejectionType.NOT_FOUND
    assert group_absent.rejection_reason == (
        "Expected to remove entity with ID 'other' from group with ID 'eng', but the entity is not "
        "assigned to this group"
    )
    assert tenant_absent.rejection_reason == (
        "Expected to remove user with ID 'other' from tenant with ID 'acme', but the user is not "
        "assigned to this tenant"
    )


def test_a_mapping_rule_group_or_role_member_must_exist(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_group("eng")
    ids.create_role("ops")
    ids.create_tenant("acme")

    rule = ids.add_to_group("eng", "ghost-rule", EntityType.MAPPING_RULE, expect_rejection=True)
    group = ids.add_to_role("ops", "ghost-group", EntityType.GROUP, expect_rejection=True)
    role = ids.add_to_tenant("acme", "ghost-role", EntityType.ROLE, expect_rejection=True)

    assert rule.rejection_type is RejectionType.NOT_FOUND
    assert rule.rejection_reason == (
        "Expected to add an entity with ID 'ghost-rule' and type 'MAPPING_RULE' to group with ID "
        "'eng', but the entity doesn't exist"
    )
    assert group.rejection_reason == (
        "Expected to add an entity with ID 'ghost-group' and type 'GROUP' to role with ID 'ops', "
        "but the entity doesn't exist"
    )
    assert role.rejection_reason == (
        "Expected to add role with ID 'ghost-role' to tenant with ID 'acme', but the role doesn't exist"
    )


def test_an_entity_type_a_group_does_not_take_is_an_invalid_argument(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_group("eng")
    ids.create_role("ops")

    role_in_group = ids.add_to_group("eng", "ops", EntityType.ROLE, expect_rejection=True)
    unspecified = ids.add_to_group("eng", "x", EntityType.UNSPECIFIED, expect_rejection=True)
    no_id = ids.add_to_group("eng", "", expect_rejection=True)

    assert role_in_group.rejection_type is RejectionType.INVALID_ARGUMENT
    assert role_in_group.rejection_reason == (
        "Expected to add an entity of type 'ROLE' to group with ID 'eng', but the entityType must be "
        "one of USER, CLIENT, MAPPING_RULE"
    )
    assert unspecified.rejection_type is RejectionType.INVALID_ARGUMENT
    assert no_id.rejection_reason == (
        "Expected to add an entity to group with ID 'eng', but no entityId was provided"
    )


def test_deleting_a_group_removes_its_members_its_roles_and_its_authorizations(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_group("eng")
    ids.create_role("ops")
    ids.create_tenant("acme")
    ids.add_to_group("eng", "demo")
    ids.add_to_role("ops", "eng", EntityType.GROUP)
    ids.add_to_tenant("acme", "eng", EntityType.GROUP)
    ids.create_authorization(
        "eng", AuthorizationOwnerType.GROUP, AuthorizationResourceType.MESSAGE, [PermissionType.CREATE]
    )

    deleted = ids.delete_group("eng")

    step = [
        (r.value_type, r.intent, getattr(r.value, "entity_id", ""))
        for r in engine.records.all().events().limit(200)
        if r.source_record_position == deleted.source_record_position
    ]
    assert step == [
        (ValueType.GROUP, GroupIntent.ENTITY_REMOVED, "demo"),
        (ValueType.ROLE, RoleIntent.ENTITY_REMOVED, "eng"),
        (ValueType.TENANT, TenantIntent.ENTITY_REMOVED, "eng"),
        (ValueType.AUTHORIZATION, AuthorizationIntent.DELETED, ""),
        (ValueType.GROUP, GroupIntent.DELETED, ""),
    ]
    with engine.state() as state:
        assert list(state.identity.members(Relation.ROLE, "ops")) == []
        assert list(state.identity.memberships_of(EntityType.USER, "demo")) == []
        assert list(state.identity.authorizations_of(AuthorizationOwnerType.GROUP, "eng")) == []


def test_deleting_a_tenant_removes_its_members(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_tenant("acme")
    ids.add_to_tenant("acme", "demo")

    ids.delete_tenant("acme")

    assert engine.records.of(ValueType.TENANT).with_intent(TenantIntent.ENTITY_REMOVED).exists()
    with engine.state() as state:
        assert state.identity.tenant("acme") is None
        assert list(state.identity.memberships_of(EntityType.USER, "demo")) == []
