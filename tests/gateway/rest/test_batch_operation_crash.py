"""A broker killed (SIGKILL) in the middle of a batch operation: after a restart the operation goes
on from where its log says it stood and completes; every matching instance is cancelled by exactly
one CANCEL command of the operation (none lost, none doubled), and secondary storage counts each
item once."""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from broker_process import BrokerProcess

from strom.broker import Partition, PartitionSettings
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import ProcessInstanceIntent
from strom.testing import bpmn

pytestmark = pytest.mark.slow

INSTANCES = 2000


def _create(address: str, count: int) -> list[int]:
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        request = pb.CreateProcessInstanceRequest(bpmnProcessId="bulk")
        return [stub.CreateProcessInstance(request, timeout=10).processInstanceKey for _ in range(count)]


def _cancels(data: Path, batch_key: int) -> list[Any]:
    """The CANCEL commands of the operation in partition 1's log (the broker is not running)."""
    partition = Partition(PartitionSettings(data_dir=data, follow=True)).open()
    try:
        with partition.log.reader(partition.log.first_position) as reader:
            records = [codec.decode(bytes_) for _, bytes_ in reader]
    finally:
        partition.close(snapshot=False)
    return [
        record
        for record in records
        if record.value_type is ValueType.PROCESS_INSTANCE
        and record.record_type is RecordType.COMMAND
        and record.intent == ProcessInstanceIntent.CANCEL
        and record.batch_operation_reference == batch_key
    ]


def _until(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_sigkill_mid_batch_then_restart_executes_each_item_exactly_once(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path).start()
    xml = bpmn.process("bulk").start_event().service_task("task", job_type="bulk-work").end_event().to_xml()
    with grpc.insecure_channel(broker.address) as channel:
        GatewayStub(channel).DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="bulk.bpmn", content=xml.encode())])
        )
    with ThreadPoolExecutor(4) as pool:
        created = [
            key
            for keys in pool.map(lambda _: _create(broker.address, INSTANCES // 4), range(4))
            for key in keys
        ]
    with httpx.Client(base_url=broker.rest_address, timeout=30) as http:
        active = {"filter": {"processDefinitionId": "bulk", "state": "ACTIVE"}}
        assert _until(
            lambda: (
                http.post("/process-instances/search", json=active).json()["page"]["totalItems"] == INSTANCES
            )
        ), "the instances never all showed in secondary storage"
        created_batch = http.post(
            "/process-instances/cancellation", json={"filter": {"processDefinitionId": "bulk"}}
        )
        assert created_batch.status_code == 200, created_batch.text
        batch_key = int(created_batch.json()["batchOperationKey"])
        terminated = {"filter": {"processDefinitionId": "bulk", "state": "TERMINATED"}}
        assert _until(
            lambda: http.post("/process-instances/search", json=terminated).json()["page"]["totalItems"] > 0,
            timeout=30,
        ), "the operation never began"
    broker.stop(signal.SIGKILL)

    before_restart = _cancels(tmp_path / "data", batch_key)
    assert 0 < len(before_restart) < INSTANCES, "the kill did not land in the middle of the operation"

    again = BrokerProcess(tmp_path).start()
    with httpx.Client(base_url=again.rest_address, timeout=30) as http:

        def completed() -> dict[str, Any] | None:
            answer = http.get(f"/batch-operations/{batch_key}")
            body: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            done = body.get("state") == "COMPLETED" and body.get("operationsCompletedCount") == INSTANCES
            return body if done else None

        operation = _until(completed)
        assert operation, http.get(f"/batch-operations/{batch_key}").text
        assert operation["operationsTotalCount"] == INSTANCES
        assert operation["operationsFailedCount"] == 0
        items = http.post(
            "/batch-operation-items/search",
            json={"filter": {"batchOperationKey": str(batch_key)}, "page": {"limit": 1}},
        ).json()
        assert items["page"]["totalItems"] == INSTANCES
    assert again.stop() == 0, again.logs()

    cancels = _cancels(tmp_path / "data", batch_key)
    cancelled = [record.key for record in cancels]
    assert len(cancelled) == len(set(cancelled)), "an item was executed twice"
    assert set(cancelled) == set(created), "an item was lost"
