"""BATCH_OPERATION_CREATION CREATE: a client asks for one operation on every instance a filter
finds. The operation is recorded (CREATED, answered with its key); the scheduler then resolves the
filter against secondary storage and executes the items (``scheduler.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._auth import authorized
from strom.engine.processing.writers import Writers
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.record import Record
from strom.protocol.values.batch_operation import BatchOperationType
from strom.protocol.values.identity import PermissionType
from strom.stream.key_generator import KeyGenerator

_P = PermissionType
_PERMISSION_OF_TYPE: dict[BatchOperationType, PermissionType] = {
    BatchOperationType.CANCEL_PROCESS_INSTANCE: _P.CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE,
    BatchOperationType.RESOLVE_INCIDENT: _P.CREATE_BATCH_OPERATION_RESOLVE_INCIDENT,
    BatchOperationType.MIGRATE_PROCESS_INSTANCE: _P.CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE,
    BatchOperationType.MODIFY_PROCESS_INSTANCE: _P.CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE,
}

_EMPTY_FILTER = "Given filter is empty"


class BatchOperationCreateProcessor:
    def __init__(
        self,
        authorization: AuthorizationCheck,
        keys: KeyGenerator,
        partition_id: int,
        on_created: Callable[[], None],
    ) -> None:
        self._authorization = authorization
        self._keys = keys
        self._partition_id = partition_id
        self._on_created = on_created

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        if _is_empty(value.entity_filter):
            writers.reject(command, RejectionType.INVALID_ARGUMENT, _EMPTY_FILTER)
            return
        # Zeebe 8.8: BATCH CREATE, or the permission to create this type of operation.
        if not authorized(
            self._authorization,
            command,
            writers,
            PermissionType.CREATE,
            _PERMISSION_OF_TYPE[value.batch_operation_type],
        ):
            return
        key = self._keys.next_key()
        created = msgspec.structs.replace(
            value,
            batch_operation_key=key,
            authentication=dict(command.authorizations),
            partition_ids=[self._partition_id],
        )
        event = writers.append_event(key, BatchOperationIntent.CREATED, created)
        writers.respond(event)
        writers.side_effect(self._on_created)


def _is_empty(entity_filter: str) -> bool:
    try:
        document = msgspec.json.decode(entity_filter) if entity_filter.strip() else None
    except msgspec.DecodeError:
        return False  # not JSON: the item query says what is wrong with it
    return not document
