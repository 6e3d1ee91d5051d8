"""Long polling and job streams in the gateway, against a scripted partition bridge."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from types import SimpleNamespace
from typing import Any

from strom.broker import JobStreamRegistry
from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.jobs import GatewayJobStream, JobCounters, JobNotifications, LongPolling, stream_jobs
from strom.gateway.grpc.tenancy import TenancyPolicy
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobBatchIntent, JobIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue

_BATCH = RECORD_CLASS_FOR_VALUE[JobBatchRecordValue]


class FakeBridge:
    """Answers ActivateJobs with scripted batches and records fire-and-forget commands."""

    def __init__(self, batches: list[list[int]] | None = None) -> None:
        self.batches = deque(batches or [])
        self.sent = 0
        self.submitted: list[Record[Any]] = []
        self.partitions = SimpleNamespace(fan_out=lambda: [None])  # one partition
        self.tenancy = TenancyPolicy()

    async def send(
        self, command: Record[Any], rpc: str, timeout_s: float | None = None, endpoint: Any = None
    ) -> Record[Any]:
        self.sent += 1
        keys = self.batches.popleft() if self.batches else []
        value = JobBatchRecordValue(
            type=command.value.type,
            job_keys=keys,
            jobs=[JobRecordValue(type=command.value.type) for _ in keys],
        )
        return _BATCH(record_type=RecordType.EVENT, intent=JobBatchIntent.ACTIVATED, value=value)

    def submit(self, command: Record[Any]) -> None:
        self.submitted.append(command)

    def yielded(self) -> list[int]:
        return [c.key for c in self.submitted if c.intent == JobIntent.YIELD]


def _request(**fields: Any) -> pb.ActivateJobsRequest:
    return pb.ActivateJobsRequest(
        **{"type": "t", "worker": "w", "timeout": 1000, "maxJobsToActivate": 5, **fields}
    )


def test_a_long_poll_is_woken_by_jobs_of_its_type_from_another_thread() -> None:
    async def main() -> tuple[list[Any], int, float]:
        registry = JobStreamRegistry()
        notifications = JobNotifications(registry, asyncio.get_running_loop())
        bridge = FakeBridge([[], [7]])
        polling = LongPolling(bridge, notifications, 10_000, JobCounters())  # type: ignore[arg-type]
        threading.Timer(
            0.2, lambda: (registry.notify_available("other"), registry.notify_available("t"))
        ).start()
        started = asyncio.get_running_loop().time()
        answers = [a async for a in polling.activate(_request(requestTimeout=5_000))]
        return answers, bridge.sent, asyncio.get_running_loop().time() - started

    answers, sent, waited = asyncio.run(main())

    assert [job.key for job in answers[0].jobs] == [7]
    assert sent == 2
    assert 0.15 < waited < 2


def test_a_long_poll_without_jobs_ends_empty_at_its_timeout_and_close_ends_it_early() -> None:
    async def main() -> tuple[list[Any], list[Any]]:
        registry = JobStreamRegistry()
        notifications = JobNotifications(registry, asyncio.get_running_loop())
        polling = LongPolling(FakeBridge(), notifications, 10_000, JobCounters())  # type: ignore[arg-type]
        timed_out = [a async for a in polling.activate(_request(requestTimeout=100))]

        async def closing() -> None:
            await asyncio.sleep(0.1)
            polling.close()

        closer = asyncio.create_task(closing())
        closed = [a async for a in polling.activate(_request(requestTimeout=60_000))]
        await closer
        return timed_out, closed

    timed_out, closed = asyncio.run(asyncio.wait_for(main(), 10))

    assert timed_out == [] and closed == []


def test_jobs_activated_for_a_call_that_ended_are_given_back() -> None:
    async def main() -> FakeBridge:
        registry = JobStreamRegistry()
        bridge = FakeBridge([[11, 12]])
        polling = LongPolling(
            bridge,  # type: ignore[arg-type]
            JobNotifications(registry, asyncio.get_running_loop()),
            10_000,
            JobCounters(),
        )
        answers = polling.activate(_request())
        await answers.__anext__()  # the response is ready, then the client goes away
        await answers.aclose()
        return bridge

    bridge = asyncio.run(main())

    assert bridge.yielded() == [11, 12]


class Writer:
    """The call's side: takes written jobs; ``fail_after`` writes, the transport is gone."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.written: asyncio.Queue[int] = asyncio.Queue()
        self._fail_after = fail_after

    async def __call__(self, job: pb.ActivatedJob) -> None:
        if self._fail_after is not None and self.written.qsize() >= self._fail_after:
            raise ConnectionError("the client is gone")
        self.written.put_nowait(job.key)


async def _open_stream(
    registry: JobStreamRegistry, bridge: FakeBridge, writer: Writer
) -> tuple[asyncio.Task[None], Any]:
    request = pb.StreamActivatedJobsRequest(type="t", worker="w", timeout=1000)
    call = asyncio.ensure_future(stream_jobs(request, registry, bridge, JobCounters(), set(), writer))  # type: ignore[arg-type]
    for _ in range(1000):  # the call registers its stream when it first runs
        stream = registry.pick("t")
        if stream is not None:
            return call, stream
        await asyncio.sleep(0.001)
    raise AssertionError("the stream call never registered its stream")


def _push_from_another_thread(stream: Any, *keys: int) -> None:
    thread = threading.Thread(target=lambda: [stream.push(k, JobRecordValue(type="t")) for k in keys])
    thread.start()
    thread.join()


def test_a_stream_writes_jobs_pushed_from_the_processing_thread() -> None:
    async def main() -> tuple[list[int], list[int], int]:
        registry = JobStreamRegistry()
        bridge = FakeBridge()
        writer = Writer()
        call, stream = await _open_stream(registry, bridge, writer)
        _push_from_another_thread(stream, 1, 2)
        written = [await writer.written.get(), await writer.written.get()]
        call.cancel()  # the client goes away after both were written
        with contextlib.suppress(asyncio.CancelledError):
            await call
        return written, bridge.yielded(), registry.count("t")

    written, yielded, remaining = asyncio.run(asyncio.wait_for(main(), 10))

    assert written == [1, 2]
    assert yielded == []
    assert remaining == 0


def test_a_stream_gives_back_what_it_could_not_write() -> None:
    async def main() -> tuple[list[int], list[int]]:
        registry = JobStreamRegistry()
        bridge = FakeBridge()
        writer = Writer(fail_after=1)
        call, stream = await _open_stream(registry, bridge, writer)
        _push_from_another_thread(stream, 1, 2, 3)
        with contextlib.suppress(ConnectionError):
            await call  # 1 is written; writing 2 fails and the call ends with 3 still queued
        stream.push(4, JobRecordValue(type="t"))  # pushed after the end: straight back
        return [writer.written.get_nowait()], bridge.yielded()

    written, yielded = asyncio.run(asyncio.wait_for(main(), 10))

    assert written == [1]
    assert sorted(yielded) == [2, 3, 4]


def test_ending_a_stream_at_shutdown_completes_the_call() -> None:
    async def main() -> None:
        stream = GatewayJobStream(
            asyncio.get_running_loop(),
            FakeBridge(),
            JobCounters(),
            "t",
            "w",
            1000,
            [],  # type: ignore[arg-type]
        )
        asyncio.get_running_loop().call_later(0.05, stream.end)
        await stream.serve(Writer())

    asyncio.run(asyncio.wait_for(main(), 5))
