"""The batch operation part of the SQL exporter: operations, their items, and what became of each.

An operation's row follows its lifecycle events (CREATED, INITIALIZED -> ACTIVE, SUSPENDED,
RESUMED, COMPLETED, CANCELED, FAILED). Items are inserted from BATCH_OPERATION_CHUNK CREATED as
ACTIVE; the engine's answer to an item's command carries the operation's key
(``Record.batch_operation_reference``), and marks the item COMPLETED (the instance terminated, the
incident resolved, the instance migrated or modified) or FAILED (the command's rejection, as
``"<type>: <reason>"``) — only an ACTIVE item changes, so a record that merely passes through an
operation (an incident resolved because its instance was canceled) changes nothing. The counts of
an operation are recomputed from its items whenever they change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import (
    BatchOperationChunkIntent,
    BatchOperationIntent,
    IncidentIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
)
from strom.protocol.record import AUTHORIZED_CLIENT_ID, AUTHORIZED_USERNAME, Record
from strom.search import schema

_ACTIVE = "ACTIVE"
_COMPLETED = "COMPLETED"
_FAILED = "FAILED"

# (value type, intent) of an item command: its rejection fails the item; the item key is read from
# the record by the function.
_ITEM_COMMANDS: dict[tuple[ValueType, int], Callable[[Record[Any]], int]] = {
    (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL): lambda record: record.key,
    (ValueType.INCIDENT, IncidentIntent.RESOLVE): lambda record: record.key,
    (ValueType.PROCESS_INSTANCE_MIGRATION, ProcessInstanceMigrationIntent.MIGRATE): (
        lambda record: int(record.value.process_instance_key)
    ),
    (ValueType.PROCESS_INSTANCE_MODIFICATION, ProcessInstanceModificationIntent.MODIFY): (
        lambda record: int(record.value.process_instance_key)
    ),
}


def _completed_item(record: Record[Any]) -> int | None:
    """The item key an event completes, or None."""
    value_type = record.value_type
    intent = record.intent
    if value_type is ValueType.PROCESS_INSTANCE:
        if (
            intent == ProcessInstanceIntent.ELEMENT_TERMINATED
            and record.value.bpmn_element_type is BpmnElementType.PROCESS
        ):
            return record.key
        return None
    if value_type is ValueType.INCIDENT and intent == IncidentIntent.RESOLVED:
        return record.key
    if (
        value_type is ValueType.PROCESS_INSTANCE_MIGRATION
        and intent == ProcessInstanceMigrationIntent.MIGRATED
    ):
        return int(record.value.process_instance_key)
    if (
        value_type is ValueType.PROCESS_INSTANCE_MODIFICATION
        and intent == ProcessInstanceModificationIntent.MODIFIED
    ):
        return int(record.value.process_instance_key)
    return None


class BatchOperationExport:
    """Buffers the batch operation rows of one flush; written in the exporter's transaction."""

    def __init__(self) -> None:
        self._created: list[dict[str, Any]] = []
        self._items: list[dict[str, Any]] = []
        self._outcomes: list[dict[str, Any]] = []
        self._changes: list[tuple[int, dict[str, Any], str | None]] = []
        """(operation key, columns to set, only while its state is this) in log order."""
        self._canceled: list[int] = []
        self._touched: set[int] = set()
        self.handlers: dict[ValueType, Callable[[Record[Any]], None]] = {
            ValueType.BATCH_OPERATION_CREATION: self._creation,
            ValueType.BATCH_OPERATION_INITIALIZATION: self._initialization,
            ValueType.BATCH_OPERATION_CHUNK: self._chunk,
            ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT: self._lifecycle,
        }

    @property
    def pending(self) -> bool:
        return bool(self._created or self._items or self._outcomes or self._changes or self._canceled)

    # -- records -----------------------------------------------------------------------------------

    def _creation(self, record: Record[Any]) -> None:
        if record.intent != BatchOperationIntent.CREATED:
            return
        value = record.value
        authentication = value.authentication
        actor_type, actor_id = None, None
        if authentication.get(AUTHORIZED_USERNAME):
            actor_type, actor_id = "USER", str(authentication[AUTHORIZED_USERNAME])
        elif authentication.get(AUTHORIZED_CLIENT_ID):
            actor_type, actor_id = "CLIENT", str(authentication[AUTHORIZED_CLIENT_ID])
        self._created.append(
            {
                "key": record.key,
                "operation_type": str(value.batch_operation_type),
                "state": "CREATED",
                "start_date": record.timestamp,
                "end_date": None,
                "actor_type": actor_type,
                "actor_id": actor_id,
                "operations_total_count": 0,
                "operations_failed_count": 0,
                "operations_completed_count": 0,
                "errors": "[]",
            }
        )

    def _initialization(self, record: Record[Any]) -> None:
        if record.intent == BatchOperationIntent.INITIALIZED:
            self._changes.append((record.value.batch_operation_key, {"state": _ACTIVE}, "CREATED"))

    def _chunk(self, record: Record[Any]) -> None:
        if record.intent != BatchOperationChunkIntent.CREATED:
            return
        key = record.value.batch_operation_key
        for item in record.value.items:
            self._items.append(
                {
                    "batch_operation_key": key,
                    "item_key": item.item_key,
                    "process_instance_key": item.process_instance_key
                    if item.process_instance_key > 0
                    else None,
                    "state": _ACTIVE,
                    "processed_date": None,
                    "error_message": None,
                }
            )
        self._touched.add(key)

    def _lifecycle(self, record: Record[Any]) -> None:
        value = record.value
        key = value.batch_operation_key
        intent = record.intent
        if intent == BatchOperationIntent.SUSPENDED:
            self._changes.append((key, {"state": "SUSPENDED"}, None))
        elif intent == BatchOperationIntent.RESUMED:
            self._changes.append((key, {"state": _ACTIVE}, None))
        elif intent == BatchOperationIntent.CANCELED:
            self._changes.append((key, {"state": "CANCELED", "end_date": record.timestamp}, None))
            self._canceled.append(key)
            self._touched.add(key)
        elif intent in (BatchOperationIntent.COMPLETED, BatchOperationIntent.FAILED):
            errors = [
                {"partitionId": error.partition_id, "type": error.type, "message": error.message}
                for error in value.errors
            ]
            if intent == BatchOperationIntent.FAILED:
                state = "FAILED"
            else:
                state = "PARTIALLY_COMPLETED" if errors else _COMPLETED
            self._changes.append(
                (key, {"state": state, "end_date": record.timestamp, "errors": json.dumps(errors)}, None)
            )

    def outcome(self, record: Record[Any]) -> None:
        """A record carrying a batch operation reference: maybe the answer to an item's command."""
        if record.record_type is RecordType.COMMAND_REJECTION:
            item_of = _ITEM_COMMANDS.get((record.value_type, record.intent))
            if item_of is None:
                return
            item_key: int | None = item_of(record)
            state, error = _FAILED, f"{record.rejection_type.name}: {record.rejection_reason}"
        elif record.record_type is RecordType.EVENT:
            item_key = _completed_item(record)
            state, error = _COMPLETED, None
        else:
            return
        if item_key is None:
            return
        operation = record.batch_operation_reference
        self._outcomes.append(
            {
                "_operation": operation,
                "_item": item_key,
                "state": state,
                "processed_date": record.timestamp,
                "error_message": error,
            }
        )
        self._touched.add(operation)

    # -- writing -----------------------------------------------------------------------------------

    def write(self, connection: Connection, insert: Callable[[sa.Table], Any]) -> None:
        operations = schema.batch_operation
        items = schema.batch_operation_item
        if self._created:
            connection.execute(
                insert(operations).on_conflict_do_nothing(index_elements=["key"]), self._created
            )
        if self._items:
            types = dict(
                connection.execute(
                    sa.select(operations.c.key, operations.c.operation_type).where(
                        operations.c.key.in_({row["batch_operation_key"] for row in self._items})
                    )
                ).all()
            )
            rows = [
                {**row, "operation_type": types.get(row["batch_operation_key"], "")} for row in self._items
            ]
            connection.execute(
                insert(items).on_conflict_do_nothing(index_elements=["batch_operation_key", "item_key"]), rows
            )
        if self._outcomes:
            connection.execute(
                sa.update(items)
                .where(
                    items.c.batch_operation_key == sa.bindparam("_operation"),
                    items.c.item_key == sa.bindparam("_item"),
                    items.c.state == _ACTIVE,
                )
                .values(
                    state=sa.bindparam("state"),
                    processed_date=sa.bindparam("processed_date"),
                    error_message=sa.bindparam("error_message"),
                ),
                self._outcomes,
            )
        for key in self._canceled:
            connection.execute(
                sa.update(items)
                .where(items.c.batch_operation_key == key, items.c.state == _ACTIVE)
                .values(state="CANCELED")
            )
        for key, columns, only_in in self._changes:
            statement = sa.update(operations).where(operations.c.key == key)
            if only_in is not None:
                statement = statement.where(operations.c.state == only_in)
            connection.execute(statement.values(**columns))
        if self._touched:
            self._recount(connection, sorted(self._touched))

    @staticmethod
    def _recount(connection: Connection, keys: list[int]) -> None:
        operations = schema.batch_operation
        items = schema.batch_operation_item

        def count(*conditions: Any) -> Any:
            return (
                sa.select(sa.func.count())
                .select_from(items)
                .where(items.c.batch_operation_key == operations.c.key, *conditions)
                .scalar_subquery()
            )

        connection.execute(
            sa.update(operations)
            .where(operations.c.key.in_(keys))
            .values(
                operations_total_count=count(),
                operations_failed_count=count(items.c.state == _FAILED),
                operations_completed_count=count(items.c.state == _COMPLETED),
            )
        )

    def clear(self) -> None:
        self._created.clear()
        self._items.clear()
        self._outcomes.clear()
        self._changes.clear()
        self._canceled.clear()
        self._touched.clear()
