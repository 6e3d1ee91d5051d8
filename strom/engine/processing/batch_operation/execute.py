"""BATCH_OPERATION_EXECUTION EXECUTE: write the commands of the operation's next items.

At most ``chunk_size`` items per command: the scheduler sends the next EXECUTE between steps, so
client commands keep their turn while a large operation runs (flow control). EXECUTING names the
items, their commands follow, and EXECUTED takes them off the list, all in one step: a partition
killed mid-operation neither loses nor repeats an item. With no item left and every item known,
the partition's part is done (``_finish.py``)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.batch_operation._executors import ItemExecutors
from strom.engine.processing.batch_operation._finish import PartitionFinish
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationExecutionIntent
from strom.protocol.record import Record
from strom.protocol.values.batch_operation import BatchOperationExecutionRecordValue

CHUNK_SIZE = 10
"""Items per EXECUTE (Zeebe's default executor chunk size)."""


class BatchOperationExecuteProcessor:
    def __init__(
        self,
        state: ProcessingState,
        executors: ItemExecutors,
        finish: PartitionFinish,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._operations = state.batch_operations
        self._executors = executors
        self._finish = finish
        self._chunk_size = chunk_size

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.value.batch_operation_key
        operation = self._operations.get(key)
        progress = self._operations.progress(key)
        # Ended, suspended, done here or not fully known since the scheduler sent it: nothing to
        # do (a rejection says so, and marks the command processed).
        if operation is None or progress is None:
            self._reject(command, writers, "no such batch operation is in progress on this partition")
            return
        if progress.suspended:
            self._reject(command, writers, "it is suspended")
            return
        items = self._operations.next_items(key, self._chunk_size)
        if not items:
            if not progress.initialized:
                self._reject(command, writers, "its items are not all known yet")
            elif self._finish.is_done_here(key):
                self._reject(command, writers, "this partition executed its items already")
            else:
                self._finish.done(key, writers)
            return
        item_keys = [item.item_key for item in items]
        executing = BatchOperationExecutionRecordValue(batch_operation_key=key, item_keys=item_keys)
        writers.append_event(key, BatchOperationExecutionIntent.EXECUTING, executing)
        for item in items:
            self._executors.execute(key, operation, item, writers)
        writers.append_event(key, BatchOperationExecutionIntent.EXECUTED, executing)

    @staticmethod
    def _reject(command: Record[Any], writers: Writers, why: str) -> None:
        writers.reject(
            command,
            RejectionType.INVALID_STATE,
            f"Expected to execute the next items of the batch operation with key "
            f"'{command.value.batch_operation_key}', but {why}",
        )
