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

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from strom.search import schema
from strom.search._filters import Field, Kind, condition
from strom.search.errors import SearchError


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

    def search(
        self,
        listing: Listing,
        filter_: Mapping[str, Any] | None = None,
        sort: Sequence[Mapping[str, Any]] | None = None,
        page: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One page of ``listing``'s rows (dicts by REST field name) matching ``filter_`` (plain
        values or Camunda's operators), in ``sort`` order: ``{items, page}`` as Camunda answers.

        A cursor is the position of an item in the ordered rows: identity lists are short and
        change rarely, so positions stand in for the keyset cursors of the process searches.

        Raises:
            SearchError: INVALID_ARGUMENT naming the unknown field or the bad page.
        """
        rows = listing.rows.subquery()
        where = _filtered(rows, filter_)
        offset, limit = _window(page)
        query = sa.select(rows).where(*where).order_by(*_ordered(rows, listing, sort))
        count = sa.select(sa.func.count()).select_from(rows).where(*where)
        with self._engine.connect() as connection:
            items = [dict(row) for row in connection.execute(query.offset(offset).limit(limit)).mappings()]
            total = int(connection.execute(count).scalar_one())
        for item in items:
            item.pop("key", None)
        return {
            "items": items,
            "page": {
                "totalItems": total,
                "hasMoreTotalItems": False,
                "startCursor": _encode_cursor(offset) if items else None,
                "endCursor": _encode_cursor(offset + len(items) - 1) if items else None,
            },
        }

    def get(self, listing: Listing, value: Any) -> dict[str, Any] | None:
        """The row of ``listing`` whose ordering field (its id) is ``value``, or None."""
        rows = listing.rows.subquery()
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(rows).where(rows.c[listing.order] == value)).mappings().first()
        if row is None:
            return None
        item = dict(row)
        item.pop("key", None)
        return item


# -- searches of the identity REST operations ----------------------------------------------------------

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
_user = schema.identity_user
_group = schema.identity_group
_role = schema.identity_role
_tenant = schema.identity_tenant
_rule = schema.identity_mapping_rule
_member = schema.identity_membership
_authorization = schema.identity_authorization


@dataclass(frozen=True)
class Listing:
    """A searchable identity list: its rows as a select whose columns carry the REST field names
    (every one filterable and sortable), and the field ordering it by default (unique per row)."""

    rows: sa.Select[Any]
    order: str


def _entities(table: sa.Table, id_column: str, id_field: str) -> sa.Select[Any]:
    return sa.select(
        table.c[id_column].label(id_field),
        table.c.name.label("name"),
        table.c.description.label("description"),
        table.c.key.label("key"),
    )


_RULES = sa.select(
    _rule.c.mapping_rule_id.label("mappingRuleId"),
    _rule.c.claim_name.label("claimName"),
    _rule.c.claim_value.label("claimValue"),
    _rule.c.name.label("name"),
)

LISTINGS: dict[str, Listing] = {
    "user": Listing(
        sa.select(
            _user.c.username.label("username"), _user.c.name.label("name"), _user.c.email.label("email")
        ),
        "username",
    ),
    "group": Listing(_entities(_group, "group_id", "groupId"), "groupId"),
    "role": Listing(_entities(_role, "role_id", "roleId"), "roleId"),
    "tenant": Listing(_entities(_tenant, "tenant_id", "tenantId"), "tenantId"),
    "mappingRule": Listing(_RULES, "mappingRuleId"),
    "authorization": Listing(
        sa.select(
            _authorization.c.key.label("authorizationKey"),
            _authorization.c.owner_id.label("ownerId"),
            _authorization.c.owner_type.label("ownerType"),
            _authorization.c.resource_type.label("resourceType"),
            _authorization.c.resource_id.label("resourceId"),
            _authorization.c.resource_matcher.label("resourceMatcher"),
            _authorization.c.permission_types.label("permissionTypes"),
        ),
        "authorizationKey",
    ),
}
"""The top-level searches (``/groups/search`` …) by entity name."""

_MEMBER_FIELDS = {"USER": "username", "CLIENT": "clientId", "GROUP": "groupId"}


def member_listing(relation_type: str, relation_id: str, entity_type: str) -> Listing:
    """The members of one type of a group, role or tenant (``/groups/{groupId}/users/search``):
    ids for users, clients and groups, whole mapping rules and roles (as Camunda answers them)."""
    held = sa.and_(
        _member.c.relation_type == relation_type,
        _member.c.relation_id == relation_id,
        _member.c.entity_type == entity_type,
    )
    if entity_type == "MAPPING_RULE":
        rows = _RULES.join_from(_rule, _member, _member.c.entity_id == _rule.c.mapping_rule_id).where(held)
        return Listing(rows, "mappingRuleId")
    if entity_type == "ROLE":
        roles = _entities(_role, "role_id", "roleId")
        return Listing(
            roles.join_from(_role, _member, _member.c.entity_id == _role.c.role_id).where(held), "roleId"
        )
    field = _MEMBER_FIELDS[entity_type]
    return Listing(sa.select(_member.c.entity_id.label(field)).where(held), field)


def roles_of_group(group_id: str) -> Listing:
    """The roles a group holds (``/groups/{groupId}/roles/search``): memberships the other way round."""
    held = sa.and_(
        _member.c.relation_type == "ROLE", _member.c.entity_type == "GROUP", _member.c.entity_id == group_id
    )
    roles = _entities(_role, "role_id", "roleId")
    return Listing(
        roles.join_from(_role, _member, _member.c.relation_id == _role.c.role_id).where(held), "roleId"
    )


def _invalid(detail: str) -> SearchError:
    return SearchError("INVALID_ARGUMENT", detail)


def _encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"position": position}).encode()).decode()


def _decode_cursor(cursor: Any, name: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
        position = decoded["position"]
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise _invalid(f"'page.{name}' is not a cursor returned by this search") from None
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise _invalid(f"'page.{name}' is not a cursor returned by this search")
    return position


def _window(page: Mapping[str, Any] | None) -> tuple[int, int]:
    """(offset, limit) of a ``page``: ``from``/``limit``, or a cursor (the position of an item)."""
    page = page or {}
    limit = page.get("limit")
    limit = DEFAULT_LIMIT if limit is None else limit
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_LIMIT:
        raise _invalid(f"'page.limit' must be an integer from 0 to {MAX_LIMIT}, got {limit!r}")
    after, before, offset = page.get("after"), page.get("before"), page.get("from")
    if sum(value is not None for value in (after, before, offset)) > 1:
        raise _invalid("'page' takes one of 'from', 'after' and 'before'")
    if after is not None:
        return _decode_cursor(after, "after") + 1, limit
    if before is not None:
        end = _decode_cursor(before, "before")
        start = max(0, end - limit)
        return start, end - start
    offset = 0 if offset is None else offset
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise _invalid(f"'page.from' must be a non-negative integer, got {offset!r}")
    return offset, limit


def _filtered(rows: sa.Subquery, filter_: Mapping[str, Any] | None) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for name, value in (filter_ or {}).items():
        if value is None:
            continue
        if name not in rows.c or name == "key":
            fields = rows.c.keys()
            known = ", ".join(column for column in fields if column != "key")
            raise _invalid(f"unknown filter field '{name}'; known fields: {known}")
        column = rows.c[name]
        kind: Kind = "key" if name == "authorizationKey" else "str"
        clauses.append(condition(name, Field(column, kind), value))
    return clauses


def _ordered(rows: sa.Subquery, listing: Listing, sort: Sequence[Mapping[str, Any]] | None) -> list[Any]:
    clauses: list[Any] = []
    for index, entry in enumerate(sort or []):
        name = entry.get("field")
        if not isinstance(name, str) or name not in rows.c:
            known = ", ".join(rows.c.keys())
            raise _invalid(f"unknown sort field {name!r} in 'sort[{index}]'; known fields: {known}")
        direction = str(entry.get("order") or "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise _invalid(f"'sort[{index}].order' must be ASC or DESC, got {entry.get('order')!r}")
        column = rows.c[name]
        clauses.append((column.desc() if direction == "DESC" else column.asc()).nulls_last())
    clauses.append(rows.c[listing.order].asc())
    return clauses
