"""The push window: a job stream holds at most so many jobs whose answer the gateway has not taken."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from broker_process import BrokerProcess
from test_jobs import FakeBridge, Writer

from strom.broker import JobStreamRegistry
from strom.broker.gateway_limits import GatewayLimits
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.gateway.grpc.jobs import JobCounters, PushWindow, PushWindows, stream_jobs
from strom.protocol.values.job import JobRecordValue
from strom.testing import bpmn


async def _open(
    registry: JobStreamRegistry, job_type: str, windows: PushWindows, writer: Writer, timeout_ms: int = 60_000
) -> tuple[asyncio.Task[None], Any]:
    request = pb.StreamActivatedJobsRequest(type=job_type, worker="w", timeout=timeout_ms)
    call = asyncio.ensure_future(
        stream_jobs(request, registry, FakeBridge(), JobCounters(), set(), writer, windows)  # type: ignore[arg-type]
    )
    for _ in range(1000):
        stream = registry.pick(job_type)
        if stream is not None:
            return call, stream
        await asyncio.sleep(0.001)
    raise AssertionError("the stream call never registered its stream")


async def _written(writer: Writer, count: int) -> list[int]:
    return [await asyncio.wait_for(writer.written.get(), 5) for _ in range(count)]


async def _nothing_more(writer: Writer) -> None:
    await asyncio.sleep(0.1)
    assert writer.written.empty(), "a job was pushed past the window"


def test_a_stream_pushes_the_next_job_only_once_an_answer_was_taken() -> None:
    async def main() -> None:
        registry, windows, writer = JobStreamRegistry(), PushWindows(2), Writer()
        call, stream = await _open(registry, "t", windows, writer)
        for key in (1, 2, 3, 4):
            stream.push(key, JobRecordValue(type="t"))
        assert await _written(writer, 2) == [1, 2]
        await _nothing_more(writer)
        assert len(windows) == 2
        windows.answered(2)  # CompleteJob for job 2 was taken
        assert await _written(writer, 1) == [3]
        await _nothing_more(writer)
        windows.answered(99)  # an answer for a job no stream holds changes nothing
        await _nothing_more(writer)
        windows.answered(1)
        assert await _written(writer, 1) == [4]
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await call
        assert len(windows) == 0, "an ended stream's jobs still hold places"

    asyncio.run(asyncio.wait_for(main(), 20))


def test_a_stream_that_holds_its_jobs_holds_up_only_itself() -> None:
    async def main() -> None:
        registry, windows = JobStreamRegistry(), PushWindows(1)
        slow_writer, other_writer = Writer(), Writer()
        slow_call, slow = await _open(registry, "slow", windows, slow_writer)
        other_call, other = await _open(registry, "other", windows, other_writer)
        slow.push(1, JobRecordValue(type="slow"))
        slow.push(2, JobRecordValue(type="slow"))
        assert await _written(slow_writer, 1) == [1]
        for key in (10, 11):
            other.push(key, JobRecordValue(type="other"))
        assert await _written(other_writer, 1) == [10]
        windows.answered(10)
        assert await _written(other_writer, 1) == [11]
        await _nothing_more(slow_writer)
        for call in (slow_call, other_call):
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await call

    asyncio.run(asyncio.wait_for(main(), 20))


def _second_job_follows_the_first_unanswered(timeout_ms: int) -> None:
    """Two jobs pushed through a window of one; job 1 is never answered, yet job 2 is written."""

    async def main() -> None:
        registry, windows, writer = JobStreamRegistry(), PushWindows(1), Writer()
        call, stream = await _open(registry, "t", windows, writer, timeout_ms=timeout_ms)
        stream.push(1, JobRecordValue(type="t"))
        stream.push(2, JobRecordValue(type="t"))
        assert await _written(writer, 1) == [1]
        assert await asyncio.wait_for(writer.written.get(), PushWindow.ROOM_CHECK_S * 4) == 2
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await call

    asyncio.run(asyncio.wait_for(main(), 20))


def test_a_job_whose_activation_timed_out_frees_its_place() -> None:
    # The worker let job 1 time out (200 ms), so job 2 follows without an answer.
    _second_job_follows_the_first_unanswered(timeout_ms=200)


def test_a_job_held_long_stops_holding_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # An hour's timeout, but job 1 holds its place only HOLD_S: job 2 follows without an answer.
    monkeypatch.setattr(PushWindow, "HOLD_S", 0.2)
    _second_job_follows_the_first_unanswered(timeout_ms=3_600_000)


def test_open_streams_share_the_budget_so_their_answers_stay_below_grpcs_queue_bound() -> None:
    limits = GatewayLimits()  # gRPC drops CompleteJob calls past 1000 queued
    windows = PushWindows(limits.push_window, limits.push_budget)
    first = windows.window()
    assert windows.per_stream() == 250  # one stream: a quarter of the bound
    others = [windows.window() for _ in range(9)]
    assert windows.per_stream() == 75  # ten streams: 750 shared
    assert windows.streams * windows.per_stream() < limits.max_queued_calls
    many = [windows.window() for _ in range(190)]
    assert windows.per_stream() == PushWindows.MIN_PER_STREAM  # never nothing
    for window in [first, *others, *many]:
        window.close()
        window.close()  # closing twice counts once
    assert windows.streams == 0
    assert windows.per_stream() == 250


def test_a_fixed_window_is_not_shared() -> None:
    limits = GatewayLimits(max_unanswered_pushed_jobs=7)
    assert (limits.push_window, limits.push_budget) == (7, None)
    windows = PushWindows(limits.push_window, limits.push_budget)
    opened = [windows.window() for _ in range(50)]
    assert windows.per_stream() == 7
    for window in opened:
        window.close()


# -- over a real broker ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("window"), env={"STROM_GATEWAY__MAX_UNANSWERED_PUSHED_JOBS": "1"}
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.mark.slow
def test_each_answer_a_worker_gives_lets_the_next_job_through(broker: BrokerProcess) -> None:
    """With a window of one, the stream carries the next job once the last one was completed,
    failed or answered with a BPMN error — and not before."""

    async def scenario() -> None:
        async with grpc.aio.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            xml = bpmn.process("windowed").start_event().service_task("t", job_type="windowed").end_event()
            await stub.DeployResource(
                pb.DeployResourceRequest(
                    resources=[pb.Resource(name="windowed.bpmn", content=xml.to_xml().encode())]
                )
            )
            stream = stub.StreamActivatedJobs(
                pb.StreamActivatedJobsRequest(type="windowed", worker="w", timeout=60_000)
            )
            await asyncio.sleep(0.5)  # the stream is registered before the instances are created
            for _ in range(4):
                await stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="windowed"))
            jobs = stream.__aiter__()

            async def next_job() -> pb.ActivatedJob:
                job: pb.ActivatedJob = await asyncio.wait_for(jobs.__anext__(), 10)
                return job

            async def nothing_yet() -> None:
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(pending), 1.0)

            first = await next_job()
            pending = asyncio.ensure_future(next_job())
            await nothing_yet()
            await stub.FailJob(pb.FailJobRequest(jobKey=first.key, retries=0, errorMessage="no"))
            second = await pending
            pending = asyncio.ensure_future(next_job())
            await nothing_yet()
            await stub.ThrowError(pb.ThrowErrorRequest(jobKey=second.key, errorCode="E"))
            third = await pending
            pending = asyncio.ensure_future(next_job())
            await nothing_yet()
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=third.key))
            fourth = await pending
            await stub.CompleteJob(pb.CompleteJobRequest(jobKey=fourth.key))
            assert len({first.key, second.key, third.key, fourth.key}) == 4
            stream.cancel()  # type: ignore[attr-defined]

    asyncio.run(scenario())
