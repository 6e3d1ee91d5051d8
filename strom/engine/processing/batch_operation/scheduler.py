"""The batch operation scheduler (Zeebe's ``BatchOperationExecutionScheduler``): a scheduled task of
the partition that drives every operation in progress, between commands.

For an operation whose items are not all known it asks the item provider (secondary storage) for
the next page after the recorded cursor — within what the operation's creator may see (its
tenants, the processes it may read), as Zeebe resolves a filter with the creator's authentication
— and writes it as a BATCH_OPERATION_CHUNK CREATE, then FINISH_INITIALIZATION after the last page.
For an operation whose items are known it writes one BATCH_OPERATION_EXECUTION EXECUTE per turn,
which executes the next few items: the commands go through the partition's inbox like a client's,
so a large operation shares the partition with clients instead of holding it (flow control).

At most one command per operation is in flight: the next is written once the state shows the
previous one processed (or after ``RESEND_AFTER_MS``, should one be lost). Nothing here is
durable: after a restart the state says where each operation stands, and the task goes on from
there.
"""

from __future__ import annotations

import logging
from typing import Any

from strom.engine.processing.authorization import AuthorizationCheck, names_caller_data
from strom.engine.processing.batch_operation.items import (
    UNRESTRICTED,
    BatchItemProvider,
    ItemQueryError,
    ItemScope,
)
from strom.engine.state.batch_operation import BatchOperationState
from strom.protocol.enums import RecordType
from strom.protocol.intents import (
    BatchOperationChunkIntent,
    BatchOperationExecutionIntent,
    BatchOperationIntent,
)
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.batch_operation import (
    BatchOperationChunkRecordValue,
    BatchOperationCreationRecordValue,
    BatchOperationErrorValue,
    BatchOperationExecutionRecordValue,
    BatchOperationInitializationRecordValue,
    BatchOperationPartitionLifecycleRecordValue,
)
from strom.protocol.values.identity import WILDCARD_RESOURCE_ID, AuthorizationResourceType, PermissionType
from strom.stream.processor import ProcessingContext
from strom.stream.scheduler import ScheduledTask

_log = logging.getLogger(__name__)

PAGE_SIZE = 100
"""Items asked of secondary storage per page (one BATCH_OPERATION_CHUNK each)."""
POLL_INTERVAL_MS = 1_000
"""How often the task looks when nothing is in progress (a CREATED wakes it at once)."""
RETRY_AFTER_MS = 1_000
"""After a passing failure of the item query."""
RESEND_AFTER_MS = 5_000
"""A command in flight this long without effect is written again."""


