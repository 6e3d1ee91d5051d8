"""USER CREATE / UPDATE / DELETE: the events written, Zeebe's rejections, password hashes only,
and the users as a restarted partition has them."""

from __future__ import annotations

import pytest

from strom.engine.state.identity import Relation
from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import AuthorizationIntent, GroupIntent, RoleIntent, TenantIntent, UserIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceType,
    PermissionType,
    UserRecordValue,
)
from strom.testing import TestEngine
from strom.testing.identity import identity


def test_creating_a_user_writes_created_with_a_new_key_and_an_argon2_hash(engine: TestEngine) -> None:
    created = identity(engine).create_user("demo", "s3cret!", name="Demo", email="demo@example.com")

    assert created.record_type is RecordType.EVENT and created.intent == UserIntent.CREATED
    assert created.value.user_key == created.key > 0
    assert (created.value.username, created.value.name, created.value.email) == (
        "demo",
        "Demo",
        "demo@example.com",
    )
    assert created.value.password.startswith("$argon2id$")
    assert "s3cret!" not in created.value.password


def test_no_record_on_the_log_holds_a_clear_text_password(engine: TestEngine) -> None:
    users = identity(engine)
    users.create_user("demo", "first-password")
    users.update_user("demo", password="second-password")
    users.delete_user("demo")

    events = engine.records.of(ValueType.USER).events().limit(10)
    assert [event.intent for event in events] == [UserIntent.CREATED, UserIntent.UPDATED, UserIntent.DELETED]
    for record in engine.records.of(ValueType.USER).limit(20):  # commands, events, everything
        assert "password" not in record.value.password
        assert record.value.password.startswith("$argon2id$") or record.intent == UserIntent.DELETE


@pytest.mark.parametrize("intent", [UserIntent.CREATE, UserIntent.UPDATE])
def test_a_clear_text_password_in_a_command_is_refused(engine: TestEngine, intent: UserIntent) -> None:
    identity(engine).create_user("demo", "first-password")

    rejection = engine.send(
        UserRecordValue(username="demo", password="clear-text"), intent, expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "password is not hashed" in rejection.rejection_reason
    assert identity(engine).verify("demo", "first-password")


def test_a_username_that_exists_is_rejected_as_already_existing(engine: TestEngine) -> None:
    users = identity(engine)
    users.create_user("demo", "a")

    rejection = users.create_user("demo", "b", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.ALREADY_EXISTS
    assert rejection.rejection_reason == (
        "Expected to create user with username 'demo', but a user with this username already exists"
    )
    assert users.verify("demo", "a") and not users.verify("demo", "b")


@pytest.mark.parametrize(
    ("username", "password", "email", "reason"),
    [
        ("", "pw", "", "Expected to create user, but no username was provided"),
        ("demo", "", "", "Expected to create user, but no password was provided"),
        (
            "de mo",
            "pw",
            "",
            "Expected to create user with username 'de mo', but the username contains illegal "
            "characters; it must match the pattern '^[a-zA-Z0-9_~@.+-]+$'",
        ),
        (
            "demo",
            "pw",
            "not-an-address",
            "Expected to create user with email 'not-an-address', but the email is not a valid email address",
        ),
    ],
)
def test_a_user_without_a_valid_username_password_or_email_is_an_invalid_argument(
    engine: TestEngine, username: str, password: str, email: str, reason: str
) -> None:
    rejection = identity(engine).create_user(username, password, email=email, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == reason
    assert not engine.records.of(ValueType.USER).events().exists()


def test_a_username_longer_than_256_characters_is_an_invalid_argument(engine: TestEngine) -> None:
    rejection = identity(engine).create_user("u" * 257, "pw", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "the username is longer than 256 characters" in rejection.rejection_reason


def test_updating_a_user_changes_what_is_given_and_keeps_the_rest(engine: TestEngine) -> None:
    users = identity(engine)
    created = users.create_user("demo", "old", name="Demo", email="demo@example.com")

    updated = users.update_user("demo", name="Demo Two")

    assert updated.intent == UserIntent.UPDATED and updated.key == created.key
    assert (updated.value.name, updated.value.email) == ("Demo Two", "demo@example.com")
    assert updated.value.password == created.value.password
    assert users.verify("demo", "old")


def test_updating_the_password_replaces_the_hash(engine: TestEngine) -> None:
    users = identity(engine)
    users.create_user("demo", "old")

    users.update_user("demo", password="new")

    assert users.verify("demo", "new")
    assert not users.verify("demo", "old")


def test_updating_or_deleting_an_unknown_user_is_not_found(engine: TestEngine) -> None:
    users = identity(engine)

    update = users.update_user("ghost", name="Boo", expect_rejection=True)
    delete = users.delete_user("ghost", expect_rejection=True)

    assert update.rejection_type is RejectionType.NOT_FOUND
    assert update.rejection_reason == (
        "Expected to update user with username ghost, but a user with this username does not exist"
    )
    assert delete.rejection_type is RejectionType.NOT_FOUND
    assert delete.rejection_reason == (
        "Expected to delete user with username ghost, but a user with this username does not exist"
    )


def test_deleting_a_user_ends_its_memberships_and_authorizations_first(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    ids.create_group("eng")
    ids.create_role("ops")
    ids.create_tenant("acme")
    ids.add_to_group("eng", "demo")
    ids.add_to_role("ops", "demo")
    ids.add_to_tenant("acme", "demo")
    granted = ids.create_authorization(
        "demo",
        AuthorizationOwnerType.USER,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.CREATE_PROCESS_INSTANCE],
    )

    deleted = ids.delete_user("demo")

    after = [r for r in engine.records.all().events().limit(200) if r.position > granted.position]
    kinds = [
        (r.value_type, r.intent) for r in after if r.source_record_position == deleted.source_record_position
    ]
    assert kinds == [
        (ValueType.GROUP, GroupIntent.ENTITY_REMOVED),
        (ValueType.ROLE, RoleIntent.ENTITY_REMOVED),
        (ValueType.TENANT, TenantIntent.ENTITY_REMOVED),
        (ValueType.AUTHORIZATION, AuthorizationIntent.DELETED),
        (ValueType.USER, UserIntent.DELETED),
    ]
    with engine.state() as state:
        assert state.identity.user("demo") is None
        assert list(state.identity.members(Relation.GROUP, "eng")) == []
        assert state.identity.authorization(granted.key) is None
    assert not ids.verify("demo", "pw")


def test_users_and_their_hashes_survive_a_restart_and_a_snapshot(engine: TestEngine) -> None:
    users = identity(engine)
    users.create_user("demo", "pw")
    users.create_user("other", "pw2")
    users.delete_user("other")

    engine.restart(snapshot=True)
    users.create_user("late", "pw3")
    engine.restart()

    assert users.verify("demo", "pw")
    assert users.verify("late", "pw3")
    assert not users.verify("other", "pw2")
    with engine.state() as state:
        assert state.identity.has_users()


def test_verifying_refuses_unknown_users_and_empty_passwords(engine: TestEngine) -> None:
    users = identity(engine)
    users.create_user("demo", "pw")

    assert users.verify("demo", "pw")
    assert not users.verify("nobody", "pw")
    assert not users.verify("demo", "")
    assert not users.verify("demo", "PW")
