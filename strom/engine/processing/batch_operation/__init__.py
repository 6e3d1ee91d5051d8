"""Batch operations (Zeebe 8.8): one operation applied to every process instance a filter finds.

CREATE records the operation and distributes it to every partition; each partition's scheduler
(``scheduler.py``) resolves the filter for the instances it owns against secondary storage through
the engine's ``BatchItemProvider`` (``items.py``, implemented by the broker) into chunks of item
keys, then sends EXECUTE commands that write each item's ordinary command (``_executors.py``);
each partition reports its part done to the operation's own partition, which completes it
(``_finish.py``); CANCEL / SUSPEND / RESUME change its course on every partition. ``register`` is
the only wiring of these value types.
"""

from __future__ import annotations

from strom.engine.processing import Processors
from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._executors import ItemExecutors
from strom.engine.processing.batch_operation._finish import PartitionFinish
from strom.engine.processing.batch_operation.cancel import cancel_processor
from strom.engine.processing.batch_operation.complete_partition import (
    BatchOperationCompletePartitionProcessor,
)
from strom.engine.processing.batch_operation.create import BatchOperationCreateProcessor
from strom.engine.processing.batch_operation.create_chunk import BatchOperationChunkCreateProcessor
from strom.engine.processing.batch_operation.execute import BatchOperationExecuteProcessor
from strom.engine.processing.batch_operation.fail import BatchOperationFailProcessor
from strom.engine.processing.batch_operation.finish_initialization import (
    BatchOperationFinishInitializationProcessor,
)
from strom.engine.processing.batch_operation.items import (
    UNRESTRICTED,
    BatchItemProvider,
    ItemPage,
    ItemQueryError,
    ItemScope,
    NoItemProvider,
)
from strom.engine.processing.batch_operation.resume import resume_processor
from strom.engine.processing.batch_operation.scheduler import BatchOperationScheduler
from strom.engine.processing.batch_operation.suspend import suspend_processor
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state import ProcessingState
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    BatchOperationChunkIntent,
    BatchOperationExecutionIntent,
    BatchOperationIntent,
)
from strom.stream.key_generator import KeyGenerator


def register(
    processors: Processors,
    state: ProcessingState,
    keys: KeyGenerator,
    authorization: AuthorizationCheck,
    distribution: CommandDistributionBehavior,
    items: BatchItemProvider | None = None,
) -> BatchOperationScheduler:
    """Register the batch operation processors; the scheduler they answer to is returned (the
    engine starts it once it has recovered)."""
    partition_id = distribution.partition_id
    scheduler = BatchOperationScheduler(state.batch_operations, items or NoItemProvider(), authorization)
    executors = ItemExecutors(state, partition_id)
    finish = PartitionFinish(state, distribution, keys, partition_id)
    lifecycle = ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT
    partitions = ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE
    processors.register(
        ValueType.BATCH_OPERATION_CREATION,
        BatchOperationIntent.CREATE,
        BatchOperationCreateProcessor(state, authorization, keys, distribution, scheduler.wake),
    )
    processors.register(
        ValueType.BATCH_OPERATION_CHUNK,
        BatchOperationChunkIntent.CREATE,
        BatchOperationChunkCreateProcessor(state),
    )
    processors.register(
        ValueType.BATCH_OPERATION_INITIALIZATION,
        BatchOperationIntent.FINISH_INITIALIZATION,
        BatchOperationFinishInitializationProcessor(state),
    )
    processors.register(
        ValueType.BATCH_OPERATION_EXECUTION,
        BatchOperationExecutionIntent.EXECUTE,
        BatchOperationExecuteProcessor(state, executors, finish),
    )
    processors.register(partitions, BatchOperationIntent.FAIL, BatchOperationFailProcessor(state, finish))
    processors.register(
        partitions,
        BatchOperationIntent.COMPLETE_PARTITION,
        BatchOperationCompletePartitionProcessor(state, distribution, finish, failed=False),
    )
    processors.register(
        partitions,
        BatchOperationIntent.FAIL_PARTITION,
        BatchOperationCompletePartitionProcessor(state, distribution, finish, failed=True),
    )
    processors.register(
        lifecycle, BatchOperationIntent.CANCEL, cancel_processor(state, authorization, keys, distribution)
    )
    processors.register(
        lifecycle, BatchOperationIntent.SUSPEND, suspend_processor(state, authorization, keys, distribution)
    )
    processors.register(
        lifecycle,
        BatchOperationIntent.RESUME,
        resume_processor(state, authorization, keys, distribution, scheduler.wake),
    )
    return scheduler


__all__ = [
    "UNRESTRICTED",
    "BatchItemProvider",
    "BatchOperationScheduler",
    "ItemPage",
    "ItemQueryError",
    "ItemScope",
    "NoItemProvider",
    "register",
]
