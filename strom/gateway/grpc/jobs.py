"""Jobs to workers: long-polling ActivateJobs and StreamActivatedJobs.

Long polling (Zeebe's LongPollingActivateJobsHandler): a request that finds no job waits until jobs
of its type become activatable (the engine tells the broker's ``JobStreamRegistry``, which tells
``JobNotifications``) or its request timeout passes, then tries again. The waiter is registered
before each attempt, so a job created while an attempt is on its way still wakes it.

Streaming: a ``StreamActivatedJobs`` call registers a ``GatewayJobStream`` (the engine's
``JobStream``) for its job type; the engine activates new jobs for it and ``push``es them after
they are durable, from the processing thread. A job pushed to a stream whose client is gone, or
left undelivered when the call ends, is given back with JOB YIELD and becomes activatable again.
Jobs an ActivateJobs call could not deliver are given back the same way.

Pushing is flow controlled (``PushWindow``): at most so many jobs pushed to one stream wait for
their answer (CompleteJob, FailJob, ThrowError) at once. A worker answers every pushed job with
a call, and gRPC queues calls the gateway has not taken yet per method, dropping them (CANCELLED)
once that queue passes ``gateway.max_queued_calls``. When a flood keeps the gateway busy, answers
wait in that queue; without a window, a burst of pushed jobs let CompleteJob's queue pass the bound
and gRPC dropped completions the engine always accepts. With the window, a job waits in its stream until
an answer was taken: a stream holds at most a quarter of that bound, and the open streams share
three quarters of it (at least 32 each), so CompleteJob's queue stays below the bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import msgspec

from strom.broker import JobStreamRegistry
from strom.gateway.auth.identity import current_identity
from strom.gateway.grpc import requests, responses
from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.bridge import PartitionBridge
from strom.gateway.grpc.errors import from_rejection
from strom.protocol.record import Record
from strom.protocol.values.job import JobRecordValue

Write = Callable[[pb.ActivatedJob], Awaitable[None]]
"""Writes one message to a server-streaming call (``ServicerContext.write``)."""


class JobCounters:
    """What the metrics endpoint reports about jobs handed to workers."""

    __slots__ = ("activated", "pushed", "yielded")

    def __init__(self) -> None:
        self.activated = 0
        self.pushed = 0
        self.yielded = 0


class PushWindow:
    """One stream's pushed jobs whose answer the gateway has not taken yet, at most its share.

    A job leaves the window when the gateway takes a call answering it (``PushWindows.answered``),
    when its stream gives it back, or when its activation timeout passed (the worker let it time
    out, or ``HOLD_S`` passed). Per stream, so a worker that holds its jobs long holds up only its own
    stream.
    """

    ROOM_CHECK_S = 0.5
    """How often a stream waiting for room looks again (timeouts free room without a call)."""
    HOLD_S = 30.0
    """A job unanswered this long stops holding its place even if its timeout is longer: a worker
    with long jobs answers slowly (its answers do not crowd gRPC's queue), and one whose answers go
    to another broker of a cluster must not be held to a window per job timeout."""

    def __init__(self, windows: PushWindows) -> None:
        self._windows = windows
        self._open: dict[int, float] = {}  # job key -> its activation deadline (monotonic)
        self._room: asyncio.Event | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._open)

    def full(self) -> bool:
        capacity = self._windows.per_stream()
        if len(self._open) < capacity:
            return False
        self._expire()
        return len(self._open) >= capacity

    def take(self, job_key: int, timeout_ms: int) -> None:
        self._open[job_key] = time.monotonic() + min(timeout_ms / 1000, self.HOLD_S)
        self._windows.owners[job_key] = self

    def release(self, job_key: int) -> None:
        if self._open.pop(job_key, None) is not None:
            self._windows.owners.pop(job_key, None)
            if self._room is not None:
                self._room.set()

    def close(self) -> None:
        """The stream ended: its jobs no longer hold a place anywhere."""
        if self._closed:
            return
        self._closed = True
        owners = self._windows.owners
        for key in self._open:
            owners.pop(key, None)
        self._open.clear()
        self._windows.streams -= 1

    async def room(self) -> None:
        """Until a place may be free (an answer came, or the next look for timed-out jobs)."""
        if self._room is None:
            self._room = asyncio.Event()
        self._room.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), self.ROOM_CHECK_S)

    def _expire(self) -> None:
        now = time.monotonic()
        owners = self._windows.owners
        for key in [key for key, deadline in self._open.items() if deadline <= now]:
            del self._open[key]
            owners.pop(key, None)


class PushWindows:
    """The gateway's push windows: one per job stream, found again by the job key an answer names.

    Each stream may hold ``per_stream_limit`` unanswered jobs; with a ``budget`` (the default), the
    open streams also share it evenly (never less than ``MIN_PER_STREAM`` each), so the answers of
    the workers answering at once stay within it.
    """

    MIN_PER_STREAM = 32
    """A stream's window when very many share the budget (the Java client's default maxJobsActive;
    past ~23 busy streams the bound grows with them)."""

    def __init__(self, per_stream_limit: int, budget: int | None = None) -> None:
        self.per_stream_limit = per_stream_limit
        self.budget = budget
        self.owners: dict[int, PushWindow] = {}
        self.streams = 0

    def __len__(self) -> int:
        return len(self.owners)

    def per_stream(self) -> int:
        """How many unanswered jobs one stream may hold now."""
        if self.budget is None or self.streams <= 1:
            return self.per_stream_limit
        share = max(self.MIN_PER_STREAM, self.budget // self.streams)
        return min(self.per_stream_limit, share)

    def window(self) -> PushWindow:
        self.streams += 1
        return PushWindow(self)

    def answered(self, job_key: int) -> None:
        """The gateway took a call answering ``job_key``: its stream may push one more."""
        window = self.owners.get(job_key)
        if window is not None:
            window.release(job_key)


class JobNotifications:
    """Wakes long polls waiting for a job type; fed from the processing thread."""

    def __init__(self, registry: JobStreamRegistry, loop: asyncio.AbstractEventLoop) -> None:
        self._registry = registry
        self._loop = loop
        self._waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._available: deque[str] = deque()
        self._scheduled = False
        self._loop_thread = threading.get_ident()
        registry.add_listener(self._on_available)

    def close(self) -> None:
        self._registry.remove_listener(self._on_available)

    def register(self, job_type: str) -> asyncio.Event:
        event = asyncio.Event()
        self._waiting[job_type].add(event)
        return event

    def release(self, job_type: str, event: asyncio.Event) -> None:
        waiting = self._waiting.get(job_type)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self._waiting[job_type]

    def wake_all(self) -> None:
        """Wake every waiting long poll (the gateway is shutting down)."""
        for events in self._waiting.values():
            for event in events:
                event.set()

    def _on_available(self, job_type: str) -> None:
        # Processing thread, once per job without a stream: cheap unless someone waits for it.
        if job_type not in self._waiting:
            return
        if threading.get_ident() == self._loop_thread:
            for event in self._waiting[job_type]:
                event.set()
            return
        self._available.append(job_type)
        if not self._scheduled:
            self._scheduled = True
            with contextlib.suppress(RuntimeError):  # the loop closed: shutting down
                self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        self._scheduled = False
        available = self._available
        while available:
            for event in self._waiting.get(available.popleft(), ()):
                event.set()


class LongPolling:
    def __init__(
        self,
        bridge: PartitionBridge,
        notifications: JobNotifications,
        default_timeout_ms: int,
        counters: JobCounters,
    ) -> None:
        self._bridge = bridge
        self._notifications = notifications
        self._default_ms = default_timeout_ms
        self._counters = counters
        self._closing = False

    def close(self) -> None:
        """End waiting polls now (empty-handed) instead of at their request timeouts."""
        self._closing = True
        self._notifications.wake_all()

    async def activate(
        self, request: pb.ActivateJobsRequest
    ) -> AsyncGenerator[pb.ActivateJobsResponse, None]:
        """One response per partition that had jobs (asked in turn), or nothing when the wait ends
        empty-handed."""
        command = self._bridge.tenancy.apply(requests.activate_jobs(request), "ActivateJobs")
        wait_ms = request.requestTimeout or self._default_ms
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_ms / 1000 if wait_ms > 0 else None
        job_type = command.value.type
        event = self._notifications.register(job_type) if deadline is not None else None
        try:
            while True:
                if event is not None:
                    event.clear()
                found = False
                async for response in self._activate_on_partitions(command):
                    found = True
                    yield response
                if found:
                    return
                if deadline is None or event is None or self._closing:
                    return
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return
                try:
                    await asyncio.wait_for(event.wait(), remaining)
                except TimeoutError:
                    return
                if self._closing:
                    return
        finally:
            if event is not None:
                self._notifications.release(job_type, event)

    async def _activate_on_partitions(
        self, command: Record[Any]
    ) -> AsyncGenerator[pb.ActivateJobsResponse, None]:
        """Ask each partition in turn (as Zeebe's gateway does) for what is still wanted; one
        response per partition that had jobs."""
        wanted = command.value.max_jobs_to_activate
        for index, endpoint in enumerate(self._bridge.partitions.fan_out()):
            if wanted <= 0 and index > 0:  # the first is always asked: it checks the request
                return
            asked = (
                command
                if wanted == command.value.max_jobs_to_activate
                else msgspec.structs.replace(
                    command, value=msgspec.structs.replace(command.value, max_jobs_to_activate=wanted)
                )
            )
            record = await self._bridge.send(asked, "ActivateJobs", endpoint=endpoint)
            if record.is_rejection:
                raise from_rejection(record, "ActivateJobs")
            batch = record.value
            if not batch.job_keys:
                continue
            self._counters.activated += len(batch.job_keys)
            wanted -= len(batch.job_keys)
            delivered = False
            try:
                yield responses.activate_jobs(record)
                delivered = True
            finally:
                if not delivered:  # the call ended first: the jobs go back
                    self._give_back(batch.job_keys)

    def _give_back(self, job_keys: list[int]) -> None:
        for job_key in job_keys:
            self._bridge.submit(requests.yield_job(job_key))
        self._counters.yielded += len(job_keys)


class GatewayJobStream:
    """One StreamActivatedJobs call, as the engine's ``JobStream``."""

    __slots__ = (
        "_authorizations",
        "_bridge",
        "_closed",
        "_counters",
        "_ending",
        "_event",
        "_fetch",
        "_loop",
        "_loop_thread",
        "_queue",
        "_scheduled",
        "_tenant_ids",
        "_timeout",
        "_window",
        "_worker",
        "job_type",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        bridge: PartitionBridge,
        counters: JobCounters,
        job_type: str,
        worker: str,
        timeout: int,
        fetch_variables: list[str],
        authorizations: dict[str, Any] | None = None,
        tenant_ids: list[str] | None = None,
        window: PushWindow | None = None,
    ) -> None:
        self._loop = loop
        self._window = window if window is not None else PushWindows(1 << 62).window()
        self._bridge = bridge
        self._authorizations = dict(authorizations or {})
        self._tenant_ids = list(tenant_ids or [])
        self._counters = counters
        self.job_type = job_type
        self._worker = worker
        self._timeout = timeout
        self._fetch = fetch_variables
        self._queue: deque[tuple[int, JobRecordValue]] = deque()
        self._event = asyncio.Event()
        self._scheduled = False
        self._closed = False
        self._ending = False
        self._loop_thread = threading.get_ident()

    # -- JobStream (processing thread) --------------------------------------------------------------

    @property
    def worker(self) -> str:
        return self._worker

    @property
    def timeout(self) -> int:
        return self._timeout

    @property
    def fetch_variables(self) -> list[str]:
        return self._fetch

    @property
    def authorizations(self) -> dict[str, Any]:
        """The caller who opened the stream: the engine pushes only jobs it may work on."""
        return self._authorizations

    @property
    def tenant_ids(self) -> list[str]:
        """The tenants the request named: the engine pushes only their jobs."""
        return self._tenant_ids

    def push(self, job_key: int, job: JobRecordValue) -> None:
        if self._closed:
            self._give_back(job_key)
            return
        self._queue.append((job_key, job))
        if self._closed:  # closed while appending: whatever is left goes back
            self._drain_back()
            return
        if threading.get_ident() == self._loop_thread:
            self._event.set()
        elif not self._scheduled:
            self._scheduled = True
            try:
                self._loop.call_soon_threadsafe(self._wake)
            except RuntimeError:  # the loop is closed: shutting down
                self._closed = True
                self._drain_back()

    # -- the call (event loop) -----------------------------------------------------------------

    def _wake(self) -> None:
        self._scheduled = False
        self._event.set()

    def end(self) -> None:
        """End the call after what is queued (the gateway is shutting down)."""
        self._ending = True
        self._event.set()

    async def serve(self, write: Write) -> None:
        """Write pushed jobs to the call until it ends; what is not written goes back.

        A job counts as delivered once ``write`` returned (the transport took it); the job being
        written when the call ends is given back too.
        """
        queue = self._queue
        event = self._event
        window = self._window
        current: int | None = None
        try:
            while not self._ending:
                await event.wait()
                event.clear()
                while queue and not self._ending:
                    if window.full():
                        await window.room()
                        continue
                    job_key, job = queue.popleft()
                    current = job_key
                    window.take(job_key, self._timeout)
                    self._counters.pushed += 1
                    await write(responses.activated_job(job_key, job))
                    current = None
        finally:
            self._closed = True
            if current is not None:
                window.release(current)
                self._give_back(current)
            self._drain_back()
            window.close()

    def close(self) -> None:
        self._closed = True
        self._drain_back()

    def _drain_back(self) -> None:
        queue = self._queue
        while True:
            try:
                job_key, _ = queue.popleft()
            except IndexError:
                return
            self._give_back(job_key)

    def _give_back(self, job_key: int) -> None:
        self._counters.yielded += 1
        self._bridge.submit(requests.yield_job(job_key))


async def stream_jobs(
    request: pb.StreamActivatedJobsRequest,
    registry: JobStreamRegistry,
    bridge: PartitionBridge,
    counters: JobCounters,
    open_streams: set[GatewayJobStream],
    write: Write,
    windows: PushWindows | None = None,
) -> None:
    """Register a stream for the request's job type and write its jobs until the call ends."""
    job_type, worker, timeout, fetch = requests.stream_activated_jobs(request)
    tenant_ids = bridge.tenancy.tenants(requests.tenants(request.tenantIds), "StreamActivatedJobs")
    caller = current_identity().authorization_data()
    stream = GatewayJobStream(
        asyncio.get_running_loop(),
        bridge,
        counters,
        job_type,
        worker,
        timeout,
        fetch,
        caller,
        tenant_ids,
        None if windows is None else windows.window(),
    )
    registry.add(job_type, stream)
    open_streams.add(stream)
    try:
        await stream.serve(write)
    finally:
        open_streams.discard(stream)
        registry.remove(job_type, stream)
        stream.close()


__all__ = [
    "GatewayJobStream",
    "JobCounters",
    "JobNotifications",
    "LongPolling",
    "PushWindow",
    "PushWindows",
    "stream_jobs",
]
