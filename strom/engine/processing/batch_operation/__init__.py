"""Batch operations (Zeebe 8.8): one operation applied to every process instance a filter finds.

CREATE records the operation; the scheduler (``scheduler.py``) resolves the filter against
secondary storage through the engine's ``BatchItemProvider`` (``items.py``, implemented by the
broker) into chunks of item keys, then sends EXECUTE commands that write each item's ordinary
command (``_executors.py``); CANCEL / SUSPEND / RESUME change its course. ``register`` is the only
wiring of these value types.
"""

from __future__ import annotations

from strom.engine.partitions import InterPartitionSender
from strom.engine.processing import Processors
from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._executors import ItemExecutors
from strom.engine.processing.batch_operation.cancel import cancel_processor
from strom.engine.processing.batch_operation.create import BatchOperationCreateProcessor
from strom.engine.processing.batch_operation.create_chunk import BatchOperationChunkCreateProcessor
from strom.engine.processing.batch_operation.execute import BatchOperationExecuteProcessor
from strom.engine.processing.batch_operation.fail import BatchOperationFailProcessor
from strom.engine.processing.batch_operation.finish_initialization import (
    BatchOperationFinishInitializationProcessor,
)
from strom.engine.processing.batch_operation.items import (
    BatchItemProvider,
    ItemPage,
    ItemQueryError,
    NoItemProvider,
)
from strom.engine.processing.batch_operation.resume import resume_processor
from strom.engine.processing.batch_operation.scheduler import BatchOperationScheduler
from strom.engine.processing.batch_operation.suspend import suspend_processor
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
    partition_id: int,
    sender: InterPartitionSender,
    items: BatchItemProvider | None = None,
) -> BatchOperationScheduler:
    """Register the batch operation processors; the scheduler they answer to is returned (the
    engine starts it once it has recovered)."""
    scheduler = BatchOperationScheduler(state.batch_operations, items or NoItemProvider())
    executors = ItemExecutors(state, partition_id, sender)
    lifecycle = ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT
    processors.register(
        ValueType.BATCH_OPERATION_CREATION,
        BatchOperationIntent.CREATE,
        BatchOperationCreateProcessor(authorization, keys, partition_id, scheduler.wake),
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
        BatchOperationExecuteProcessor(state, executors),
    )
    processors.register(
        ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE,
        BatchOperationIntent.FAIL,
        BatchOperationFailProcessor(state),
    )
    processors.register(lifecycle, BatchOperationIntent.CANCEL, cancel_processor(state, authorization, keys))
    processors.register(
        lifecycle, BatchOperationIntent.SUSPEND, suspend_processor(state, authorization, keys)
    )
    processors.register(
        lifecycle, BatchOperationIntent.RESUME, resume_processor(state, authorization, keys, scheduler.wake)
    )
    return scheduler


__all__ = [
    "BatchItemProvider",
    "BatchOperationScheduler",
    "ItemPage",
    "ItemQueryError",
    "NoItemProvider",
    "register",
]
