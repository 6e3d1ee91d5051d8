"""USER CREATE_INITIAL_ADMIN (``/v2/setup/user``): the first admin, made by follow-up commands in
the same step, refused with FORBIDDEN once the admin role has a user — also when two setups race,
and on every partition."""

from __future__ import annotations

import pytest

from strom.engine.processing.identity.passwords import hash_password
from strom.engine.state.identity import Membership, Relation
from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import RoleIntent, UserIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.identity import EntityType, UserRecordValue
from strom.testing import TestEngine
from strom.testing.identity import identity


def _is_admin(engine: TestEngine, username: str, partition_id: int = 1) -> bool:
    with engine.state(partition_id) as state:
        membership = Membership(Relation.ROLE, "admin", EntityType.USER, username)
        return state.identity.user(username) is not None and state.identity.is_member(membership)


def test_the_initial_admin_is_a_user_with_the_admin_role(engine: TestEngine) -> None:
    answer = identity(engine).create_initial_admin("root", "secret")

    assert answer.intent == UserIntent.INITIAL_ADMIN_CREATED
    assert _is_admin(engine, "root")
    assert [r.intent for r in engine.records.of(ValueType.USER).events().limit(5)] == [
        UserIntent.INITIAL_ADMIN_CREATED,
        UserIntent.CREATED,
    ]
    assert identity(engine).verify("root", "secret")


def test_a_second_initial_admin_is_forbidden(engine: TestEngine) -> None:
    identity(engine).create_initial_admin("root", "secret")

    again = identity(engine).create_initial_admin("other", "secret", expect_rejection=True)
    same = identity(engine).create_initial_admin("root", "secret", expect_rejection=True)

    assert again.rejection_type is RejectionType.FORBIDDEN
    assert again.rejection_reason == (
        "Expected to create admin user, but role with id 'admin' already has one or more user assigned to it"
    )
    assert same.rejection_reason == (
        "Expected to create user with username 'root', but a user with this username already exists"
    )


def test_two_setups_racing_make_one_admin(engine: TestEngine) -> None:
    record_class = RECORD_CLASS_FOR_VALUE[UserRecordValue]
    for username in ("first", "second"):  # both on the log before either is processed
        engine.partition.submit(
            record_class(
                record_type=RecordType.COMMAND,
                intent=UserIntent.CREATE_INITIAL_ADMIN,
                value=UserRecordValue(username=username, password=hash_password("secret")),
            )
        )
    engine.run()

    assert _is_admin(engine, "first")
    assert not _is_admin(engine, "second")
    rejected = engine.records.of(ValueType.USER).rejections().limit(5)
    assert [(r.value.username, r.rejection_type) for r in rejected] == [("second", RejectionType.FORBIDDEN)]


@pytest.mark.partitions(3)
def test_the_initial_admin_is_known_on_every_partition(engine: TestEngine) -> None:
    identity(engine).create_initial_admin("root", "secret")
    engine.run()

    assert all(_is_admin(engine, "root", partition_id) for partition_id in (1, 2, 3))
    added = engine.records.of(ValueType.ROLE).events().with_intent(RoleIntent.ENTITY_ADDED).limit(10)
    assert len(added) == 3
