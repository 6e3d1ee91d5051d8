"""A broker killed (SIGKILL) while its SQL exporter writes: after a restart the secondary storage
holds every instance, element instance, variable and job of the log exactly once — none missing,
none doubled — because rows and the exported position commit in one transaction."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from broker_process import BrokerProcess

from strom.broker import Partition, PartitionSettings
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import ProcessInstanceIntent
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _load(address: str, stop: threading.Event, created: list[int]) -> None:
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        request = pb.CreateProcessInstanceRequest(bpmnProcessId="crash", variables='{"n": 1, "text": "abc"}')
        while not stop.is_set():
            try:
                created.append(stub.CreateProcessInstance(request, timeout=5).processInstanceKey)
                jobs = stub.ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="crash-work", worker="w", timeout=60_000, maxJobsToActivate=5, requestTimeout=-1
                    ),
                    timeout=5,
                )
                for answer in jobs:
                    for job in answer.jobs:
                        stub.CompleteJob(
                            pb.CompleteJobRequest(jobKey=job.key, variables='{"done": true}'), timeout=5
                        )
            except grpc.RpcError:
                return  # the broker was killed


def test_sigkill_during_export_leaves_no_row_missing_or_doubled(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path).start()
    xml = bpmn.process("crash").start_event().service_task("task", job_type="crash-work").end_event().to_xml()
    with grpc.insecure_channel(broker.address) as channel:
        GatewayStub(channel).DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="crash.bpmn", content=xml.encode())])
        )
    stop = threading.Event()
    created: list[int] = []
    with ThreadPoolExecutor(3) as pool:
        for _ in range(3):
            pool.submit(_load, broker.address, stop, created)
        deadline = time.monotonic() + 30
        while len(created) < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        broker.stop(signal.SIGKILL)
        stop.set()
    assert len(created) >= 300, "the load did not get going"

    again = BrokerProcess(tmp_path).start()  # replays, and the exporter resumes where it committed
    assert again.stop() == 0, again.logs()

    partition = Partition(PartitionSettings(data_dir=tmp_path / "data")).open()
    try:
        with partition.log.reader(partition.log.first_position) as reader:
            events = [
                r for r in (codec.decode(data) for _, data in reader) if r.record_type is RecordType.EVENT
            ]
    finally:
        partition.close(snapshot=False)
    instances = {
        r.key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE
        and r.intent == ProcessInstanceIntent.ELEMENT_ACTIVATING
        and r.value.bpmn_element_type.name == "PROCESS"
    }
    elements = {
        r.key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE
        and r.intent == ProcessInstanceIntent.ELEMENT_ACTIVATING
        and r.value.bpmn_element_type.name != "PROCESS"
    }
    variables = {r.key for r in events if r.value_type is ValueType.VARIABLE}
    jobs = {r.key for r in events if r.value_type is ValueType.JOB}

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'data' / 'secondary.db'}")
    with engine.connect() as connection:

        def keys(table: str) -> list[int]:
            return [row[0] for row in connection.execute(sa.text(f"SELECT key FROM {table}"))]

        stored = {name: keys(name) for name in ("process_instance", "element_instance", "variable", "job")}
    engine.dispose()

    assert set(created) <= instances, "an acknowledged instance is missing from the log"
    for name, expected in (
        ("process_instance", instances),
        ("element_instance", elements),
        ("variable", variables),
        ("job", jobs),
    ):
        assert len(stored[name]) == len(set(stored[name])), f"{name}: a row is doubled"
        missing, unexpected = expected - set(stored[name]), set(stored[name]) - expected
        assert not missing and not unexpected, f"{name}: {len(missing)} missing, {len(unexpected)} unexpected"
