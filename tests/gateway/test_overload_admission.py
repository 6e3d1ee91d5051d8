"""Over a real broker: the gateway counts calls from the moment it takes them and refuses the excess
with RESOURCE_EXHAUSTED at once; job completion passes at the limit; one client holds only so many
long polls and job streams; idle connections are closed."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from broker_process import BrokerProcess

from strom.broker.config import ConfigError, load_config
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

LIMIT = 3
POLLS_PER_CLIENT = 2
STREAMS_PER_CLIENT = 2


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("admission"),
        "--backpressure",
        "fixed",
        env={
            "STROM_BACKPRESSURE__FIXED__LIMIT": str(LIMIT),
            "STROM_GATEWAY__MAX_LONG_POLLS_PER_CLIENT": str(POLLS_PER_CLIENT),
            "STROM_GATEWAY__MAX_JOB_STREAMS_PER_CLIENT": str(STREAMS_PER_CLIENT),
        },
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


def _metric(broker: BrokerProcess, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{broker.metrics_port}/metrics", timeout=10) as answer:
        for line in answer.read().decode().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no metric {name}")


async def _eventually(check: object, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.05)


async def _deploy(stub: GatewayStub, process_id: str, job_type: str) -> None:
    xml = bpmn.process(process_id).start_event().service_task("t", job_type=job_type).end_event().to_xml()
    await stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name=f"{process_id}.bpmn", content=xml.encode())])
    )


async def _jobs(stream: AsyncIterator[pb.ActivatedJob], count: int) -> list[pb.ActivatedJob]:
    jobs = []
    async for job in stream:
        jobs.append(job)
        if len(jobs) == count:
            return jobs
    raise AssertionError(f"the stream ended after {len(jobs)} of {count} jobs")


async def _fill_to_the_limit(
    stub: GatewayStub, process_id: str, job_type: str
) -> tuple[list[asyncio.Task[pb.CreateProcessInstanceWithResultResponse]], list[pb.ActivatedJob], object]:
    """LIMIT create-with-result calls that stay in flight (their instances wait at a task), and the
    jobs of those instances, pushed to a job stream (which the limit does not count)."""
    await _deploy(stub, process_id, job_type)
    stream = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(type=job_type, worker="w", timeout=60_000)
    )
    await asyncio.sleep(0.5)  # the stream is registered before the instances are created
    waiting = [
        asyncio.ensure_future(
            stub.CreateProcessInstanceWithResult(
                pb.CreateProcessInstanceWithResultRequest(
                    request=pb.CreateProcessInstanceRequest(bpmnProcessId=process_id), requestTimeout=60_000
                ),
                timeout=70,
            )
        )
        for _ in range(LIMIT)
    ]
    jobs = await asyncio.wait_for(_jobs(stream, LIMIT), 20)  # every call is in flight now
    return waiting, jobs, stream


def test_calls_beyond_the_in_flight_limit_are_refused_with_resource_exhausted(broker: BrokerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            waiting, jobs, stream = await _fill_to_the_limit(stub, "held", "held-work")
            refused_before = _metric(broker, "strom_gateway_requests_refused_total")
            started = time.monotonic()
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.CreateProcessInstance(
                    pb.CreateProcessInstanceRequest(bpmnProcessId="held"), timeout=30
                )
            elapsed = time.monotonic() - started
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED, refused.value.details()
            assert f"backpressure limit of {LIMIT}" in (refused.value.details() or "")
            assert elapsed < 10, f"refused after {elapsed:.1f} s: it waited instead of being refused"
            assert _metric(broker, "strom_gateway_requests_refused_total") == refused_before + 1
            assert _metric(broker, "strom_gateway_requests_inflight") == LIMIT
            # Once one of the held calls is answered, a new call is taken again.
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=jobs[0].key))
            await asyncio.wait_for(asyncio.shield(waiting[0]), 20)
            created = await stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="held"))
            assert created.processInstanceKey > 0
            for job in jobs[1:]:
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
            await asyncio.wait_for(asyncio.gather(*waiting), 20)
            stream.cancel()  # type: ignore[attr-defined]

    asyncio.run(scenario())


def test_job_completion_is_accepted_under_backpressure(broker: BrokerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            waiting, jobs, stream = await _fill_to_the_limit(stub, "busy", "busy-work")
            with pytest.raises(grpc.aio.AioRpcError) as refused:  # the gateway is at its limit ...
                await stub.PublishMessage(pb.PublishMessageRequest(name="m", correlationKey="k"), timeout=30)
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            for job in jobs:  # ... and still takes every completion
                await stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key, variables='{"done": true}'))
            answers = await asyncio.wait_for(asyncio.gather(*waiting), 20)
            assert [json.loads(answer.variables) for answer in answers] == [{"done": True}] * LIMIT
            stream.cancel()  # type: ignore[attr-defined]

    asyncio.run(scenario())


def test_a_client_cannot_hold_more_than_2_long_polls(broker: BrokerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)

            def poll(timeout_ms: int) -> grpc.aio.UnaryStreamCall:
                return stub.ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="no-such-work",
                        worker="w",
                        timeout=1000,
                        maxJobsToActivate=1,
                        requestTimeout=timeout_ms,
                    )
                )

            held = [poll(60_000) for _ in range(POLLS_PER_CLIENT)]
            await _eventually(
                lambda: _metric(broker, "strom_gateway_long_polls_open") == POLLS_PER_CLIENT,
                "both polls wait",
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                async for _ in poll(60_000):
                    pass
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            details = refused.value.details() or ""
            assert f"already has {POLLS_PER_CLIENT} long-polling ActivateJobs calls open" in details
            assert "gateway.max_long_polls_per_client" in details
            assert "STROM_GATEWAY__MAX_LONG_POLLS_PER_CLIENT" in details
            # A request that does not wait (requestTimeout < 0) is no long poll: it is answered.
            assert [answer async for answer in poll(-1)] == []
            # Once one poll ends, the client may open another.
            held[0].cancel()
            await _eventually(
                lambda: _metric(broker, "strom_gateway_long_polls_open") == POLLS_PER_CLIENT - 1,
                "one poll ended",
            )
            assert [answer async for answer in poll(200)] == []  # waits 0.2 s, finds nothing
            held[1].cancel()

    asyncio.run(scenario())


def test_a_client_cannot_hold_more_than_2_job_streams(broker: BrokerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)

            def stream() -> grpc.aio.UnaryStreamCall:
                return stub.StreamActivatedJobs(
                    pb.StreamActivatedJobsRequest(type="streamed-work", worker="w", timeout=60_000)
                )

            held = [stream() for _ in range(STREAMS_PER_CLIENT)]
            await _eventually(
                lambda: _metric(broker, 'strom_job_streams_open{partition="1"}') == STREAMS_PER_CLIENT,
                "both streams are open",
            )
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                async for _ in stream():
                    pass
            assert refused.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            details = refused.value.details() or ""
            assert f"already has {STREAMS_PER_CLIENT} job streams open" in details
            assert "gateway.max_job_streams_per_client" in details
            held[0].cancel()
            await _eventually(
                lambda: _metric(broker, 'strom_job_streams_open{partition="1"}') == STREAMS_PER_CLIENT - 1,
                "one stream ended",
            )
            replacement = stream()  # the freed place is taken again
            await _eventually(
                lambda: _metric(broker, 'strom_job_streams_open{partition="1"}') == STREAMS_PER_CLIENT,
                "the new stream is open",
            )
            replacement.cancel()
            held[1].cancel()

    asyncio.run(scenario())


def test_an_idle_connection_is_closed_and_the_client_reconnects(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, env={"STROM_GATEWAY__MAX_CONNECTION_IDLE_MS": "1000"}).start()
    try:

        async def scenario() -> list[grpc.ChannelConnectivity]:
            async with grpc.aio.insecure_channel(broker.address) as channel:
                stub = GatewayStub(channel)
                await stub.Topology(pb.TopologyRequest(), timeout=10)
                states = [channel.get_state()]
                await asyncio.sleep(3.0)  # no call for longer than the idle limit
                states.append(channel.get_state())
                await stub.Topology(pb.TopologyRequest(), timeout=10)  # reconnects by itself
                states.append(channel.get_state())
                return states

        states = asyncio.run(scenario())
    finally:
        assert broker.stop() == 0, broker.logs()
    assert states == [
        grpc.ChannelConnectivity.READY,
        grpc.ChannelConnectivity.IDLE,
        grpc.ChannelConnectivity.READY,
    ]


def test_gateway_limits_out_of_range_are_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"gateway\.max_queued_calls must be at least 1, got 0"):
        load_config(environ={"STROM_GATEWAY__MAX_QUEUED_CALLS": "0"})
    with pytest.raises(
        ConfigError, match=r"gateway.max_long_polls_per_client must be 0 \(no limit\) or more"
    ):
        load_config(environ={"STROM_GATEWAY__MAX_LONG_POLLS_PER_CLIENT": "-1"})
    assert (
        load_config(
            environ={"STROM_GATEWAY__MAX_JOB_STREAMS_PER_CLIENT": "5"}
        ).gateway.max_job_streams_per_client
        == 5
    )


def test_with_credentials_each_user_is_a_client_of_its_own(tmp_path: Path) -> None:
    def basic(username: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    broker = BrokerProcess(
        tmp_path,
        "--auth",
        "basic",
        "--admin-user",
        "admin",
        env={"STROM_ADMIN_PASSWORD": "pw-admin", "STROM_GATEWAY__MAX_JOB_STREAMS_PER_CLIENT": "1"},
    ).start()
    try:
        with httpx.Client(base_url=broker.rest_address, timeout=30) as http:
            admin = {"authorization": basic("admin", "pw-admin")}
            created = http.post("/users", json={"username": "dora", "password": "pw-dora"}, headers=admin)
            assert created.status_code == 201, created.text
            deadline = time.monotonic() + 20  # users are read from secondary storage once exported
            while (
                http.get("/topology", headers={"authorization": basic("dora", "pw-dora")}).status_code != 200
            ):
                assert time.monotonic() < deadline, "dora could not log in"
                time.sleep(0.05)

        async def scenario() -> tuple[grpc.StatusCode, str, float]:
            async with grpc.aio.insecure_channel(broker.address) as channel:
                stub = GatewayStub(channel)

                def stream(user: str, password: str) -> grpc.aio.UnaryStreamCall:
                    return stub.StreamActivatedJobs(
                        pb.StreamActivatedJobsRequest(type="shared-work", worker=user, timeout=60_000),
                        metadata=(("authorization", basic(user, password)),),
                    )

                admins = stream("admin", "pw-admin")
                await _eventually(
                    lambda: _metric(broker, 'strom_job_streams_open{partition="1"}') == 1,
                    "admin's stream is open",
                )
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    async for _ in stream("admin", "pw-admin"):
                        pass
                doras = stream("dora", "pw-dora")  # another user, same host: a client of its own
                await _eventually(
                    lambda: _metric(broker, 'strom_job_streams_open{partition="1"}') == 2,
                    "dora's stream is open",
                )
                open_streams = _metric(broker, 'strom_job_streams_open{partition="1"}')
                admins.cancel()
                doras.cancel()
                return refused.value.code(), refused.value.details() or "", open_streams

        code, details, open_streams = asyncio.run(scenario())
    finally:
        assert broker.stop() == 0, broker.logs()
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "client user 'admin' already has 1 job streams open" in details
    assert open_streams == 2
