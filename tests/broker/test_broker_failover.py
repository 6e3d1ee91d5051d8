"""Two ``strom broker --cluster … --node-id N`` processes on one NATS server (issue 15, item 2): one
leads partition 1, the other follows; SIGKILL the leader and the follower takes over within the
lease TTL, with every acknowledged instance in its state. Meanwhile the follower's gateway forwards
commands to the leader."""

from __future__ import annotations

import json
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import grpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from _cluster_brokers import TTL_S, cluster_broker
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn
from tests.log._nats import NatsServer

pytestmark = pytest.mark.slow


def broker(directory: Path, nats: NatsServer, node_id: int) -> BrokerProcess:
    return cluster_broker(directory, nats, node_id, "--rest-port", "0")


def ready(process: BrokerProcess) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{process.metrics_port}/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def leads(process: BrokerProcess) -> bool:
    """Whether the broker's own topology entry says it leads partition 1."""
    try:
        with grpc.insecure_channel(process.address) as channel:
            me = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=2).brokers[0]
    except grpc.RpcError:
        return False
    return any(p.role == pb.Partition.PartitionBrokerRole.LEADER for p in me.partitions)


def test_the_follower_broker_takes_over_when_the_leader_is_killed(tmp_path: Path, nats: NatsServer) -> None:
    first = broker(tmp_path / "b1", nats, 1)
    second = None
    try:
        second = broker(tmp_path / "b2", nats, 2)
        # both are ready (a healthy follower is, as in Zeebe); only the first leads
        assert ready(first) and ready(second)
        assert leads(first) and not leads(second)
        xml = bpmn.process("order").start_event().service_task("t", job_type="work").end_event("e").to_xml()
        with grpc.insecure_channel(first.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="order.bpmn", content=xml.encode())])
            )
            created = {
                stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="order", variables=json.dumps({"n": n}))
                ).processInstanceKey
                for n in range(10)
            }
        with grpc.insecure_channel(second.address) as channel:
            # the follower's gateway forwards to the leader: the instance is the leader's
            forwarded = GatewayStub(channel).CreateProcessInstance(
                pb.CreateProcessInstanceRequest(
                    bpmnProcessId="order", variables=json.dumps({"n": "via follower"})
                )
            )
            [follower] = GatewayStub(channel).Topology(pb.TopologyRequest()).brokers[0].partitions
        assert follower.role == pb.Partition.PartitionBrokerRole.FOLLOWER
        first.wait_for_record(
            "PROCESS_INSTANCE", "ELEMENT_ACTIVATED", key=forwarded.processInstanceKey, timeout=20
        )
        created.add(forwarded.processInstanceKey)

        first.stop(signal.SIGKILL)
        killed = time.monotonic()
        while not leads(second):
            assert time.monotonic() - killed < float(TTL_S) + 5, second.logs()
            time.sleep(0.05)
        takeover_s = time.monotonic() - killed
        assert takeover_s < float(TTL_S) + 2, takeover_s

        with grpc.insecure_channel(second.address) as channel:
            stub = GatewayStub(channel)
            created.add(
                stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="order")
                ).processInstanceKey
            )
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
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
