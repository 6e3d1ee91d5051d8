"""BATCH_OPERATION_CREATION CREATE: a client asks for one operation on every instance a filter
finds. The operation is recorded (CREATED, answered with its key) and distributed to every other
partition, as in Zeebe 8.8; each partition's scheduler then resolves the filter against secondary
storage for the instances it owns and executes them (``scheduler.py``). A distributed CREATE is
recorded with the same key and acknowledged; a repeated delivery is only acknowledged again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._auth import authorized
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType, ValueType
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
        state: ProcessingState,
        authorization: AuthorizationCheck,
        keys: KeyGenerator,
        distribution: CommandDistributionBehavior,
        on_created: Callable[[], None],
    ) -> None:
        self._distributions = state.distributions
        self._authorization = authorization
        self._keys = keys
        self._distribution = distribution
        self._on_created = on_created

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        if self._distribution.is_distributed(command):
            self._receive(command, writers)
            return
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
            partition_ids=list(range(1, self._distribution.partition_count + 1)),
        )
        event = writers.append_event(key, BatchOperationIntent.CREATED, created)
        writers.respond(event)
        writers.side_effect(self._on_created)
        self._distribution.distribute(
            writers, key, ValueType.BATCH_OPERATION_CREATION, BatchOperationIntent.CREATE, created
        )

    def _receive(self, command: Record[Any], writers: Writers) -> None:
        if self._distributions.was_received(command.key):
            writers.reject(
                command,
                RejectionType.ALREADY_EXISTS,
                f"Expected to create the batch operation with key '{command.key}', but this partition "
                "has it already (a repeated delivery)",
            )
        else:
            writers.append_event(command.key, BatchOperationIntent.CREATED, command.value)
            writers.side_effect(self._on_created)
        self._distribution.acknowledge(writers, command)


def _is_empty(entity_filter: str) -> bool:
    try:
        document = msgspec.json.decode(entity_filter) if entity_filter.strip() else None
    except msgspec.DecodeError:
        return False  # not JSON: the item query says what is wrong with it
    return not document
