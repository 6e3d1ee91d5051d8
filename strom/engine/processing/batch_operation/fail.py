"""BATCH_OPERATION_PARTITION_LIFECYCLE FAIL: this partition cannot resolve the operation's filter
(invalid, or no secondary storage): its part is done, failed with the error (``_finish.py``)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.batch_operation._finish import PartitionFinish
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record


class BatchOperationFailProcessor:
    def __init__(self, state: ProcessingState, finish: PartitionFinish) -> None:
        self._operations = state.batch_operations
        self._finish = finish

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.value.batch_operation_key
        if self._operations.get(key) is None or self._finish.is_done_here(key):
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to fail this partition's part of the batch operation with key '{key}', "
                "but its part is over already",
            )
            return
        self._finish.done(key, writers, command.value.error)
