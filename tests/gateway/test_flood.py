"""A flood of CreateProcessInstance calls against a broker with a small in-flight limit: some are
RESOURCE_EXHAUSTED, CompleteJob never is, and every accepted instance completes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

FLOOD = 1500
CONCURRENCY = 300


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("flooded"),
        "--backpressure",
        "fixed",
        env={"STROM_BACKPRESSURE__FIXED__LIMIT": "8"},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


async def _flood(broker: BrokerProcess, bpmn_xml: bytes) -> tuple[set[int], int, int, int]:
    address = broker.address
    async with grpc.aio.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        await stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="f.bpmn", content=bpmn_xml)])
        )
        accepted: set[int] = set()
        rejected = 0
        complete_rejected = 0
        completed = 0
        messages: list[str] = []

        async def create(n: int, gate: asyncio.Semaphore) -> None:
            nonlocal rejected
            async with gate:
                try:
                    answer = await stub.CreateProcessInstance(
                        pb.CreateProcessInstanceRequest(bpmnProcessId="flood", variables=json.dumps({"n": n}))
                    )
                    accepted.add(answer.processInstanceKey)
                except grpc.aio.AioRpcError as error:
                    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED, error.details()
                    messages.append(error.details())
                    rejected += 1

        async def work() -> None:
            nonlocal completed, complete_rejected
            stream = stub.StreamActivatedJobs(
                pb.StreamActivatedJobsRequest(type="flood-work", worker="w", timeout=60_000)
            )
            pending: set[asyncio.Task[None]] = set()

            async def complete(key: int) -> None:
                nonlocal completed, complete_rejected
                try:
                    await stub.CompleteJob(pb.CompleteJobRequest(jobKey=key, variables='{"ok": true}'))
                    completed += 1
                except grpc.aio.AioRpcError as error:
                    if error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
                        complete_rejected += 1
                    raise

            with contextlib.suppress(asyncio.CancelledError):
                async for job in stream:
                    task = asyncio.create_task(complete(job.key))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
            await asyncio.gather(*pending, return_exceptions=True)

        worker = asyncio.create_task(work())
        await asyncio.to_thread(broker.wait_for_metric, "strom_job_streams_open", lambda n: n >= 1)
        gate = asyncio.Semaphore(CONCURRENCY)
        await asyncio.gather(*(create(n, gate) for n in range(FLOOD)))
        # Jobs created before the stream opened (none expected) or handed back are polled.
        for _ in range(200):
            if completed >= len(accepted):
                break
            await asyncio.sleep(0.05)
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        assert all("overloaded" in m and "backpressure limit of" in m for m in messages)
        return accepted, rejected, complete_rejected, completed


def test_a_flood_is_partly_rejected_complete_never_and_accepted_instances_complete(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    xml = bpmn.process("flood").start_event().service_task("task", job_type="flood-work").end_event().to_xml()

    accepted, rejected, complete_rejected, completed = asyncio.run(_flood(broker, xml.encode()))

    assert rejected > 0
    assert accepted and len(accepted) + rejected == FLOOD
    assert complete_rejected == 0
    assert completed == len(accepted)

    def completed_instances() -> set[int]:
        return {
            r["key"]
            for r in broker.records()
            if r["valueType"] == "PROCESS_INSTANCE"
            and r["intent"] == "ELEMENT_COMPLETED"
            and r["value"]["bpmnElementType"] == "PROCESS"
        }

    # The last instances finish (and reach the exporter) just after their jobs are answered.
    deadline = time.monotonic() + 15
    while not accepted <= completed_instances() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert accepted <= completed_instances()


def test_backpressure_metrics_count_the_rejections(broker: BrokerProcess) -> None:
    text = (
        urllib.request.urlopen(f"http://127.0.0.1:{broker.metrics_port}/metrics", timeout=5).read().decode()
    )
    metrics = {
        line.split("{")[0] + ("{" + line.split("{")[1].split("}")[0] + "}" if "{" in line else ""): float(
            line.rsplit(" ", 1)[1]
        )
        for line in text.splitlines()
        if line.startswith("strom_")
    }
    assert metrics['strom_backpressure_limit{partition="1"}'] == 8
    assert metrics['strom_backpressure_requests_total{outcome="rejected",partition="1"}'] > 0
    assert metrics['strom_backpressure_inflight{partition="1"}'] == 0
    assert metrics['strom_records_processed_total{partition="1"}'] > 0
    assert metrics['strom_jobs_total{action="pushed",partition="1"}'] > 0
    assert metrics['strom_exporter_position{exporter="records",partition="1"}'] > 0
    assert metrics['strom_stream_processing_step_seconds_count{partition="1"}'] > 0
    assert metrics['strom_request_latency_seconds_count{partition="1"}'] > 0
