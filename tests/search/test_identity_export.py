"""The identity tables of the read model: what partition 1's exporter writes from the engine's
identity events, read back as the gateways read them (``IdentityStore``), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from _search_support import export_all, open_exporter

from strom.engine.processing.identity.passwords import is_password_hash
from strom.protocol.enums import ValueType
from strom.protocol.record import Record
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationResourceType,
    EntityType,
    PermissionType,
)
from strom.search import schema
from strom.search.identity import IdentityStore
from strom.testing import TestEngine
from strom.testing.identity import identity

_IDENTITY = {
    ValueType.USER,
    ValueType.GROUP,
    ValueType.ROLE,
    ValueType.TENANT,
    ValueType.MAPPING_RULE,
    ValueType.AUTHORIZATION,
}


def _records(engine: TestEngine, partition_id: int = 1) -> list[Record[Any]]:
    return [r for r in engine.recorder.records if r.partition_id == partition_id]


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    test_engine = TestEngine(tmp_path / "engine")
    yield test_engine
    test_engine.close()


def test_users_groups_roles_tenants_and_rules_are_readable_after_export(
    engine: TestEngine, db_url: str
) -> None:
    ids = identity(engine)
    ids.create_user("demo", "s3cret", name="Demo", email="demo@example.com")
    ids.create_user("gone", "x")
    ids.create_group("ops")
    ids.create_role("admin")
    ids.create_tenant("acme", "ACME Inc.", "the customer")
    ids.create_mapping_rule("engineers", "department", "engineering")
    ids.add_to_group("ops", "demo")
    ids.add_to_role("admin", "ops", EntityType.GROUP)
    ids.add_to_tenant("acme", "admin", EntityType.ROLE)
    ids.add_to_group("ops", "engineers", EntityType.MAPPING_RULE)
    ids.create_authorization(
        "demo",
        AuthorizationOwnerType.USER,
        AuthorizationResourceType.PROCESS_DEFINITION,
        [PermissionType.CREATE_PROCESS_INSTANCE, PermissionType.READ_PROCESS_DEFINITION],
        "order",
    )
    ids.delete_user("gone")

    export_all(db_url, _records(engine))

    store = IdentityStore(db_url)
    try:
        user = store.user("demo")
        assert user is not None
        assert (user.username, user.name, user.email) == ("demo", "Demo", "demo@example.com")
        assert is_password_hash(user.password_hash)
        assert store.user("gone") is None
        assert store.has_users()
        # roles through the group, tenants through the role
        assert store.memberships([("USER", "demo")]).groups == ("ops",)
        assert store.memberships([("USER", "demo")]).roles == ("admin",)
        assert store.memberships([("USER", "demo")]).tenants == ("acme",)
        assert store.matching_mapping_rules({"department": "engineering", "sub": "x"}) == ("engineers",)
        assert store.matching_mapping_rules({"department": ["sales", "engineering"]}) == ("engineers",)
        assert store.matching_mapping_rules({"department": "sales"}) == ()
        assert store.memberships([("MAPPING_RULE", "engineers")]).groups == ("ops",)
        [tenant] = store.tenants(["acme"])
        assert (tenant.name, tenant.description) == ("ACME Inc.", "the customer")
        [grant] = store.authorizations([("USER", "demo")])
        assert (grant.resource_type, grant.resource_id) == ("PROCESS_DEFINITION", "order")
        assert grant.permission_types == ("CREATE_PROCESS_INSTANCE", "READ_PROCESS_DEFINITION")
        users, total = store.search_users({}, limit=10)
        assert [u.username for u in users] == ["demo"] and total == 1
    finally:
        store.close()


def test_updates_and_deletions_follow_the_engine(engine: TestEngine, db_url: str) -> None:
    ids = identity(engine)
    ids.create_user("demo", "old")
    ids.create_group("ops")
    ids.add_to_group("ops", "demo")
    exporter, _ = open_exporter(db_url)
    for record in _records(engine):
        exporter.export(record)
    exporter.flush()
    store = IdentityStore(db_url)
    try:
        before = store.user("demo")
        assert before is not None

        seen = len(engine.recorder.records)
        ids.update_user("demo", name="Demo Person", password="new")
        ids.update_group("ops", "Operations")
        ids.delete_group("ops")
        ids.create_mapping_rule("rule", "team", "a")
        ids.update_mapping_rule("rule", "team", "b")
        for record in engine.recorder.records[seen:]:
            exporter.export(record)
        exporter.flush()

        after = store.user("demo")
        assert after is not None and after.name == "Demo Person"
        assert after.password_hash != before.password_hash
        assert store.memberships([("USER", "demo")]) == store.memberships([])
        assert store.matching_mapping_rules({"team": "b"}) == ("rule",)
        assert store.matching_mapping_rules({"team": "a"}) == ()

        seen = len(engine.recorder.records)
        ids.delete_user("demo")
        ids.create_user("demo", "again")  # deleted and created again in one batch: the new user
        for record in engine.recorder.records[seen:]:
            exporter.export(record)
        exporter.flush()
        again = store.user("demo")
        assert again is not None and again.key != before.key
    finally:
        exporter.close()
        store.close()


def test_only_partition_one_writes_identity_rows(tmp_path: Path, sqlite_url: str) -> None:
    engine = TestEngine(tmp_path / "engine", partitions=2)
    try:
        ids = identity(engine)
        ids.create_user("demo", "pw")
        ids.create_group("ops")
        ids.add_to_group("ops", "demo")
        distributed = [r for r in _records(engine, 2) if r.value_type in _IDENTITY]
        assert distributed, "partition 2 received the identity events"

        export_all(sqlite_url, _records(engine, 2), flush_every=1, partition_id=2)
        store = IdentityStore(sqlite_url)
        assert store.user("demo") is None  # partition 2's copies are not written

        export_all(sqlite_url, _records(engine, 1))
        assert store.user("demo") is not None
        assert store.memberships([("USER", "demo")]).groups == ("ops",)
        store.close()
    finally:
        engine.close()


def test_identity_rows_commit_with_the_exported_position(engine: TestEngine, sqlite_url: str) -> None:
    ids = identity(engine)
    ids.create_user("demo", "pw")
    records = _records(engine)
    exporter, controller = open_exporter(sqlite_url)
    for record in records:
        exporter.export(record)
    exporter.close()

    db = sa.create_engine(sqlite_url)
    with db.connect() as connection:
        position = connection.execute(sa.select(schema.exporter_position.c.position)).scalar_one()
        users = connection.execute(sa.select(schema.identity_user.c.username)).scalars().all()
    db.dispose()
    assert position == records[-1].position == controller.acknowledged
    assert users == ["demo"]
