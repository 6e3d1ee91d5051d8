"""The end of a partition's part of a batch operation, and of the operation itself (Zeebe 8.8).

Every partition resolves the filter for the instances it owns and executes them. When its part is
done — its items executed, or its filter unresolvable — it writes PARTITION_COMPLETED (or
PARTITION_FAILED with the error) and, unless it is the operation's own partition (the lead), sends
COMPLETE_PARTITION (FAIL_PARTITION) to the lead by command distribution (resent until
acknowledged). The lead counts the partitions done; with all of them, the operation is COMPLETED
(with the errors of those that failed), or FAILED when every partition failed.
"""

from __future__ import annotations

from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import ValueType
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.keys import partition_of
from strom.protocol.values.batch_operation import (
    BatchOperationErrorValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationPartitionLifecycleRecordValue,
)
from strom.stream.key_generator import KeyGenerator


class PartitionFinish:
    def __init__(
        self,
        state: ProcessingState,
        distribution: CommandDistributionBehavior,
        keys: KeyGenerator,
        partition_id: int,
    ) -> None:
        self._operations = state.batch_operations
        self._distribution = distribution
        self._keys = keys
        self._partition_id = partition_id

    def done(self, key: int, writers: Writers, error: BatchOperationErrorValue | None = None) -> None:
        """This partition's part of operation ``key`` is done (failed with ``error``)."""
        value = BatchOperationPartitionLifecycleRecordValue(
            batch_operation_key=key,
            source_partition_id=self._partition_id,
            error=error if error is not None else BatchOperationErrorValue(),
        )
        failed = error is not None
        event = BatchOperationIntent.PARTITION_FAILED if failed else BatchOperationIntent.PARTITION_COMPLETED
        writers.append_event(key, event, value)
        lead = partition_of(key)
        if lead == self._partition_id:
            self.end_if_all_done(key, writers)
            return
        command = BatchOperationIntent.FAIL_PARTITION if failed else BatchOperationIntent.COMPLETE_PARTITION
        self._distribution.distribute(
            writers,
            self._keys.next_key(),
            ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE,
            command,
            value,
            to_partitions=[lead],
        )

    def is_done_here(self, key: int) -> bool:
        """Whether this partition (the lead) finished its part of ``key`` already."""
        progress = self._operations.progress(key)
        return progress is not None and self._partition_id in progress.finished

    def end_if_all_done(self, key: int, writers: Writers) -> None:
        """On the lead: COMPLETED or FAILED once every partition finished its part."""
        operation = self._operations.get(key)
        progress = self._operations.progress(key)
        if (
            operation is None
            or progress is None
            or not set(operation.partition_ids) <= set(progress.finished)
        ):
            return
        errors = [
            BatchOperationErrorValue(partition_id=partition, type=kind, message=message)
            for partition, kind, message in progress.errors
        ]
        everywhere = len(errors) >= len(operation.partition_ids)
        writers.append_event(
            key,
            BatchOperationIntent.FAILED if errors and everywhere else BatchOperationIntent.COMPLETED,
            BatchOperationLifecycleManagementRecordValue(batch_operation_key=key, errors=errors),
        )
