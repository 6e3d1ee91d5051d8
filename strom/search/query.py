"""``SearchStore``: the searches of Camunda's REST API v2 (8.8) over the relational read model.

The REST layer passes the request body as it came (``filter``, ``sort``, ``page``) and returns what
this answers. Paging is by offset (``page.from``) or by cursor (``page.after`` / ``page.before``):
a cursor is the opaque base64 of the sort values and key of an item, and the next page is the rows
strictly after it in the same order, so pages neither repeat nor skip rows while new ones arrive.
Nulls sort last in both directions; the entity's key breaks ties, making the order total.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from strom.search import schema
from strom.search._batch_entities import BATCH_ENTITIES
from strom.search._entities import ENTITIES, Entity, Item
from strom.search._filters import condition, convert, invalid
from strom.search.errors import SearchError

DEFAULT_LIMIT = 100
COUNT_LIMIT = 10_000
"""``totalItems`` counts at most this many matches (Camunda's secondary storage caps it the same way)."""
MAX_LIMIT = 10_000

_Order = list[tuple[ColumnElement[Any], bool]]
"""(expression, descending) per sort component, the entity's key columns last."""


def _entity(name: str) -> Entity:
    entity = ENTITIES.get(name) or BATCH_ENTITIES.get(name)
    if entity is None:
        raise invalid(f"unknown entity '{name}'; known: {', '.join(sorted([*ENTITIES, *BATCH_ENTITIES]))}")
    return entity


def _conditions(entity: Entity, filter_: Any, path: str = "filter") -> list[ColumnElement[bool]]:
    if filter_ is None:
        return []
    if not isinstance(filter_, Mapping):
        raise invalid(f"'{path}' must be an object, got {filter_!r}")
    clauses: list[ColumnElement[bool]] = []
    for name, value in filter_.items():
        if value is None:
            continue
        if name == "$or":
            if not isinstance(value, list) or not value:
                raise invalid(f"'{path}.$or' must be a non-empty list of filter objects")
            alternatives = [
                sa.and_(sa.true(), *_conditions(entity, alternative, f"{path}.$or[{index}]"))
                for index, alternative in enumerate(value)
            ]
            clauses.append(sa.or_(*alternatives))
        elif name in entity.filters:
            clauses.append(entity.filters[name](name, value))
        elif name in entity.fields:
            clauses.append(condition(name, entity.fields[name], value))
        else:
            known = sorted([*entity.fields, *entity.filters])
            raise invalid(
                f"unknown filter field '{name}' for {entity.name} searches; known fields: {', '.join(known)}"
            )
    return clauses


def _order(entity: Entity, sort: Any) -> _Order:
    order: _Order = []
    if sort is None:
        sort = []
    if not isinstance(sort, list):
        raise invalid(f"'sort' must be a list of {{field, order}} objects, got {sort!r}")
    for index, entry in enumerate(sort):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("field"), str):
            raise invalid(f"'sort[{index}]' must be an object with a 'field', got {entry!r}")
        name = entry["field"]
        field = entity.fields.get(name)
        if field is None:
            raise invalid(
                f"unknown sort field '{name}' for {entity.name} searches; "
                f"known fields: {', '.join(sorted(entity.fields))}"
            )
        direction = entry.get("order", "ASC")
        if not isinstance(direction, str) or direction.upper() not in ("ASC", "DESC"):
            raise invalid(f"'sort[{index}].order' must be ASC or DESC, got {direction!r}")
        if field.expr is None:
            continue  # a constant orders nothing
        order.append((field.expr, direction.upper() == "DESC"))
    order.extend((column, False) for column in entity.order)
    return order


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: Any, size: int, name: str) -> list[Any]:
    if isinstance(cursor, list):
        values = cursor
    elif isinstance(cursor, str):
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        except (ValueError, binascii.Error) as error:
            raise invalid(f"'page.{name}' is not a cursor returned by this search") from error
    else:
        raise invalid(f"'page.{name}' must be a cursor string, got {cursor!r}")
    if not isinstance(values, list) or len(values) != size:
        raise invalid(f"'page.{name}' does not belong to this search's sort order")
    return values


