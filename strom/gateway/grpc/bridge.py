"""From the gateway's event loop to the partition's processing thread and back.

``send`` hands a command to ``Partition.try_submit`` (backpressure applies) and awaits the answer.
Answers arrive on the processing thread; they are queued and handed to the event loop in batches,
one ``call_soon_threadsafe`` per batch rather than per answer, which matters at thousands of
requests per second. When the partition is driven by the same event loop, answers are set at once.
A sweeper ends requests whose deadline passed (DEADLINE_EXCEEDED) and frees their in-flight slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from functools import partial
from typing import Any

from strom.broker import Partition
from strom.gateway.grpc.errors import GatewayError, overloaded, throttled, timed_out
from strom.protocol.record import Record

_log = logging.getLogger(__name__)


class PartitionBridge:
    def __init__(
        self, partition: Partition, loop: asyncio.AbstractEventLoop, request_timeout_s: float
    ) -> None:
        self.partition = partition
        self.partition_id = partition.settings.partition_id
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._timeout = request_timeout_s
        self._ready: deque[tuple[asyncio.Future[Record[Any]], Record[Any]]] = deque()
        self._scheduled = False
        self._pending: dict[int, tuple[float, asyncio.Future[Record[Any]], str]] = {}
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = self._loop.create_task(self._sweep())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    async def send(self, command: Record[Any], rpc: str, timeout_s: float | None = None) -> Record[Any]:
        """The record answering ``command`` (possibly a rejection).

        Raises:
            GatewayError: RESOURCE_EXHAUSTED when the partition is at its limit, DEADLINE_EXCEEDED
                when no answer came within the timeout.
        """
        future: asyncio.Future[Record[Any]] = self._loop.create_future()
        request_id = self.partition.try_submit(command, partial(self._deliver, future))
        if request_id is None:
            if self.partition.refusal is not None:
                raise throttled(rpc, self.partition_id, self.partition.refusal)
            limiter = self.partition.limiter
            raise overloaded(rpc, self.partition_id, limiter.inflight, limiter.limit)
        timeout = self._timeout if timeout_s is None else timeout_s
        self._pending[request_id] = (time.monotonic() + timeout, future, rpc)
        try:
            return await future
        except asyncio.CancelledError:
            self._forget(request_id)
            raise
        except _Expired:
            self._forget(request_id)
            raise timed_out(rpc, timeout) from None
        finally:
            self._pending.pop(request_id, None)

    def submit(self, command: Record[Any]) -> None:
        """Fire and forget, without backpressure (internal commands such as a job YIELD)."""
        self.partition.submit(command)

    # -- processing thread -> event loop ------------------------------------------------------------

    def _deliver(self, future: asyncio.Future[Record[Any]], record: Record[Any]) -> None:
        if threading.get_ident() == self._loop_thread:  # the partition is driven by this loop
            if not future.done():
                future.set_result(record)
            return
        self._ready.append((future, record))
        if not self._scheduled:
            self._scheduled = True
            try:
                self._loop.call_soon_threadsafe(self._drain)
            except RuntimeError:  # the loop is closed: the broker is shutting down
                self._scheduled = False

    def _drain(self) -> None:
        self._scheduled = False  # first: an answer queued while draining schedules another drain
        ready = self._ready
        while ready:
            future, record = ready.popleft()
            if not future.done():
                future.set_result(record)

    # -- deadlines ---------------------------------------------------------------------------------

    def _forget(self, request_id: int) -> None:
        self.partition.forget_request(request_id)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            for deadline, future, _ in list(self._pending.values()):
                if deadline <= now and not future.done():
                    future.set_exception(_Expired())


class _Expired(Exception):
    """A request's deadline passed before the partition answered."""


__all__ = ["GatewayError", "PartitionBridge"]
