"""Secondary storage for engine tests: the items a batch operation's filter finds, read from the
records the partitions exported (as the SQL exporter would have stored them), filtered by
``bpmnProcessId`` and the asking partition, and paged by position in a list."""

from __future__ import annotations

import json
from typing import Any

from strom.engine.processing.batch_operation import UNRESTRICTED, ItemPage, ItemQueryError, ItemScope
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import IncidentIntent, ProcessInstanceIntent
from strom.protocol.keys import partition_of
from strom.protocol.values.batch_operation import BatchOperationItemValue, BatchOperationType
from strom.testing import TestEngine


class ExportedInstances:
    """Answers a batch operation's item queries from the partition's exported records."""

    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine
        self.queries = 0
        self.held_after: int | None = None
        self.scopes: list[ItemScope] = []
        """The scope of every query, as the scheduler worked it out from the creator."""
        """Answer this many more pages, then fail every query in passing (the operation waits)."""

    def fetch(
        self,
        operation_type: BatchOperationType,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
        scope: ItemScope = UNRESTRICTED,
    ) -> ItemPage:
        self.queries += 1
        self.scopes.append(scope)
        if self.held_after is not None:
            if self.held_after <= 0:
                raise ConnectionError("secondary storage is busy")
            self.held_after -= 1
        document: dict[str, Any] = json.loads(entity_filter)
        unknown = set(document) - {"bpmnProcessId", "tenantId"}  # every instance is in <default>
        if unknown:
            raise ItemQueryError(f"unknown filter field(s) {sorted(unknown)}")
        items = [  # as Zeebe: each partition resolves the filter for the instances it owns
            item
            for item in self._items(operation_type, document.get("bpmnProcessId"), scope)
            if partition_of(item.process_instance_key) == partition_id
        ]
        start = int(cursor) if cursor else 0
        page = items[start : start + page_size]
        end = start + len(page)
        return ItemPage(page, str(end) if page else cursor, end >= len(items))

    def _items(
        self, operation_type: BatchOperationType, process_id: str | None, scope: ItemScope
    ) -> list[BatchOperationItemValue]:
        records = self._engine.records
        active: dict[int, None] = {}
        for record in (
            records.process_instances().with_element_type(BpmnElementType.PROCESS).events().limit(1_000_000)
        ):
            if process_id is not None and record.value.bpmn_process_id != process_id:
                continue
            if scope.process_ids is not None and record.value.bpmn_process_id not in scope.process_ids:
                continue
            if scope.tenant_ids is not None and record.value.tenant_id not in scope.tenant_ids:
                continue
            if record.intent == ProcessInstanceIntent.ELEMENT_ACTIVATED:
                active[record.key] = None
            elif record.intent in (
                ProcessInstanceIntent.ELEMENT_COMPLETED,
                ProcessInstanceIntent.ELEMENT_TERMINATED,
            ):
                active.pop(record.key, None)
        if operation_type is not BatchOperationType.RESOLVE_INCIDENT:
            return [BatchOperationItemValue(item_key=key, process_instance_key=key) for key in active]
        incidents: dict[int, int] = {}
        for record in records.incidents().events().limit(1_000_000):
            if record.value.process_instance_key not in active:
                continue
            if record.intent == IncidentIntent.CREATED:
                incidents[record.key] = record.value.process_instance_key
            elif record.intent == IncidentIntent.RESOLVED:
                incidents.pop(record.key, None)
        return [
            BatchOperationItemValue(item_key=key, process_instance_key=pi) for key, pi in incidents.items()
        ]


def exported_instances(engine: TestEngine) -> ExportedInstances:
    """The partitions' batch operations find their items in the exported records (every test
    module's ``items`` fixture; a conftest here would shadow another directory's ``conftest``)."""
    provider = ExportedInstances(engine)
    for partition in engine.partitions.values():
        partition.engine.batch_operations.items = provider
    return provider
