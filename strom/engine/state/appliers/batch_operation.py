"""Appliers for batch operation events: created, items found (chunks), initialized, items executed,
suspended / resumed, a partition's part done (completed or failed), and the end (completed,
canceled, failed), which forgets the operation. Events a partition got by distribution are
remembered as received, so a repeated delivery is only acknowledged."""

from __future__ import annotations

from typing import Any

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    BatchOperationChunkIntent,
    BatchOperationExecutionIntent,
    BatchOperationIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.record import Record


class BatchOperationCreatedV1:
    """On the partition that created it and, distributed, on every other one."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._operations.create(record.key, record.value)
        self._distributions.mark_if_received(record.key, record.partition_id)


class BatchOperationChunkCreatedV1:
    """Adds the page's items behind those found before and moves the cursor past them."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._operations.add_items(value.batch_operation_key, value.items, value.search_result_cursor)


class BatchOperationInitializedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations

    def __call__(self, record: Record[Any]) -> None:
        self._operations.finish_initialization(record.value.batch_operation_key)


class BatchOperationExecutedV1:
    """The items' commands are written: they are no longer to be executed."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        self._operations.remove_items(value.batch_operation_key, value.item_keys)


class BatchOperationSuspendedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._operations.set_suspended(record.value.batch_operation_key, True)
        self._distributions.mark_if_received(record.key, record.partition_id)


class BatchOperationResumedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._operations.set_suspended(record.value.batch_operation_key, False)
        self._distributions.mark_if_received(record.key, record.partition_id)


class BatchOperationCompletedV1:
    """Every item executed: nothing more happens to the operation on this partition."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations

    def __call__(self, record: Record[Any]) -> None:
        self._operations.remove(record.value.batch_operation_key)


class BatchOperationCanceledV1:
    """The items not executed yet never will be."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions

    def __call__(self, record: Record[Any]) -> None:
        self._operations.remove(record.value.batch_operation_key)
        self._distributions.mark_if_received(record.key, record.partition_id)


def _finish_partition(state: MutableProcessingState, record: Record[Any], failed: bool) -> None:
    value = record.value
    key = value.batch_operation_key
    if partition_of(key) == record.partition_id:  # the lead: one more partition is done
        error = (value.error.partition_id, value.error.type, value.error.message) if failed else None
        state.batch_operations.finish_partition(key, value.source_partition_id, error)
    else:  # a partition whose part is done: nothing more happens to the operation here
        state.batch_operations.remove(key)
    state.distributions.mark_if_received(record.key, record.partition_id)


class BatchOperationPartitionCompletedV1:
    """A partition executed its items: it forgets the operation; the lead counts it as done."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._state = state

    def __call__(self, record: Record[Any]) -> None:
        _finish_partition(self._state, record, failed=False)


class BatchOperationPartitionFailedV1:
    """A partition could not resolve the filter: as completed, with the error kept by the lead."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._state = state

    def __call__(self, record: Record[Any]) -> None:
        _finish_partition(self._state, record, failed=True)


class BatchOperationFailedV1:
    """The filter could not be resolved: the operation ends with the items found so far unexecuted."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._operations = state.batch_operations

    def __call__(self, record: Record[Any]) -> None:
        self._operations.remove(record.value.batch_operation_key)


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    lifecycle = ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT
    appliers.register(
        ValueType.BATCH_OPERATION_CREATION, BatchOperationIntent.CREATED, BatchOperationCreatedV1(state)
    )
    appliers.register(
        ValueType.BATCH_OPERATION_CHUNK,
        BatchOperationChunkIntent.CREATED,
        BatchOperationChunkCreatedV1(state),
    )
    appliers.register(
        ValueType.BATCH_OPERATION_INITIALIZATION,
        BatchOperationIntent.INITIALIZED,
        BatchOperationInitializedV1(state),
    )
    appliers.register(
        ValueType.BATCH_OPERATION_EXECUTION,
        BatchOperationExecutionIntent.EXECUTING,
        NoStateChange("the items about to be executed, for exporters; EXECUTED removes them"),
    )
    appliers.register(
        ValueType.BATCH_OPERATION_EXECUTION,
        BatchOperationExecutionIntent.EXECUTED,
        BatchOperationExecutedV1(state),
    )
    appliers.register(lifecycle, BatchOperationIntent.SUSPENDED, BatchOperationSuspendedV1(state))
    appliers.register(lifecycle, BatchOperationIntent.RESUMED, BatchOperationResumedV1(state))
    appliers.register(lifecycle, BatchOperationIntent.COMPLETED, BatchOperationCompletedV1(state))
    appliers.register(lifecycle, BatchOperationIntent.CANCELED, BatchOperationCanceledV1(state))
    appliers.register(lifecycle, BatchOperationIntent.FAILED, BatchOperationFailedV1(state))
    partitions = ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE
    appliers.register(
        partitions, BatchOperationIntent.PARTITION_COMPLETED, BatchOperationPartitionCompletedV1(state)
    )
    appliers.register(
        partitions, BatchOperationIntent.PARTITION_FAILED, BatchOperationPartitionFailedV1(state)
    )
