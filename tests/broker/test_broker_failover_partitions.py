"""Two ``strom broker --cluster … --partitions 2 --cluster-size 2`` processes on one NATS server
(issue 15, item 2 with several partitions): the leaders spread, one partition per broker; commands
between partitions (the deployment's distribution) cross brokers; SIGKILL one broker and the other
leads both partitions within the lease TTL, with every acknowledged instance in its state."""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from _cluster_brokers import TTL_S, cluster_broker
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn
from tests.log._nats import NatsServer

pytestmark = pytest.mark.slow

LEADER = pb.Partition.PartitionBrokerRole.LEADER


def broker(directory: Path, nats: NatsServer, node_id: int) -> BrokerProcess:
    return cluster_broker(directory, nats, node_id, "--partitions", "2", "--cluster-size", "2")


def led(process: BrokerProcess) -> set[int]:
    """The partitions this broker's topology says it leads (it lists itself first)."""
    with grpc.insecure_channel(process.address) as channel:
        me = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=5).brokers[0]
    return {partition.partitionId for partition in me.partitions if partition.role == LEADER}


def topology_roles(process: BrokerProcess) -> dict[int, dict[str, list[int]]]:
    """Per node id in the broker's topology: the partitions it leads and follows."""
    with grpc.insecure_channel(process.address) as channel:
        topology = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=5)
    assert topology.clusterSize == len(topology.brokers)
    return {
        broker.nodeId: {
            "leader": sorted(p.partitionId for p in broker.partitions if p.role == LEADER),
            "follower": sorted(p.partitionId for p in broker.partitions if p.role != LEADER),
        }
        for broker in topology.brokers
    }


def wait(condition: Callable[[], bool], what: str, timeout: float, logs: str = "") -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what} not within {timeout} s\n{logs}"
        time.sleep(0.05)
    return time.monotonic() - started


def create(stub: GatewayStub, n: int) -> pb.CreateProcessInstanceResponse:
    """Create an instance (retried while the deployment is still on its way to the partition)."""
    deadline = time.monotonic() + 20
    while True:
        try:
            return stub.CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="order", variables=json.dumps({"n": n})),
                timeout=10,
            )
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_leaders_spread_and_the_survivor_takes_over_the_partition_of_a_killed_broker(
    tmp_path: Path, nats: NatsServer
) -> None:
    first = broker(tmp_path / "b1", nats, 1)
    second = None
    try:
        second = broker(tmp_path / "b2", nats, 2)
        wait(
            lambda: len(led(first)) == 1 and len(led(second)) == 1, "one leader per broker", 30, first.logs()
        )
        assert led(first) != led(second)
        # every broker's topology shows the whole cluster: both brokers, one leader per partition
        wait(lambda: topology_roles(first) == topology_roles(second), "both topologies agree", 10)
        roles = topology_roles(first)
        assert sorted(roles) == [1, 2]
        assert [sorted(roles[node]["leader"] + roles[node]["follower"]) for node in (1, 2)] == [
            [1, 2],
            [1, 2],
        ]
        assert sorted(roles[1]["leader"] + roles[2]["leader"]) == [1, 2]
        rest = httpx.get(f"{second.rest_address}/topology", timeout=10).json()
        assert rest["clusterSize"] == 2 and sorted(b["nodeId"] for b in rest["brokers"]) == [1, 2]
        assert {
            b["nodeId"]: sorted(p["partitionId"] for p in b["partitions"] if p["role"] == "leader")
            for b in rest["brokers"]
        } == {node: roles[node]["leader"] for node in (1, 2)}

        xml = bpmn.process("order").start_event().service_task("t", job_type="work").end_event("e").to_xml()
        with grpc.insecure_channel(first.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="order.bpmn", content=xml.encode())])
            )
            created = [create(stub, n) for n in range(10)]
        # creation is round robin over the partitions: both hold instances (the second's through
        # the deployment distributed there and the commands forwarded to its leader's broker)
        assert {answer.processInstanceKey >> 51 for answer in created} == {1, 2}

        victim, survivor = (second, first) if 2 in led(second) else (first, second)
        victim.stop(signal.SIGKILL)
        takeover_s = wait(lambda: led(survivor) == {1, 2}, "the survivor leads both", 15, survivor.logs())
        assert takeover_s < float(TTL_S) + 3, takeover_s

        keys = {answer.processInstanceKey for answer in created}
        with grpc.insecure_channel(survivor.address) as channel:
            stub = GatewayStub(channel)
            keys.add(create(stub, 10).processInstanceKey)
            request = pb.ActivateJobsRequest(
                type="work", worker="w", timeout=60_000, maxJobsToActivate=30, requestTimeout=2_000
            )
            jobs: list[pb.ActivatedJob] = []
            deadline = time.monotonic() + 20
            while {job.processInstanceKey for job in jobs} != keys and time.monotonic() < deadline:
                jobs += [job for answer in stub.ActivateJobs(request) for job in answer.jobs]
            assert {job.processInstanceKey for job in jobs} == keys
            for job in jobs:
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        for key in keys:
            survivor.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=key, timeout=20)
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop(signal.SIGKILL)
