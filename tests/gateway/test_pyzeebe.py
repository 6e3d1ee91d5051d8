"""The unmodified pyzeebe client against ``strom broker``: deploy, create, workers (polling and
streaming), complete, fail with retries and back-off, throw error, create with result, cancel,
topology, health."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from broker_process import BrokerProcess
from pyzeebe import Job, JobController, ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.errors import BusinessError, ProcessDefinitionNotFoundError, ProcessTimeoutError

from strom.gateway.grpc._proto import health_pb2
from strom.testing import bpmn

pytestmark = pytest.mark.slow
T = TypeVar("T")


def run(main: Callable[[ZeebeClient, Any], Awaitable[T]], broker: BrokerProcess) -> T:
    """Run ``main(client, channel)`` on a fresh event loop and channel."""

    async def wrapper() -> T:
        channel = create_insecure_channel(grpc_address=broker.address)
        try:
            return await asyncio.wait_for(main(ZeebeClient(channel), channel), 60)
        finally:
            await channel.close()

    return asyncio.run(wrapper())


@contextlib.asynccontextmanager
async def working(worker: ZeebeWorker) -> AsyncIterator[None]:
    task = asyncio.create_task(worker.work())
    try:
        yield
    finally:
        await worker.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def _deploy_one_task(tmp_path: Path, process_id: str, job_type: str) -> Path:
    path = tmp_path / f"{process_id}.bpmn"
    path.write_text(
        bpmn.process(process_id)
        .start_event()
        .service_task("task", job_type=job_type)
        .end_event("end")
        .to_xml()
    )
    return path


def _metric(broker: BrokerProcess, name: str, **labels: str) -> float:
    text = (
        urllib.request.urlopen(f"http://127.0.0.1:{broker.metrics_port}/metrics", timeout=5).read().decode()
    )
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_topology_names_one_healthy_leader_partition(broker: BrokerProcess) -> None:
    async def main(client: ZeebeClient, channel: Any) -> Any:
        return await client.topology()

    topology = run(main, broker)

    assert (topology.cluster_size, topology.partitions_count, topology.replication_factor) == (1, 1, 1)
    assert topology.gateway_version == "8.8.0"
    [node] = topology.brokers
    assert (node.node_id, node.port, node.version) == (0, broker.port, "8.8.0")
    [partition] = node.partitions
    assert partition.partition_id == 1
    assert partition.role.name == "LEADER"
    assert partition.health.name == "HEALTHY"


def test_health_check_reports_serving(broker: BrokerProcess) -> None:
    async def main(client: ZeebeClient, channel: Any) -> Any:
        return await client.healthcheck()

    assert run(main, broker).status == health_pb2.HealthCheckResponse.SERVING


def test_polling_worker_completes_an_instance_created_with_result(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    bpmn_file = _deploy_one_task(tmp_path, "poll_process", "poll-work")
    seen: list[dict[str, Any]] = []

    async def main(client: ZeebeClient, channel: Any) -> Any:
        deployment = await client.deploy_resource(str(bpmn_file))
        worker = ZeebeWorker(channel, name="poller", request_timeout=2_000)

        @worker.task(task_type="poll-work")
        async def handle(amount: int) -> dict[str, Any]:
            seen.append({"amount": amount})
            return {"doubled": amount * 2}

        async with working(worker):
            result = await client.run_process_with_result("poll_process", {"amount": 21}, timeout=20_000)
        return deployment, result

    deployment, result = run(main, broker)

    [process] = deployment.deployments
    assert (process.bpmn_process_id, process.version) == ("poll_process", 1)
    assert result.variables == {"amount": 21, "doubled": 42}
    assert result.bpmn_process_id == "poll_process"
    assert seen == [{"amount": 21}]


def test_streaming_worker_gets_jobs_pushed(broker: BrokerProcess, tmp_path: Path) -> None:
    bpmn_file = _deploy_one_task(tmp_path, "stream_process", "stream-work")
    pushed_before = _metric(broker, "strom_jobs_total", action="pushed")

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(bpmn_file))
        # A long poll that never ends during the test: the job can only arrive through the stream.
        worker = ZeebeWorker(channel, name="streamer", stream_enabled=True, request_timeout=60_000)

        @worker.task(task_type="stream-work")
        async def handle(n: int) -> dict[str, Any]:
            return {"n": n + 1}

        async with working(worker):
            await asyncio.to_thread(broker.wait_for_metric, "strom_job_streams_open", lambda n: n >= 1)
            results = [
                await client.run_process_with_result("stream_process", {"n": n}, timeout=20_000)
                for n in range(3)
            ]
        return results

    results = run(main, broker)

    assert [r.variables["n"] for r in results] == [1, 2, 3]
    assert _metric(broker, "strom_jobs_total", action="pushed") - pushed_before >= 3


def test_failed_job_is_retried_after_its_back_off(broker: BrokerProcess, tmp_path: Path) -> None:
    bpmn_file = _deploy_one_task(tmp_path, "flaky_process", "flaky")
    attempts: list[int] = []

    async def fail_with_backoff(error: Exception, job: Job, controller: JobController) -> None:
        await controller.set_failure_status(f"attempt failed: {error}", retry_back_off_ms=700)

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(bpmn_file))
        worker = ZeebeWorker(channel, name="flaky-worker", request_timeout=1_000)

        @worker.task(task_type="flaky", exception_handler=fail_with_backoff)
        async def handle() -> dict[str, Any]:
            attempts.append(len(attempts) + 1)
            if len(attempts) == 1:
                raise RuntimeError("temporarily down")
            return {"ok": True}

        async with working(worker):
            return await client.run_process_with_result("flaky_process", {}, timeout=20_000)

    result = run(main, broker)

    assert result.variables == {"ok": True}
    assert attempts == [1, 2]
    failed = broker.wait_for_record("JOB", "FAILED", type="flaky", retries=2)
    assert failed["value"]["retryBackoff"] == 700
    assert failed["value"]["errorMessage"] == "attempt failed: temporarily down"
    recurred = broker.wait_for_record("JOB", "RECURRED_AFTER_BACKOFF", key=failed["key"])
    assert recurred["timestamp"] - failed["timestamp"] >= 700


def test_thrown_error_without_catch_event_raises_an_incident(broker: BrokerProcess, tmp_path: Path) -> None:
    bpmn_file = _deploy_one_task(tmp_path, "error_process", "erring")

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(bpmn_file))
        worker = ZeebeWorker(channel, name="erring-worker", request_timeout=1_000)

        @worker.task(task_type="erring")
        async def handle() -> dict[str, Any]:
            raise BusinessError("NO_STOCK")

        async with working(worker):
            created = await client.run_process("error_process", {})
            for _ in range(100):
                if any(r["valueType"] == "JOB" and r["intent"] == "ERROR_THROWN" for r in broker.records()):
                    break
                await asyncio.sleep(0.05)
        return created

    created = run(main, broker)

    thrown = broker.wait_for_record("JOB", "ERROR_THROWN", process_instance_key=created.process_instance_key)
    assert thrown["value"]["errorCode"] == "NO_STOCK"
    incident = broker.wait_for_record(
        "INCIDENT", "CREATED", process_instance_key=created.process_instance_key
    )
    assert incident["value"]["errorType"] == "UNHANDLED_ERROR_EVENT"


def test_cancel_terminates_the_instance(broker: BrokerProcess, one_task_file: Path) -> None:
    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(one_task_file))
        created = await client.run_process("one_task", {"order": 7})
        await client.cancel_process_instance(created.process_instance_key)
        return created

    created = run(main, broker)

    terminated = broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_TERMINATED",
        key=created.process_instance_key,
        bpmn_element_type="PROCESS",
    )
    assert terminated["value"]["bpmnProcessId"] == "one_task"


def test_create_with_result_fetches_only_the_named_variables(broker: BrokerProcess, tmp_path: Path) -> None:
    path = tmp_path / "pass.bpmn"
    path.write_text(bpmn.process("pass_through").start_event().end_event().to_xml())

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(path))
        return await client.run_process_with_result(
            "pass_through", {"a": 1, "b": [2], "c": "x"}, variables_to_fetch=["b", "c"]
        )

    assert run(main, broker).variables == {"b": [2], "c": "x"}


def test_create_with_result_times_out_with_deadline_exceeded(
    broker: BrokerProcess, one_task_file: Path
) -> None:
    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(one_task_file))
        with pytest.raises(ProcessTimeoutError):  # pyzeebe: DEADLINE_EXCEEDED
            await client.run_process_with_result("one_task", {}, timeout=300)

    run(main, broker)


def test_unknown_process_is_reported_as_not_found(broker: BrokerProcess) -> None:
    async def main(client: ZeebeClient, channel: Any) -> Any:
        with pytest.raises(ProcessDefinitionNotFoundError):
            await client.run_process("no_such_process", {})

    run(main, broker)
