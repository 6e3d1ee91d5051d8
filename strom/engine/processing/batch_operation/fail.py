"""BATCH_OPERATION_PARTITION_LIFECYCLE FAIL: the partition cannot resolve the operation's filter
(invalid, or no secondary storage): the operation FAILED, its error saying why."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.record import Record
from strom.protocol.values.batch_operation import BatchOperationLifecycleManagementRecordValue


class BatchOperationFailProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._operations = state.batch_operations

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.value.batch_operation_key
        if self._operations.get(key) is None:
            return  # ended meanwhile
        writers.append_event(
            key,
            BatchOperationIntent.FAILED,
            BatchOperationLifecycleManagementRecordValue(
                batch_operation_key=key, errors=[command.value.error]
            ),
        )
