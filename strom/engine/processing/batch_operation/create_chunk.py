"""BATCH_OPERATION_CHUNK CREATE: the scheduler found the next page of the operation's items.

A chunk whose previous cursor is not where the operation stands repeats a page already recorded
(the scheduler asked twice before the first chunk was processed) and is rejected, so no item is
added twice."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationChunkIntent
from strom.protocol.record import Record


class BatchOperationChunkCreateProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._operations = state.batch_operations

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        key = value.batch_operation_key
        progress = self._operations.progress(key)
        if progress is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to add items to a batch operation with key '{key}', but no such batch "
                "operation was found",
            )
            return
        if progress.initialized or progress.cursor != value.previous_search_result_cursor:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to add the items after cursor '{value.previous_search_result_cursor}' to "
                f"the batch operation with key '{key}', but its items are recorded up to cursor "
                f"'{progress.cursor}'{' and complete' if progress.initialized else ''}",
            )
            return
        writers.append_event(key, BatchOperationChunkIntent.CREATED, value)
