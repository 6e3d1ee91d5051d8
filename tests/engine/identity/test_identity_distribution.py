"""Identity records are global: created on partition 1, distributed to every other partition, each
of which holds the same users, groups, roles, tenants, mapping rules and authorizations."""

from __future__ import annotations

import pytest

from strom.engine.state.identity import Relation
from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import CommandDistributionIntent, GroupIntent, UserIntent
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)
from strom.testing import TestEngine
from strom.testing.identity import identity

pytestmark = pytest.mark.partitions(3)

PARTITIONS = (1, 2, 3)


def test_a_user_created_on_partition_1_can_log_in_on_every_partition(engine: TestEngine) -> None:
    created = identity(engine).create_user("demo", "pw", name="Demo")

    assert created.partition_id == 1
    for partition_id in PARTITIONS:
        assert identity(engine).verify("demo", "pw", partition_id)
    received = engine.records.of(ValueType.USER).events().on_partition(2).first()
    assert received.intent == UserIntent.CREATED
    assert received.value == created.value
    assert engine.pending_distributions() == []


def test_distributed_commands_carry_the_hash_never_the_password(engine: TestEngine) -> None:
    identity(engine).create_user("demo", "clear-text-pw")
    identity(engine).update_user("demo", password="another-clear-pw")

    sent = [command for _, command in engine.transport.sent if command.value_type is ValueType.USER]
    assert len(sent) == 4  # CREATE and UPDATE, to partitions 2 and 3
    for command in sent:
        assert command.value.password.startswith("$argon2id$")
    on_other_partitions = engine.records.of(ValueType.USER).where(lambda r: r.partition_id != 1).limit(20)
    assert on_other_partitions and all("clear" not in r.value.password for r in on_other_partitions)
    distributions = engine.records.of(ValueType.COMMAND_DISTRIBUTION).limit(50)
    assert all("clear" not in repr(r.value.command_value) for r in distributions)


def test_every_partition_ends_with_the_same_identity_state(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    ids.create_group("eng")
    ids.create_role("ops")
    ids.create_tenant("acme")
    ids.create_mapping_rule("mr", "sub", "abc")
    ids.add_to_group("eng", "demo")
    ids.add_to_role("ops", "eng", EntityType.GROUP)
    ids.add_to_tenant("acme", "mr", EntityType.MAPPING_RULE)
    ids.create_authorization(
        "ops",
        AuthorizationOwnerType.ROLE,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.READ_PROCESS_INSTANCE],
    )
    ids.update_group("eng", "Engineering")
    ids.remove_from_group("eng", "demo")
    ids.delete_role("ops")

    identity_families = (
        "users",
        "groups",
        "roles",
        "tenants",
        "mapping_rules",
        "mapping_rule_claims",
        "memberships",
        "memberships_by_entity",
        "authorizations",
        "authorizations_by_owner",
    )
    digests = [
        {name: engine.state_digest(partition_id)[name] for name in identity_families}
        for partition_id in PARTITIONS
    ]
    assert digests[0] == digests[1] == digests[2]
    for partition_id in PARTITIONS:
        with engine.state(partition_id) as state:
            assert (
                state.identity.group("eng") is not None and state.identity.group("eng").name == "Engineering"
            )
            assert state.identity.role("ops") is None
            assert list(state.identity.members(Relation.GROUP, "eng")) == []
            assert list(state.identity.memberships_of(EntityType.GROUP, "eng")) == []
    assert engine.pending_distributions() == []


def test_a_repeated_delivery_is_only_acknowledged(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_group("eng")
    ids.add_to_group("eng", "demo")
    ids.remove_from_group("eng", "demo")
    [(target, add_again)] = [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.GROUP and command.intent == GroupIntent.ADD_ENTITY
    ][:1]

    engine.partitions[target].submit(add_again)  # late: after the member was removed again
    engine.run()

    rejection = (
        engine.records.of(ValueType.GROUP)
        .rejections()
        .on_partition(target)
        .with_intent(GroupIntent.ADD_ENTITY)
        .first()
    )
    assert rejection.rejection_type is RejectionType.ALREADY_EXISTS
    assert "a repeated delivery" in rejection.rejection_reason
    with engine.state(target) as state:
        assert list(state.identity.members(Relation.GROUP, "eng")) == []
    acknowledged = (
        engine.records.of(ValueType.COMMAND_DISTRIBUTION)
        .with_intent(CommandDistributionIntent.ACKNOWLEDGE)
        .commands()
        .with_key(add_again.key)
        .limit(5)
    )
    assert len(acknowledged) == 3  # partitions 2 and 3, and the repeated one


def test_a_distribution_lost_on_the_way_arrives_after_a_restart(engine: TestEngine) -> None:
    engine.transport.hold()
    identity(engine).create_user("demo", "pw")
    engine.transport.drop()

    assert not identity(engine).verify("demo", "pw", 3)
    engine.restart_partition(1)  # the redistributor sends what was never acknowledged
    engine.advance_time(60)

    for partition_id in PARTITIONS:
        assert identity(engine).verify("demo", "pw", partition_id)
    assert engine.pending_distributions() == []


def test_a_rejected_command_is_not_distributed(engine: TestEngine) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    sent_before = len(engine.transport.sent)

    ids.create_user("demo", "pw", expect_rejection=True)

    assert len(engine.transport.sent) == sent_before
    assert not (
        engine.records.of(ValueType.USER)
        .with_record_type(RecordType.COMMAND_REJECTION)
        .on_partition(2)
        .exists()
    )
