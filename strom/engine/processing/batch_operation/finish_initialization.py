"""BATCH_OPERATION_INITIALIZATION FINISH_INITIALIZATION: the filter's last page is recorded; once
its items are executed the operation completes."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.record import Record


class BatchOperationFinishInitializationProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._operations = state.batch_operations

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        key = value.batch_operation_key
        progress = self._operations.progress(key)
        if progress is None or progress.initialized or progress.cursor != value.search_result_cursor:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to finish the initialization of a batch operation with key '{key}' at "
                f"cursor '{value.search_result_cursor}', but it is "
                + (
                    "not in progress"
                    if progress is None
                    else "initialized already"
                    if progress.initialized
                    else f"at cursor '{progress.cursor}'"
                ),
            )
            return
        writers.append_event(key, BatchOperationIntent.INITIALIZED, value)
