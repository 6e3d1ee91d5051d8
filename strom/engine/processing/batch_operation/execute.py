"""BATCH_OPERATION_EXECUTION EXECUTE: write the commands of the operation's next items.

At most ``chunk_size`` items per command: the scheduler sends the next EXECUTE between steps, so
client commands keep their turn while a large operation runs (flow control). EXECUTING names the
items, their commands follow, and EXECUTED takes them off the list, all in one step: a partition
killed mid-operation neither loses nor repeats an item. With no item left and every item known,
the operation is COMPLETED."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.batch_operation._executors import ItemExecutors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import BatchOperationExecutionIntent, BatchOperationIntent
from strom.protocol.record import Record
from strom.protocol.values.batch_operation import (
    BatchOperationExecutionRecordValue,
    BatchOperationLifecycleManagementRecordValue,
)

CHUNK_SIZE = 10
"""Items per EXECUTE (Zeebe's default executor chunk size)."""


class BatchOperationExecuteProcessor:
    def __init__(
        self, state: ProcessingState, executors: ItemExecutors, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self._operations = state.batch_operations
        self._executors = executors
        self._chunk_size = chunk_size

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.value.batch_operation_key
        operation = self._operations.get(key)
        progress = self._operations.progress(key)
        if operation is None or progress is None or progress.suspended:
            return  # ended or suspended since the scheduler sent it: nothing to do
        items = self._operations.next_items(key, self._chunk_size)
        if not items:
            if progress.initialized:
                writers.append_event(
                    key,
                    BatchOperationIntent.COMPLETED,
                    BatchOperationLifecycleManagementRecordValue(batch_operation_key=key),
                )
            return
        item_keys = [item.item_key for item in items]
        executing = BatchOperationExecutionRecordValue(batch_operation_key=key, item_keys=item_keys)
        writers.append_event(key, BatchOperationExecutionIntent.EXECUTING, executing)
        for item in items:
            self._executors.execute(key, operation, item, writers)
        writers.append_event(key, BatchOperationExecutionIntent.EXECUTED, executing)
