"""A real broker whose disk watermark is above the free space: commands are RESOURCE_EXHAUSTED naming
the directory, the free space and the watermark; reads (topology, searches) go on; ``/ready`` says
DOWN with the reason while ``/health`` stays UP."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import grpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _http(url: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.parametrize("partitions", ["1", "2"])
def test_a_broker_short_of_disk_space_refuses_commands_and_keeps_serving_reads(
    tmp_path: Path, partitions: str
) -> None:
    broker = BrokerProcess(
        tmp_path, "--partitions", partitions, "--disk-free-space-processing", "1000TB"
    ).start()
    data_dir = str(tmp_path / "data")
    try:
        with grpc.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            xml = bpmn.process("p").start_event().end_event().to_xml().encode()

            with pytest.raises(grpc.RpcError) as refused:
                stub.DeployResource(
                    pb.DeployResourceRequest(resources=[pb.Resource(name="p.bpmn", content=xml)]), timeout=10
                )
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            details = refused.value.details()
            assert "out of disk space" in details and data_dir in details, details
            assert "less than disk.free_space_processing (1000.0 TB)" in details, details
            with pytest.raises(grpc.RpcError) as refused:
                stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="p"), timeout=10)
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED

            topology = stub.Topology(pb.TopologyRequest(), timeout=10)
            assert topology.partitionsCount == int(partitions)

        status, problem = _http(f"{broker.rest_address}/process-instances", {"processDefinitionId": "p"})
        assert status in (429, 503) and problem["title"] == "RESOURCE_EXHAUSTED", problem
        assert "out of disk space" in problem["detail"]
        status, found = _http(f"{broker.rest_address}/process-instances/search", {})
        assert status == 200 and found["items"] == []

        status, ready = _http(f"http://127.0.0.1:{broker.metrics_port}/ready")
        assert status == 503 and ready["status"] == "DOWN"
        assert "out of disk space" in ready["details"]["reason"] and data_dir in ready["details"]["reason"]
        assert _http(f"http://127.0.0.1:{broker.metrics_port}/health")[0] == 200

        assert broker.wait_for_metric("strom_disk_processing_paused", lambda v: v == 1, partition="1") == 1
        assert broker.metric("strom_disk_free_bytes", partition="1") > 0
    finally:
        assert broker.stop() == 0, broker.logs()
