"""``IdentityStore``: what the gateways read about users, groups, roles, tenants and mapping rules.

As in Camunda 8.8, the gateways authenticate against secondary storage, not partition state: a
partition may run in another process (or another machine), and the read model is where every
gateway can read. It is eventually consistent: a user created a moment ago can log in once partition
1's exporter has written it (milliseconds on the embedded default).

Memberships are resolved the way Camunda's ``/authentication/me`` reports them: the groups an entity
is in, the roles it holds directly or through its groups, the tenants it belongs to directly or
through its groups and roles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from strom.search import schema


@dataclass(frozen=True)
class StoredUser:
    key: int
    username: str
    name: str
    email: str
    password_hash: str


@dataclass(frozen=True)
class Memberships:
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredTenant:
    tenant_id: str
    name: str
    description: str


@dataclass(frozen=True)
class StoredAuthorization:
    key: int
    owner_id: str
    owner_type: str
    resource_matcher: str
    resource_type: str
    resource_id: str
    permission_types: tuple[str, ...]


def claim_matches(claim: Any, expected: str) -> bool:
    """Whether a token's claim value matches a mapping rule's value: equal as text, or (a list
    claim, such as ``groups``) holding it."""
    if isinstance(claim, list):
        return any(claim_matches(item, expected) for item in claim)
    if isinstance(claim, bool):
        return str(claim).lower() == expected
    if isinstance(claim, str | int | float):
        return str(claim) == expected
    return False


class IdentityStore:
    """Reads the identity tables at ``url``; safe to share between threads (one connection pool).

    Creates the schema when it is missing, so the gateways can start before the exporter wrote.
    """

    def __init__(self, url: str) -> None:
        self._engine = schema.create_engine(url)
        schema.create_schema(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    def user(self, username: str) -> StoredUser | None:
        table = schema.identity_user
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(table).where(table.c.username == username)).first()
        if row is None:
            return None
        return StoredUser(row.key, row.username, row.name or "", row.email or "", row.password_hash)

    def has_users(self) -> bool:
        table = schema.identity_user
        with self._engine.connect() as connection:
            return connection.execute(sa.select(table.c.key).limit(1)).first() is not None

    def role_has_user(self, role_id: str) -> bool:
        """Whether a USER holds ``role_id`` directly (the admin setup's "no admin yet" check)."""
        table = schema.identity_membership
        query = sa.select(table.c.entity_id).where(
            table.c.relation_type == "ROLE", table.c.relation_id == role_id, table.c.entity_type == "USER"
        )
        with self._engine.connect() as connection:
            return connection.execute(query.limit(1)).first() is not None

    def memberships(self, entities: Iterable[tuple[str, str]]) -> Memberships:
        """Groups, roles and tenants of ``entities`` ((entity type, id) pairs: USER, CLIENT,
        MAPPING_RULE), directly or through their groups and roles."""
        table = schema.identity_membership
        groups: set[str] = set()
        roles: set[str] = set()
        tenants: set[str] = set()
        seen: set[tuple[str, str]] = set()
        frontier = set(entities)
        with self._engine.connect() as connection:
            # Groups hold roles and tenants, roles hold tenants: three rounds reach every one.
            for _ in range(3):
                frontier -= seen
                if not frontier:
                    break
                seen |= frontier
                condition = sa.or_(
                    *(
                        sa.and_(table.c.entity_type == kind, table.c.entity_id == ident)
                        for kind, ident in frontier
                    )
                )
                rows = connection.execute(
                    sa.select(table.c.relation_type, table.c.relation_id).where(condition)
                )
                frontier = set()
                for relation_type, relation_id in rows:
                    if relation_type == "GROUP":
                        groups.add(relation_id)
                        frontier.add(("GROUP", relation_id))
                    elif relation_type == "ROLE":
                        roles.add(relation_id)
                        frontier.add(("ROLE", relation_id))
                    elif relation_type == "TENANT":
                        tenants.add(relation_id)
        return Memberships(tuple(sorted(groups)), tuple(sorted(roles)), tuple(sorted(tenants)))

    def matching_mapping_rules(self, claims: Mapping[str, Any]) -> tuple[str, ...]:
        """The ids of the mapping rules whose claim the token's ``claims`` carry with their value."""
        names = [name for name in claims if isinstance(name, str)]
        if not names:
            return ()
        table = schema.identity_mapping_rule
        query = sa.select(table.c.mapping_rule_id, table.c.claim_name, table.c.claim_value).where(
            table.c.claim_name.in_(names)
        )
        with self._engine.connect() as connection:
            rows = list(connection.execute(query))
        return tuple(sorted(rule for rule, name, value in rows if claim_matches(claims[name], value)))

    def tenants(self, tenant_ids: Iterable[str]) -> list[StoredTenant]:
        ids = list(tenant_ids)
        if not ids:
            return []
        table = schema.identity_tenant
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(table).where(table.c.tenant_id.in_(ids)).order_by(table.c.tenant_id)
            )
            return [StoredTenant(row.tenant_id, row.name or "", row.description or "") for row in rows]

    def authorizations(self, owners: Iterable[tuple[str, str]]) -> list[StoredAuthorization]:
        """The authorizations owned by ``owners`` ((owner type, id) pairs)."""
        pairs = list(owners)
        if not pairs:
            return []
        table = schema.identity_authorization
        condition = sa.or_(
            *(sa.and_(table.c.owner_type == kind, table.c.owner_id == ident) for kind, ident in pairs)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(table).where(condition).order_by(table.c.key))
            return [
                StoredAuthorization(
                    row.key,
                    row.owner_id,
                    row.owner_type,
                    row.resource_matcher,
                    row.resource_type,
                    row.resource_id,
                    tuple(json.loads(row.permission_types)),
                )
                for row in rows
            ]

    def search_users(
        self, filters: Mapping[str, str], limit: int, offset: int = 0
    ) -> tuple[list[StoredUser], int]:
        """Users whose ``username`` / ``name`` / ``email`` equal the given values, by username;
        with the number of all matches."""
        table = schema.identity_user
        where = [table.c[column] == value for column, value in filters.items()]
        query = sa.select(table).where(*where).order_by(table.c.username).limit(limit).offset(offset)
        count = sa.select(sa.func.count()).select_from(table).where(*where)
        with self._engine.connect() as connection:
            rows = list(connection.execute(query))
            total = connection.execute(count).scalar_one()
        users = [StoredUser(r.key, r.username, r.name or "", r.email or "", r.password_hash) for r in rows]
        return users, int(total)
