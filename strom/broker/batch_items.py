"""The items of a batch operation, found in secondary storage (the broker's side of the engine's
``BatchItemProvider``): the process instances of the asking partition that a filter matches, as
``POST /v2/process-instances/search`` would find them, restricted as Zeebe restricts them (active
ones; for a cancellation only root instances), paged by the search's own cursor; for
RESOLVE_INCIDENT, the active incidents of the instances with one.

It reads the same tables the SQL exporter writes (``strom.search``), so what an operation finds
is what searches show: eventually consistent, a few hundred milliseconds behind the log.
"""

from __future__ import annotations

import json
from typing import Any

from strom.engine.processing.batch_operation import UNRESTRICTED, ItemPage, ItemQueryError, ItemScope
from strom.protocol.keys import KEY_BITS
from strom.protocol.values.batch_operation import BatchOperationItemValue, BatchOperationType
from strom.search import SearchStore
from strom.search.errors import SearchError


class SecondaryStorageItems:
    """A ``BatchItemProvider`` over the read model at ``url``; opened on first use."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._store: SearchStore | None = None

    def fetch(
        self,
        operation_type: BatchOperationType,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
        scope: ItemScope = UNRESTRICTED,
    ) -> ItemPage:
        try:
            document: Any = json.loads(entity_filter)
        except ValueError as error:
            raise ItemQueryError(f"the filter is not JSON: {error}") from None
        if not isinstance(document, dict):
            raise ItemQueryError(f"the filter must be a JSON object, got {entity_filter!r}")
        if self._store is None:
            self._store = SearchStore(self._url)
        store = self._store
        # As Zeebe: each partition resolves the filter for the instances it owns.
        wanted: dict[str, Any] = {
            "state": "ACTIVE",
            "processInstanceKey": {
                "$gte": str(partition_id << KEY_BITS),
                "$lt": str((partition_id + 1) << KEY_BITS),
            },
        }
        if operation_type is BatchOperationType.CANCEL_PROCESS_INSTANCE:
            # As Zeebe: only root instances (a called one is cancelled with its root), whatever
            # the filter says about parents.
            document = {name: value for name, value in document.items() if name != "parentProcessInstanceKey"}
            wanted["parentProcessInstanceKey"] = {"$exists": False}
        elif operation_type is BatchOperationType.RESOLVE_INCIDENT:
            wanted["hasIncident"] = True
        if document:
            wanted["$or"] = [document]
        # As Zeebe: what the creator may see (its tenants, the processes it may read).
        for field, allowed in (("tenantId", scope.tenant_ids), ("processDefinitionId", scope.process_ids)):
            if allowed is not None:
                if not allowed:
                    return ItemPage([], cursor, True)
                wanted[field] = {"$in": sorted(allowed)}
        page: dict[str, Any] = {"limit": page_size}
        if cursor:
            page["after"] = cursor
        try:
            found = store.search("processInstance", {"filter": wanted, "page": page}, count=False)
        except SearchError as error:
            raise ItemQueryError(error.detail) from None
        instances = [int(item["processInstanceKey"]) for item in found["items"]]
        after = found["page"]["endCursor"] or cursor
        last = len(instances) < page_size
        if operation_type is not BatchOperationType.RESOLVE_INCIDENT:
            items = [BatchOperationItemValue(item_key=key, process_instance_key=key) for key in instances]
            return ItemPage(items, after, last)
        return ItemPage(self._incidents_of(store, instances), after, last)

    @staticmethod
    def _incidents_of(store: SearchStore, instances: list[int]) -> list[BatchOperationItemValue]:
        if not instances:
            return []
        body = {
            "filter": {"processInstanceKey": {"$in": [str(key) for key in instances]}, "state": "ACTIVE"},
            "page": {"limit": 10_000},
        }
        return [
            BatchOperationItemValue(
                item_key=int(incident["incidentKey"]),
                process_instance_key=int(incident["processInstanceKey"]),
            )
            for incident in store.search("incident", body, count=False)["items"]
        ]

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
