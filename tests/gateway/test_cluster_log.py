"""``strom broker --cluster nats://…``: the partitions' logs on NATS JetStream (issue 15, first
slice: one broker). What is acknowledged is in the stream, so a broker on another machine (a fresh
data directory) rebuilds the state from the stream alone after the first one was SIGKILLed."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn
from tests.log._nats import NatsServer

pytestmark = pytest.mark.slow


def broker_on(directory: Path, nats: NatsServer, *args: str) -> BrokerProcess:
    directory.mkdir()
    return BrokerProcess(
        directory,
        "--cluster",
        nats.url,
        "--secondary-storage",
        "none",
        "--rest-port",
        "0",
        *args,
        env={"STROM_LEASE_TTL_S": "1"},  # a SIGKILLed leader's lease frees soon
    ).start(timeout=60)


def wait_until_leading(process: BrokerProcess, timeout_s: float = 15) -> None:
    """Until the broker's topology says it leads all its partitions (the first broker's leases
    expire after their TTL; a follower is ready, but does not lead)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with grpc.insecure_channel(process.address) as channel:
                me = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=2).brokers[0]
            if all(p.role == pb.Partition.PartitionBrokerRole.LEADER for p in me.partitions):
                return
        except grpc.RpcError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not leading within {timeout_s} s:\n{process.logs()}")
        time.sleep(0.05)


@pytest.mark.parametrize("partitions", ["1", "2"])
def test_a_broker_on_a_fresh_machine_rebuilds_the_state_from_the_stream(
    tmp_path: Path, nats: NatsServer, partitions: str
) -> None:
    first = broker_on(tmp_path / "first", nats, "--partitions", partitions)
    try:
        with grpc.insecure_channel(first.address) as channel:
            stub = GatewayStub(channel)
            xml = (
                bpmn.process("order").start_event().service_task("t", job_type="work").end_event("e").to_xml()
            )
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="order.bpmn", content=xml.encode())])
            )
            created = {
                stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="order", variables=json.dumps({"n": n}))
                ).processInstanceKey
                for n in range(6)
            }
    finally:
        first.stop(signal.SIGKILL)  # no snapshot, no goodbye: only the stream has it

    second = broker_on(tmp_path / "second", nats, "--partitions", partitions, "--node-id", "2")
    try:
        wait_until_leading(second)
        with grpc.insecure_channel(second.address) as channel:
            stub = GatewayStub(channel)
            request = pb.ActivateJobsRequest(
                type="work", worker="w", timeout=60_000, maxJobsToActivate=20, requestTimeout=5_000
            )
            jobs = [job for answer in stub.ActivateJobs(request) for job in answer.jobs]
            assert {job.processInstanceKey for job in jobs} == created
            for job in jobs:
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        for key in created:
            second.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=key, timeout=20)
    finally:
        second.stop()