def _beyond(order: _Order, values: list[Any], forward: bool) -> ColumnElement[bool]:
    """Rows strictly after (``forward``) or before the row whose sort values are ``values``."""
    alternatives: list[ColumnElement[bool]] = []
    equal: list[ColumnElement[bool]] = []
    for (expr, descending), raw in zip(order, values, strict=True):
        value = None if raw is None else sa.bindparam(None, raw, type_=expr.type)
        if forward:
            if value is None:
                step: ColumnElement[bool] = sa.false()  # nulls are last: nothing after a null but nulls
            else:
                step = sa.or_(expr < value if descending else expr > value, expr.is_(None))
        elif value is None:
            step = expr.is_not(None)
        else:
            step = expr > value if descending else expr < value
        alternatives.append(sa.and_(*equal, step))
        equal.append(expr.is_(None) if value is None else expr == value)
    return sa.or_(*alternatives)


def _order_by(order: _Order, forward: bool) -> list[Any]:
    clauses: list[Any] = []
    for expr, descending in order:
        if forward:
            clauses.append((expr.desc() if descending else expr.asc()).nulls_last())
        else:
            clauses.append((expr.asc() if descending else expr.desc()).nulls_first())
    return clauses


def _json_value(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


@dataclass(frozen=True)
class Restriction:
    """Only rows whose ``column`` holds one of ``allowed`` (the ids a caller may read, e.g. the
    BPMN process ids it holds ``READ_PROCESS_INSTANCE`` on; no ``column``: any id), and, with
    ``tenants``, of those tenants (multi-tenancy: the tenants the caller is assigned to)."""

    column: str | None
    allowed: frozenset[str] = frozenset()
    tenants: frozenset[str] | None = None

    def conditions(self, table: sa.Table) -> list[Any]:
        """The SQL conditions of the restriction on ``table`` (entities without a tenant are
        limited by id only)."""
        where: list[Any] = []
        if self.column is not None:
            where.append(table.c[self.column].in_(sorted(self.allowed)))
        if self.tenants is not None and "tenant_id" in table.c:
            where.append(table.c.tenant_id.in_(sorted(self.tenants)))
        return where

    def admits_id(self, row: Any) -> bool:
        """Whether the caller may read ``row`` (a row mapping) by its resource id."""
        return self.column is None or row[self.column] in self.allowed

    def admits_tenant(self, row: Any) -> bool:
        """Whether ``row`` is of one of the caller's tenants (or of none)."""
        return self.tenants is None or "tenant_id" not in row or row["tenant_id"] in self.tenants


class NotPermittedError(Exception):
    """The item exists, but the caller may not read it (outside its ``Restriction``)."""


class SearchStore:
    """Searches and gets over the read model at ``url`` (any SQLAlchemy URL the exporter writes).

    Safe to share between threads (one connection pool); creates the schema if it is missing so the
    API can start before the exporter has written anything.
    """

    def __init__(self, url: str) -> None:
        self._engine = schema.create_engine(url)
        schema.create_schema(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    # -- searches ----------------------------------------------------------------------------------

    def search(
        self,
        entity: str,
        body: Mapping[str, Any] | None = None,
        restriction: Restriction | None = None,
        *,
        count: bool = True,
    ) -> dict[str, Any]:
        """One page of ``entity`` items matching ``body["filter"]`` in ``body["sort"]`` order
        (and the ``restriction``, which counts and cursors see too). ``count=False`` skips counting
        the matches (``totalItems`` is then None): a reader that only walks the pages (a batch
        operation resolving its filter) saves a scan per page.

        Raises:
            SearchError: INVALID_ARGUMENT naming the unknown entity, field, operator or bad value.
        """
        spec = _entity(entity)
        body = body or {}
        if not isinstance(body, Mapping):
            raise invalid("the search request must be an object")
        where = _conditions(spec, body.get("filter"))
        if restriction is not None:
            where.extend(restriction.conditions(spec.table))
        order = _order(spec, body.get("sort"))
        limit, offset, cursor, forward = self._page(body.get("page"), len(order))
        labels = [expr.label(f"_sort{index}") for index, (expr, _) in enumerate(order)]
        query = sa.select(spec.table, *labels).where(*where)
        if cursor is not None:
            query = query.where(_beyond(order, cursor, forward))
        query = query.order_by(*_order_by(order, forward)).limit(limit).offset(offset)
        # Counting stops past COUNT_LIMIT: an exact count of every match costs more than the page
        # as the data grows; clients read ``hasMoreTotalItems`` for "more than that".
        matches = sa.select(sa.literal(1)).select_from(spec.table).where(*where).limit(COUNT_LIMIT + 1)
        counting = sa.select(sa.func.count()).select_from(matches.subquery())
        with self._engine.connect() as connection:
            rows = list(connection.execute(query).mappings())
            counted = connection.execute(counting).scalar_one() if count else -1
        total: int | None = min(counted, COUNT_LIMIT) if count else None
        if not forward:
            rows.reverse()
        items = [spec.item(row) for row in rows]
        cursors = [
            _encode_cursor([_json_value(row[f"_sort{index}"]) for index in range(len(order))])
            for row in (rows[:1] + rows[-1:] if rows else [])
        ]
        return {
            "items": items,
            "page": {
                "totalItems": total,
                "hasMoreTotalItems": counted > COUNT_LIMIT,
                "startCursor": cursors[0] if cursors else None,
                "endCursor": cursors[-1] if cursors else None,
            },
        }

    @staticmethod
    def _page(page: Any, size: int) -> tuple[int, int, list[Any] | None, bool]:
        """(limit, offset, cursor values or None, forward) of a ``page`` object."""
        if page is None:
            page = {}
        if not isinstance(page, Mapping):
            raise invalid(f"'page' must be an object, got {page!r}")
        limit = page.get("limit", DEFAULT_LIMIT)
        if limit is None:
            limit = DEFAULT_LIMIT
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_LIMIT:
            raise invalid(f"'page.limit' must be an integer from 0 to {MAX_LIMIT}, got {limit!r}")
        offset = page.get("from")
        after_name = "after" if page.get("after") is not None else "searchAfter"
        before_name = "before" if page.get("before") is not None else "searchBefore"
        after = page.get(after_name)
        before = page.get(before_name)
        if after is not None and before is not None:
            raise invalid("'page' takes either an 'after' or a 'before' cursor, not both")
        if offset is not None and (after is not None or before is not None):
            raise invalid("'page.from' cannot be combined with a cursor")
        if offset is None:
            offset = 0
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise invalid(f"'page.from' must be a non-negative integer, got {offset!r}")
        if after is not None:
            return limit, 0, _decode_cursor(after, size, after_name), True
        if before is not None:
            return limit, 0, _decode_cursor(before, size, before_name), False
        return limit, offset, None, True

    # -- gets --------------------------------------------------------------------------------------

    def get(self, entity: str, key: int | str, restriction: Restriction | None = None) -> Item | None:
        """The ``entity`` with this key (variables with their full value), or None.

        Raises:
            NotPermittedError: it exists but lies outside ``restriction``'s ids (outside its
                tenants it is not found).
        """
        spec = _entity(entity)
        if spec.key_kind == "key":
            wanted: Any = convert(f"{entity} key", "key", key)
        else:
            wanted = str(key)
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(spec.table).where(spec.key == wanted)).mappings().first()
        if row is None:
            return None
        if restriction is not None:
            if not restriction.admits_tenant(row):
                return None  # another tenant's: not found, as Camunda answers
            if not restriction.admits_id(row):
                raise NotPermittedError(f"{entity} {key}")
        return (spec.full_item or spec.item)(row)

    def _scalar(self, statement: Any) -> Any:
        with self._engine.connect() as connection:
            return connection.execute(statement).scalar_one_or_none()

    def process_definition_xml(self, key: int | str) -> str | None:
        table = schema.process_definition
        wanted = convert("processDefinitionKey", "key", key)
        xml: str | None = self._scalar(sa.select(table.c.bpmn_xml).where(table.c.key == wanted))
        return xml

    def decision_requirements_xml(self, key: int | str) -> str | None:
        table = schema.decision_requirements
        wanted = convert("decisionRequirementsKey", "key", key)
        xml: str | None = self._scalar(sa.select(table.c.xml).where(table.c.key == wanted))
        return xml

    def decision_definition_xml(self, key: int | str) -> str | None:
        """The DMN of the decision's requirements graph (a decision has no XML of its own)."""
        drg = schema.decision_requirements
        decision = schema.decision_definition
        wanted = convert("decisionDefinitionKey", "key", key)
        xml: str | None = self._scalar(
            sa.select(drg.c.xml)
            .join(decision, decision.c.decision_requirements_key == drg.c.key)
            .where(decision.c.key == wanted)
        )
        return xml

    def start_form(self, process_definition_key: int | str) -> Item | None:
        """The deployed form a process definition's start event links (by key, or the latest version
        of its form id), or None."""
        table = schema.process_definition
        wanted = convert("processDefinitionKey", "key", process_definition_key)
        with self._engine.connect() as connection:
            definition = connection.execute(
                sa.select(table.c.form_key, table.c.tenant_id).where(table.c.key == wanted)
            ).first()
            if definition is None or definition.form_key is None:
                return None
            forms = schema.form
            reference: str = definition.form_key
            if reference.isdigit():
                match = forms.c.key == int(reference)
            else:
                match = sa.and_(forms.c.form_id == reference, forms.c.tenant_id == definition.tenant_id)
            row = (
                connection.execute(sa.select(forms).where(match).order_by(forms.c.version.desc()).limit(1))
                .mappings()
                .first()
            )
        return None if row is None else ENTITIES["form"].item(row)

    def element_statistics(
        self, process_definition_key: int | str | None = None, process_instance_key: int | str | None = None
    ) -> list[dict[str, Any]]:
        """Element instance counts per element id of a definition or an instance, the shape of
        Camunda's ``ProcessElementStatisticsResult``: ``active`` counts active instances without an
        incident, ``incidents`` the active ones with one, ``canceled`` the terminated ones."""
        table = schema.element_instance
        where: list[ColumnElement[bool]] = []
        if process_definition_key is not None:
            where.append(
                table.c.process_definition_key
                == convert("processDefinitionKey", "key", process_definition_key)
            )
        if process_instance_key is not None:
            where.append(
                table.c.process_instance_key == convert("processInstanceKey", "key", process_instance_key)
            )
        if not where:
            raise invalid("element statistics need a processDefinitionKey or a processInstanceKey")
        active = table.c.state == "ACTIVE"

        def count(condition: ColumnElement[bool]) -> Any:
            return sa.func.sum(sa.case((condition, 1), else_=0))

        query = (
            sa.select(
                table.c.element_id,
                count(sa.and_(active, table.c.has_incident.is_(False))).label("active"),
                count(table.c.state == "TERMINATED").label("canceled"),
                count(sa.and_(active, table.c.has_incident.is_(True))).label("incidents"),
                count(table.c.state == "COMPLETED").label("completed"),
            )
            .where(*where)
            .group_by(table.c.element_id)
            .order_by(table.c.element_id)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            {
                "elementId": row.element_id,
                "active": int(row.active),
                "canceled": int(row.canceled),
                "incidents": int(row.incidents),
                "completed": int(row.completed),
            }
            for row in rows
        ]

    def effective_variable_keys(self, element_instance_key: int) -> list[int]:
        """The variables an element instance sees: those of its own scope and of every enclosing
        scope up to its process instance, the nearest scope's winning where names repeat (what a
        user task's form or a job's worker reads)."""
        instances = schema.element_instance
        variables = schema.variable
        chain: list[int] = []
        with self._engine.connect() as connection:
            scope: int | None = element_instance_key
            while scope is not None and scope > 0 and scope not in chain and len(chain) < 1000:
                chain.append(scope)
                scope = connection.execute(
                    sa.select(instances.c.flow_scope_key).where(instances.c.key == scope)
                ).scalar_one_or_none()
            rows = connection.execute(
                sa.select(variables.c.key, variables.c.name, variables.c.scope_key).where(
                    variables.c.scope_key.in_(chain)
                )
            ).all()
        depth = {scope_key: index for index, scope_key in enumerate(chain)}
        nearest: dict[str, tuple[int, int]] = {}
        for key, name, scope_key in rows:
            found = nearest.get(name)
            if found is None or depth[scope_key] < found[0]:
                nearest[name] = (depth[scope_key], key)
        return sorted(key for _, key in nearest.values())

    def exported_position(self, partition_id: int) -> int:
        """The last log position of ``partition_id`` the read model holds (0 before any export):
        a client that wrote at position P sees its write once this is >= P."""
        table = schema.exporter_position
        position = self._scalar(sa.select(table.c.position).where(table.c.partition_id == partition_id))
        return int(position or 0)


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "NotPermittedError", "Restriction", "SearchError", "SearchStore"]