class BatchOperationScheduler:
    def __init__(
        self,
        operations: BatchOperationState,
        items: BatchItemProvider,
        authorization: AuthorizationCheck | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._operations = operations
        self._authorization = authorization
        self.items = items
        """The item provider; the broker sets it (secondary storage), tests may too."""
        self._page_size = page_size
        self._context: ProcessingContext | None = None
        self._scheduled: ScheduledTask | None = None
        self._in_flight: dict[int, tuple[Any, int]] = {}
        """operation key -> (what the state shows while the last command is unprocessed, sent at)."""

    def start(self, context: ProcessingContext) -> None:
        self._context = context
        self._in_flight.clear()
        self.wake()

    def wake(self) -> None:
        """Run at the next chance (an operation was created, or work remains)."""
        self._schedule(0)

    def _schedule(self, delay_ms: int) -> None:
        context = self._context
        if context is None:
            return
        due = context.clock.now_millis() + delay_ms
        current = self._scheduled
        if current is not None and not current.cancelled and current.due <= due:
            return
        if current is not None:
            current.cancel()
        self._scheduled = context.scheduler.schedule_at(due, self._run)

    def _run(self) -> None:
        context = self._context
        if context is None:
            return
        self._scheduled = None
        now = context.clock.now_millis()
        with context.read():
            operations = []
            for key in self._operations.operation_keys():
                operation = self._operations.get(key)
                progress = self._operations.progress(key)
                if operation is None or progress is None or progress.suspended:
                    continue
                if context.partition_id in progress.finished:
                    continue  # the lead's part is done: it waits for the other partitions
                head = self._operations.next_items(key, 1)
                marker = (progress.cursor, progress.initialized, head[0].item_key if head else -1)
                operations.append((key, operation, progress.initialized, progress.cursor, marker))
        live = {key for key, *_ in operations}
        for key in list(self._in_flight):
            if key not in live:
                del self._in_flight[key]
        delay = POLL_INTERVAL_MS
        for key, operation, initialized, cursor, marker in operations:
            sent = self._in_flight.get(key)
            if sent is not None and sent[0] == marker and now - sent[1] < RESEND_AFTER_MS:
                delay = 0  # its command waits in the inbox: look again after it
                continue
            if initialized:
                self._write(
                    context,
                    key,
                    BatchOperationExecutionIntent.EXECUTE,
                    BatchOperationExecutionRecordValue(batch_operation_key=key),
                )
            elif not self._next_page(context, key, operation, cursor):
                delay = min(delay, RETRY_AFTER_MS)
                continue
            self._in_flight[key] = (marker, now)
            delay = 0
        self._schedule(delay)

    def _next_page(
        self, context: ProcessingContext, key: int, operation: BatchOperationCreationRecordValue, cursor: str
    ) -> bool:
        """Write the next page's chunk (and the end of initialization after the last); False when
        the query failed in passing (asked again later)."""
        try:
            page = self.items.fetch(
                operation.batch_operation_type,
                operation.entity_filter,
                cursor,
                self._page_size,
                context.partition_id,
                scope=self._scope(context, operation),
            )
        except ItemQueryError as error:
            value = BatchOperationPartitionLifecycleRecordValue(
                batch_operation_key=key,
                source_partition_id=context.partition_id,
                error=BatchOperationErrorValue(
                    partition_id=context.partition_id, type="QUERY_FAILED", message=str(error)
                ),
            )
            self._write(context, key, BatchOperationIntent.FAIL, value)
            return True
        except Exception as passing:  # a busy or restarting database: asked again later
            # (its own name: compiled with mypyc, one name bound by two handlers takes the first type)
            _log.warning("batch operation %d: the item query failed, asking again in 1 s: %r", key, passing)
            return False
        after = cursor
        if page.items or page.cursor != cursor:
            after = page.cursor
            chunk = BatchOperationChunkRecordValue(
                batch_operation_key=key,
                items=page.items,
                search_result_cursor=page.cursor,
                previous_search_result_cursor=cursor,
            )
            self._write(context, key, BatchOperationChunkIntent.CREATE, chunk)
        if page.last:
            finish = BatchOperationInitializationRecordValue(
                batch_operation_key=key, search_result_cursor=after, search_query_page_size=self._page_size
            )
            self._write(context, key, BatchOperationIntent.FINISH_INITIALIZATION, finish)
        return True

    def _scope(self, context: ProcessingContext, operation: BatchOperationCreationRecordValue) -> ItemScope:
        """The tenants and processes the creator may see (its identity read from committed state)."""
        check = self._authorization
        if check is None or not names_caller_data(operation.authentication):
            return UNRESTRICTED
        with context.read():
            caller = check.caller_named(operation.authentication)
            readable = check.resource_ids(
                caller, AuthorizationResourceType.PROCESS_DEFINITION, PermissionType.READ_PROCESS_INSTANCE
            )
        return ItemScope(
            tenant_ids=frozenset(caller.tenants) if check.multi_tenancy else None,
            process_ids=None if WILDCARD_RESOURCE_ID in readable else frozenset(readable),
        )

    @staticmethod
    def _write(context: ProcessingContext, key: int, intent: int, value: Any) -> None:
        command: Record[Any] = RECORD_CLASS_FOR_VALUE[type(value)](
            key=key, record_type=RecordType.COMMAND, intent=intent, value=value
        )
        context.write_command(command)
