"""The batch operation entities of the searches (``batchOperation``, ``batchOperationItem``), with
Camunda 8.8's field names and the item shapes its clients check (every field present, keys as
strings, ISO dates; ``actorType`` / ``actorId`` and ``rootProcessInstanceKey`` as 8.9 adds them)."""

from __future__ import annotations

import json

from sqlalchemy.engine import RowMapping

from strom.search import schema
from strom.search._dates import format_millis
from strom.search._entities import Entity, Item
from strom.search._filters import Field

_bo = schema.batch_operation
_item = schema.batch_operation_item


def _key(value: int | None) -> str | None:
    return None if value is None else str(value)


def _errors(text: str | None) -> list[dict[str, object]]:
    if not text:
        return []
    try:
        errors = json.loads(text)
    except ValueError:
        return []
    return errors if isinstance(errors, list) else []


def _batch_operation(row: RowMapping) -> Item:
    return {
        "batchOperationKey": str(row["key"]),
        "state": row["state"],
        "batchOperationType": row["operation_type"],
        "startDate": format_millis(row["start_date"]),
        "endDate": format_millis(row["end_date"]),
        "actorType": row["actor_type"],
        "actorId": row["actor_id"],
        "operationsTotalCount": row["operations_total_count"],
        "operationsFailedCount": row["operations_failed_count"],
        "operationsCompletedCount": row["operations_completed_count"],
        "errors": _errors(row["errors"]),
    }


def _batch_operation_item(row: RowMapping) -> Item:
    return {
        "operationType": row["operation_type"],
        "batchOperationKey": str(row["batch_operation_key"]),
        "itemKey": str(row["item_key"]),
        "processInstanceKey": _key(row["process_instance_key"]),
        "rootProcessInstanceKey": None,
        "state": row["state"],
        "processedDate": format_millis(row["processed_date"]),
        "errorMessage": row["error_message"],
    }


BATCH_OPERATION = Entity(
    "batchOperation",
    _bo,
    _bo.c.key,
    "key",
    {
        "batchOperationKey": Field(_bo.c.key, "key"),
        "operationType": Field(_bo.c.operation_type, "str"),
        "state": Field(_bo.c.state, "str"),
        "startDate": Field(_bo.c.start_date, "date"),
        "endDate": Field(_bo.c.end_date, "date"),
        "actorType": Field(_bo.c.actor_type, "str"),
        "actorId": Field(_bo.c.actor_id, "str"),
    },
    (_bo.c.key,),
    _batch_operation,
)

BATCH_OPERATION_ITEM = Entity(
    "batchOperationItem",
    _item,
    _item.c.item_key,
    "key",
    {
        "batchOperationKey": Field(_item.c.batch_operation_key, "key"),
        "itemKey": Field(_item.c.item_key, "key"),
        "processInstanceKey": Field(_item.c.process_instance_key, "key"),
        "operationType": Field(_item.c.operation_type, "str"),
        "state": Field(_item.c.state, "str"),
        "processedDate": Field(_item.c.processed_date, "date"),
    },
    (_item.c.batch_operation_key, _item.c.item_key),
    _batch_operation_item,
)

BATCH_ENTITIES: dict[str, Entity] = {
    entity.name: entity for entity in (BATCH_OPERATION, BATCH_OPERATION_ITEM)
}
"""The batch operation entities by their name in ``SearchStore.search``."""
