"""BATCH_OPERATION_PARTITION_LIFECYCLE COMPLETE_PARTITION / FAIL_PARTITION on the operation's own
partition (the lead): another partition's part is done (failed). Received by command distribution:
recorded as PARTITION_COMPLETED (PARTITION_FAILED) and acknowledged; a repeated delivery is only
acknowledged again. With every partition done, the operation ends (``_finish.py``)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.batch_operation._finish import PartitionFinish
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.record import Record


class BatchOperationCompletePartitionProcessor:
    def __init__(
        self,
        state: ProcessingState,
        distribution: CommandDistributionBehavior,
        finish: PartitionFinish,
        *,
        failed: bool,
    ) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions
        self._distribution = distribution
        self._finish = finish
        self._event = (
            BatchOperationIntent.PARTITION_FAILED if failed else BatchOperationIntent.PARTITION_COMPLETED
        )

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        key = value.batch_operation_key
        if not self._distribution.is_distributed(command):
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected partition {value.source_partition_id} to report its part of the batch operation "
                f"with key '{key}' by command distribution, but the command was sent directly",
            )
            return
        if self._distributions.was_received(command.key):
            writers.reject(
                command,
                RejectionType.ALREADY_EXISTS,
                f"Expected partition {value.source_partition_id} to report its part of the batch operation "
                f"with key '{key}' once, but this partition has it already (a repeated delivery)",
            )
        elif self._operations.get(key) is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected partition {value.source_partition_id} to report its part of the batch "
                f"operation with key '{key}', but the operation is over (canceled)",
            )
        else:
            writers.append_event(command.key, self._event, value)
            self._finish.end_if_all_done(key, writers)
        self._distribution.acknowledge(writers, command)
