"""Over a real broker flooded with creations: every job pushed to a job stream is completed.

gRPC queues the calls the gateway has not taken yet, one queue per method, and drops calls
(CANCELLED) once a queue passes ``gateway.max_queued_calls``. A flood of CreateProcessInstance keeps
the gateway busy, so the worker's CompleteJob calls wait in their queue too; the gateway's push
window keeps the jobs a stream has not answered below that bound, so no completion is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

QUEUED_CALLS = 40
"""gRPC's queue of calls not yet taken, per method: small, so the flood passes it at once."""
FLOOD_SECONDS = 6.0
FLOOD_RATE = 3000
"""CreateProcessInstance calls per second, open loop: several times what the broker takes."""


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("flooded"), env={"STROM_GATEWAY__MAX_QUEUED_CALLS": str(QUEUED_CALLS)}
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


async def _flood(stub: GatewayStub, created: Counter[str]) -> None:
    """Creations at ``FLOOD_RATE`` for ``FLOOD_SECONDS``, whatever the answers (status counted)."""
    request = pb.CreateProcessInstanceRequest(bpmnProcessId="flooded")

    async def create() -> None:
        try:
            await stub.CreateProcessInstance(request, timeout=10)
            created["OK"] += 1
        except grpc.aio.AioRpcError as error:
            created[error.code().name] += 1

    calls: set[asyncio.Task[None]] = set()
    started = time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - started) < FLOOD_SECONDS:
        due = int(elapsed * FLOOD_RATE)
        while sent < due:
            sent += 1
            call = asyncio.create_task(create())
            calls.add(call)
            call.add_done_callback(calls.discard)
        await asyncio.sleep(0.002)
    await asyncio.gather(*calls)


def test_every_pushed_job_is_completed_while_creations_flood_the_gateway(broker: BrokerProcess) -> None:
    async def scenario() -> tuple[Counter[str], Counter[str], int]:
        created: Counter[str] = Counter()
        completions: Counter[str] = Counter()
        # Worker and flood on connections of their own, as separate client processes would be.
        async with (
            grpc.aio.insecure_channel(broker.address) as worker_channel,
            grpc.aio.insecure_channel(broker.address) as flood_channel,
        ):
            worker = GatewayStub(worker_channel)
            xml = bpmn.process("flooded").start_event().service_task("t", job_type="flood-work").end_event()
            await worker.DeployResource(
                pb.DeployResourceRequest(
                    resources=[pb.Resource(name="flooded.bpmn", content=xml.to_xml().encode())]
                )
            )
            stream = worker.StreamActivatedJobs(
                pb.StreamActivatedJobsRequest(type="flood-work", worker="w", timeout=120_000)
            )
            pending: set[asyncio.Task[None]] = set()

            async def complete(job_key: int) -> None:
                try:
                    await worker.CompleteJob(pb.CompleteJobRequest(jobKey=job_key), timeout=60)
                    completions["OK"] += 1
                except grpc.aio.AioRpcError as error:
                    completions[f"{error.code().name}: {error.details()}"] += 1

            async def consume() -> None:
                async for job in stream:
                    task = asyncio.create_task(complete(job.key))
                    pending.add(task)
                    task.add_done_callback(pending.discard)

            consumer = asyncio.create_task(consume())
            await asyncio.sleep(0.5)  # the stream is registered before the flood
            await _flood(GatewayStub(flood_channel), created)
            # Every instance created has one job; each must be pushed and completed.
            deadline = time.monotonic() + 60
            while sum(completions.values()) < created["OK"] and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            pushed = sum(completions.values())
            consumer.cancel()
            await asyncio.gather(consumer, *pending, return_exceptions=True)
        return created, completions, pushed

    created, completions, pushed = asyncio.run(scenario())

    refused = sum(n for status, n in created.items() if status != "OK")
    assert refused > 0, f"the flood did not overload the gateway: {dict(created)}"
    assert created["OK"] > 0, dict(created)
    assert pushed == created["OK"], f"{pushed} jobs answered for {created['OK']} instances created"
    assert completions == Counter({"OK": created["OK"]}), f"completions failed: {dict(completions)}"
