"""Flow control through the gateway: over the write-rate limit a client gets RESOURCE_EXHAUSTED
saying which limit, and job completions still pass."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def test_over_the_write_rate_limit_creations_are_resource_exhausted_naming_the_limit(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, env={"STROM_FLOW_CONTROL__WRITE_RATE_LIMIT": "5"}).start()
    try:
        with grpc.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            xml = (
                bpmn.process("slow")
                .start_event()
                .service_task("t", job_type="slow-work")
                .end_event()
                .to_xml()
            )
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="s.bpmn", content=xml.encode())])
            )
            outcomes: list[str] = []
            for _ in range(20):
                try:
                    stub.CreateProcessInstance(
                        pb.CreateProcessInstanceRequest(bpmnProcessId="slow"), timeout=10
                    )
                    outcomes.append("created")
                except grpc.RpcError as error:
                    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED, error.details()
                    assert "write rate limit of 5 commands/s" in error.details()
                    outcomes.append("throttled")
            jobs = [
                job
                for answer in stub.ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="slow-work", worker="w", timeout=60_000, maxJobsToActivate=50
                    ),
                    timeout=10,
                )
                for job in answer.jobs
            ]
            for job in jobs:  # completions are never throttled
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key), timeout=10)
    finally:
        assert broker.stop() == 0, broker.logs()

    assert "throttled" in outcomes and outcomes.count("created") >= 4
    assert len(jobs) == outcomes.count("created")
