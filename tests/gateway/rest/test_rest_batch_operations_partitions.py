"""A batch operation on ``strom broker --partitions 2`` (a process per partition): the operation
is distributed to both partitions, each cancels the instances it owns (found in the secondary
storage both export into), and partition 1 completes it once both reported."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.protocol.keys import partition_of
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _until(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_each_partition_cancels_its_own_instances(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, "--partitions", "2").start(timeout=60)
    try:
        with httpx.Client(base_url=broker.rest_address, timeout=30) as http:
            xml = bpmn.process("bo-parts").start_event().service_task("task", job_type="bo-parts").end_event()
            answer = http.post(
                "/deployments", files=[("resources", ("bo-parts.bpmn", xml.to_xml().encode()))]
            )
            assert answer.status_code == 200, answer.text

            def start() -> str | None:
                created = http.post("/process-instances", json={"processDefinitionId": "bo-parts"})
                return str(created.json()["processInstanceKey"]) if created.status_code == 200 else None

            instances = [_until(start) for _ in range(10)]
            assert {partition_of(int(key)) for key in instances} == {1, 2}
            active = {"filter": {"processDefinitionId": "bo-parts", "state": "ACTIVE"}}
            assert _until(
                lambda: http.post("/process-instances/search", json=active).json()["page"]["totalItems"] == 10
            )

            created = http.post(
                "/process-instances/cancellation", json={"filter": {"processDefinitionId": "bo-parts"}}
            )
            assert created.status_code == 200, created.text
            key = created.json()["batchOperationKey"]

            def completed() -> dict[str, Any] | None:
                body: dict[str, Any] = http.get(f"/batch-operations/{key}").json()
                return (
                    body
                    if body.get("state") == "COMPLETED" and body["operationsCompletedCount"] == 10
                    else None
                )

            operation = _until(completed)
            assert operation, http.get(f"/batch-operations/{key}").text
            assert operation["operationsTotalCount"] == 10 and operation["errors"] == []
            items = http.post(
                "/batch-operation-items/search",
                json={"filter": {"batchOperationKey": key}, "page": {"limit": 20}},
            ).json()["items"]
            assert sorted(item["itemKey"] for item in items) == sorted(instances)
    finally:
        assert broker.stop() == 0, broker.logs()
