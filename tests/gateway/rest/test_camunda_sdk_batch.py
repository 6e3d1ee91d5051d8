"""Batch operations with Camunda's Python client (``camunda-orchestration-sdk`` 10): cancel the
instances a filter finds, then read the operation and its items back through the client's models
(which require every field Camunda 8.10 answers with)."""

from __future__ import annotations

from typing import Any

import pytest
from camunda_orchestration_sdk import CamundaClient, ProcessCreationById
from camunda_orchestration_sdk.models import (
    BatchOperationItemSearchQuery,
    BatchOperationSearchQuery,
    ProcessInstanceCancellationBatchOperationRequest,
    ProcessInstanceSearchQuery,
)
from camunda_orchestration_sdk.runtime.eventual import ConsistencyOptions

pytestmark = pytest.mark.slow


def _until(predicate: Any, wait_ms: int = 20_000) -> ConsistencyOptions:
    return ConsistencyOptions(wait_up_to_ms=wait_ms, poll_interval_ms=50, predicate=predicate)


def test_cancel_by_filter_and_follow_the_operation(client: CamundaClient) -> None:
    keys = [
        str(
            client.create_process_instance(
                data=ProcessCreationById(process_definition_id="review")
            ).process_instance_key
        )
        for _ in range(3)
    ]
    by_keys = {"processInstanceKey": {"$in": keys}}
    client.search_process_instances(
        data=ProcessInstanceSearchQuery.from_dict({"filter": by_keys}),
        consistency=_until(lambda result: len(result.items) == 3),
    )

    created = client.cancel_process_instances_batch_operation(
        data=ProcessInstanceCancellationBatchOperationRequest.from_dict({"filter": by_keys})
    )

    assert created.batch_operation_type.value == "CANCEL_PROCESS_INSTANCE"
    operation = client.get_batch_operation(
        created.batch_operation_key,
        consistency=_until(
            lambda result: result.state.value == "COMPLETED" and result.operations_completed_count == 3
        ),
    )
    assert operation.operations_total_count == 3 and operation.operations_failed_count == 0
    assert operation.start_date is not None and operation.end_date is not None
    items = client.search_batch_operation_items(
        data=BatchOperationItemSearchQuery.from_dict(
            {"filter": {"batchOperationKey": created.batch_operation_key}}
        )
    )
    assert sorted(str(item.item_key) for item in items.items) == sorted(keys)
    assert {item.state.value for item in items.items} == {"COMPLETED"}
    found = client.search_batch_operations(
        data=BatchOperationSearchQuery.from_dict({"filter": {"operationType": "CANCEL_PROCESS_INSTANCE"}})
    )
    assert created.batch_operation_key in [operation.batch_operation_key for operation in found.items]
