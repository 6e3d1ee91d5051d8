"""MAPPING_RULE and AUTHORIZATION: create / update / delete, with Zeebe's rejections."""

from __future__ import annotations

from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import AuthorizationIntent, MappingRuleIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceMatcher,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)
from strom.testing import TestEngine
from strom.testing.identity import identity

USER = AuthorizationOwnerType.USER
PROCESS = AuthorizationResourceType.PROCESS_DEFINITION
START = PermissionType.CREATE_PROCESS_INSTANCE


def test_a_mapping_rule_is_created_updated_and_deleted(engine: TestEngine) -> None:
    ids = identity(engine)

    created = ids.create_mapping_rule("eng", "department", "engineering", "Engineers")
    updated = ids.update_mapping_rule("eng", "department", "eng", "Engineers")
    deleted = ids.delete_mapping_rule("eng")

    assert created.intent == MappingRuleIntent.CREATED and created.value.mapping_rule_key == created.key
    assert updated.intent == MappingRuleIntent.UPDATED and updated.value.claim_value == "eng"
    assert deleted.intent == MappingRuleIntent.DELETED
    with engine.state() as state:
        assert state.identity.mapping_rule("eng") is None
        assert state.identity.mapping_rule_for_claim("department", "eng") is None


def test_a_claim_maps_to_one_mapping_rule(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_mapping_rule("first", "department", "engineering")
    ids.create_mapping_rule("second", "department", "sales")

    same_claim = ids.create_mapping_rule("third", "department", "engineering", expect_rejection=True)
    same_id = ids.create_mapping_rule("first", "team", "x", expect_rejection=True)
    moved_onto = ids.update_mapping_rule("second", "department", "engineering", expect_rejection=True)

    assert same_claim.rejection_type is RejectionType.ALREADY_EXISTS
    assert same_claim.rejection_reason == (
        "Expected to create mapping rule with claimName 'department' and claimValue 'engineering', "
        "but a mapping rule with this claim already exists"
    )
    assert same_id.rejection_reason == (
        "Expected to create mapping rule with id 'first', but a mapping rule with this id already exists"
    )
    assert moved_onto.rejection_reason.startswith("Expected to update mapping rule with claimName")
    with engine.state() as state:
        assert state.identity.mapping_rule_for_claim("department", "sales") == "second"


def test_a_mapping_rule_needs_every_field_and_an_unknown_one_is_not_found(engine: TestEngine) -> None:
    ids = identity(engine)

    no_claim = ids.create_mapping_rule("r", "", "v", expect_rejection=True)
    unknown = ids.delete_mapping_rule("nope", expect_rejection=True)

    assert no_claim.rejection_type is RejectionType.INVALID_ARGUMENT
    assert no_claim.rejection_reason == "Expected to create mapping rule, but no claimName was provided"
    assert unknown.rejection_type is RejectionType.NOT_FOUND
    assert unknown.rejection_reason == (
        "Expected to delete mapping rule with id 'nope', but a mapping rule with this id does not exist"
    )


def test_deleting_a_mapping_rule_removes_it_from_its_groups(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_mapping_rule("mr", "sub", "abc")
    ids.create_group("eng")
    ids.add_to_group("eng", "mr", EntityType.MAPPING_RULE)

    ids.delete_mapping_rule("mr")

    with engine.state() as state:
        assert list(state.identity.memberships_of(EntityType.MAPPING_RULE, "mr")) == []


def test_an_authorization_for_every_resource_gets_matcher_any_and_id_star(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")

    created = ids.create_authorization("demo", USER, PROCESS, [START, PermissionType.READ_PROCESS_INSTANCE])

    assert created.intent == AuthorizationIntent.CREATED and created.value.authorization_key == created.key
    assert created.value.resource_matcher is AuthorizationResourceMatcher.ANY
    assert created.value.resource_id == "*"
    assert set(created.value.permission_types) == {START, PermissionType.READ_PROCESS_INSTANCE}
    with engine.state() as state:
        assert [a.authorization_key for a in state.identity.authorizations_of(USER, "demo")] == [created.key]


def test_an_authorization_for_one_resource_gets_matcher_id(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")

    created = ids.create_authorization("demo", USER, PROCESS, [START], "order-process")

    assert created.value.resource_matcher is AuthorizationResourceMatcher.ID
    assert created.value.resource_id == "order-process"


def test_permissions_the_resource_type_does_not_support_are_an_invalid_argument(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")

    rejection = ids.create_authorization(
        "demo", USER, AuthorizationResourceType.MESSAGE, [PermissionType.DELETE], expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == (
        "Expected to create authorization with permission types '[DELETE]' and resource type "
        "'MESSAGE', but these permissions are not supported. Supported permission types are: "
        "'[CREATE, READ]'"
    )


def test_an_authorization_needs_owner_resource_type_and_permissions(engine: TestEngine) -> None:
    ids = identity(engine)

    no_owner = ids.create_authorization("", USER, PROCESS, [START], expect_rejection=True)
    no_type = ids.create_authorization(
        "demo",
        AuthorizationOwnerType.CLIENT,
        AuthorizationResourceType.UNSPECIFIED,
        [START],
        expect_rejection=True,
    )
    none = ids.create_authorization("app", AuthorizationOwnerType.CLIENT, PROCESS, [], expect_rejection=True)
    any_with_id = ids.create_authorization(
        "app",
        AuthorizationOwnerType.CLIENT,
        PROCESS,
        [START],
        "order",
        matcher=AuthorizationResourceMatcher.ANY,
        expect_rejection=True,
    )

    assert {r.rejection_type for r in (no_owner, no_type, none, any_with_id)} == {
        RejectionType.INVALID_ARGUMENT
    }
    assert no_owner.rejection_reason == "Expected to create authorization, but no ownerId was provided"
    assert no_type.rejection_reason == "Expected to create authorization, but no resourceType was provided"
    assert none.rejection_reason == "Expected to create authorization, but no permissionTypes were provided"


def test_an_owner_that_does_not_exist_is_not_found_but_a_client_needs_none(engine: TestEngine) -> None:
    ids = identity(engine)

    user = ids.create_authorization("ghost", USER, PROCESS, [START], expect_rejection=True)
    role = ids.create_authorization(
        "ghost", AuthorizationOwnerType.ROLE, PROCESS, [START], expect_rejection=True
    )
    client = ids.create_authorization("worker-app", AuthorizationOwnerType.CLIENT, PROCESS, [START])

    assert user.rejection_type is RejectionType.NOT_FOUND
    assert user.rejection_reason == (
        "Expected to create or update authorization with ownerId or resourceId 'ghost', but a user "
        "with this ID does not exist"
    )
    assert "but a role with this ID does not exist" in role.rejection_reason
    assert client.intent == AuthorizationIntent.CREATED


def test_granting_a_permission_twice_is_already_exists(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    ids.create_authorization("demo", USER, PROCESS, [START], "order")

    again = ids.create_authorization(
        "demo", USER, PROCESS, [START, PermissionType.READ_USER_TASK], "order", expect_rejection=True
    )
    other_resource = ids.create_authorization("demo", USER, PROCESS, [START], "invoice")

    assert again.rejection_type is RejectionType.ALREADY_EXISTS
    assert again.rejection_reason == (
        "Expected to create authorization for owner 'demo' for resource identifier 'order', but an "
        "authorization for this resource identifier already exists"
    )
    assert other_resource.intent == AuthorizationIntent.CREATED


def test_an_authorization_is_updated_and_deleted_by_key(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    ids.create_user("other", "pw")
    created = ids.create_authorization("demo", USER, PROCESS, [START])

    updated = ids.update_authorization(
        created.key, "other", USER, PROCESS, [PermissionType.READ_PROCESS_DEFINITION]
    )
    deleted = ids.delete_authorization(created.key)
    unknown = ids.delete_authorization(created.key, expect_rejection=True)
    unknown_update = ids.update_authorization(123, "demo", USER, PROCESS, [START], expect_rejection=True)

    assert updated.intent == AuthorizationIntent.UPDATED and updated.key == created.key
    assert (updated.value.owner_id, updated.value.permission_types) == (
        "other",
        [PermissionType.READ_PROCESS_DEFINITION],
    )
    assert deleted.intent == AuthorizationIntent.DELETED and deleted.value.owner_id == "other"
    assert unknown.rejection_type is RejectionType.NOT_FOUND
    assert unknown.rejection_reason == (
        f"Expected to delete authorization with key {created.key}, but an authorization with this key "
        "does not exist"
    )
    assert unknown_update.rejection_reason == (
        "Expected to update authorization with key 123, but an authorization with this key does not exist"
    )
    with engine.state() as state:
        assert list(state.identity.authorizations_of(USER, "demo")) == []
        assert list(state.identity.authorizations_of(USER, "other")) == []
    assert (
        not engine.records.of(ValueType.AUTHORIZATION)
        .with_intent(AuthorizationIntent.CREATE)
        .rejections()
        .exists()
    )
