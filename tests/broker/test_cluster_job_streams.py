"""A worker streaming jobs from one cluster broker gets the jobs of every partition, also of those
another broker leads (issue 15, "job pushes across brokers")."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import grpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess
from test_broker_failover_partitions import broker, create, led, wait

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.protocol.keys import partition_of
from strom.testing import bpmn
from tests.log._nats import NatsServer

pytestmark = pytest.mark.slow


def test_a_stream_on_one_broker_gets_the_jobs_of_partitions_another_broker_leads(
    tmp_path: Path, nats: NatsServer
) -> None:
    first = broker(tmp_path / "b1", nats, 1)
    second: BrokerProcess | None = None
    try:
        second = broker(tmp_path / "b2", nats, 2)
        wait(lambda: len(led(first)) == 1 and len(led(second)) == 1, "one leader per broker", 30)
        xml = bpmn.process("order").start_event().service_task("t", job_type="work").end_event("e").to_xml()
        pushed: list[pb.ActivatedJob] = []
        with grpc.insecure_channel(first.address) as channel:
            stub = GatewayStub(channel)
            stub.DeployResource(
                pb.DeployResourceRequest(resources=[pb.Resource(name="order.bpmn", content=xml.encode())])
            )
            stream = stub.StreamActivatedJobs(
                pb.StreamActivatedJobsRequest(type="work", worker="streamer", timeout=60_000)
            )

            def read() -> None:
                try:
                    pushed.extend(stream)
                except grpc.RpcError as error:  # cancelled at the end
                    assert error.code() == grpc.StatusCode.CANCELLED

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            time.sleep(3.0)  # the stream is announced to the other broker (every second)
            created = {create(stub, n).processInstanceKey for n in range(10)}
            assert {partition_of(key) for key in created} == {1, 2}

            wait(lambda: {job.processInstanceKey for job in pushed} == created, "every job pushed", 20)
            for job in list(pushed):
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
            stream.cancel()
            reader.join(5)
        for key in created:  # every broker exports every partition, led or followed
            for process in (first, second):
                process.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=key, timeout=20)
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop(signal.SIGKILL)
