"""From the gateway's event loop to the partitions and back.

``send`` routes a command (``PartitionGroup``), hands it to its partition's endpoint (backpressure
applies: a ``Refusal`` becomes RESOURCE_EXHAUSTED) and awaits the answer. Answers of a partition in
this process arrive on its processing thread; they are queued and handed to the event loop in
batches, one ``call_soon_threadsafe`` per batch rather than per answer, which matters at thousands
of requests per second. Answers set on the event loop's own thread (a partition driven by it, a
partition process) are set at once. A sweeper ends requests whose deadline passed
(DEADLINE_EXCEEDED) and frees their in-flight slots.
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

import grpc
import msgspec

from strom.broker.endpoint import Answer, PartitionEndpoint, Refusal
from strom.broker.partition_group import PartitionGroup
from strom.broker.routing import UnknownPartitionError
from strom.gateway.auth.identity import current_identity
from strom.gateway.grpc.errors import (
    GatewayError,
    not_found,
    overloaded,
    throttled,
    timed_out,
    unavailable,
)
from strom.gateway.grpc.tenancy import TenancyPolicy
from strom.protocol.record import Record

_log = logging.getLogger(__name__)


class PartitionBridge:
    def __init__(
        self,
        partitions: PartitionGroup,
        loop: asyncio.AbstractEventLoop,
        request_timeout_s: float,
        tenancy: TenancyPolicy | None = None,
    ) -> None:
        self.partitions = partitions
        self.tenancy = tenancy if tenancy is not None else TenancyPolicy()
        """Which tenant each command acts in (multi-tenancy on or off)."""
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._timeout = request_timeout_s
        self._ready: deque[tuple[asyncio.Future[Answer], Answer]] = deque()
        self._scheduled = False
        self._pending: dict[int, tuple[float, asyncio.Future[Answer]]] = {}
        """Requests waiting for an answer: their deadline and future (for the sweeper)."""
        self._next_id = 0
        self._sweeper: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._sweeper = self._loop.create_task(self._sweep())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    def endpoint_for(self, command: Record[Any], rpc: str) -> PartitionEndpoint:
        try:
            return self.partitions.endpoint_for(command)
        except UnknownPartitionError as error:
            raise not_found(rpc, str(error)) from None

    async def send(
        self,
        command: Record[Any],
        rpc: str,
        timeout_s: float | None = None,
        endpoint: PartitionEndpoint | None = None,
    ) -> Record[Any]:
        """The record answering ``command`` (possibly a rejection), from the partition the router
        picks (or ``endpoint``). The command's tenant is resolved (``tenancy``) and it names the
        caller of the request being handled (``current_identity``), whose permissions and tenants
        the engine checks.

        Raises:
            GatewayError: RESOURCE_EXHAUSTED when the partition is at its limit or unavailable,
                DEADLINE_EXCEEDED when no answer came within the timeout, NOT_FOUND when the
                command names a partition the broker does not have.
        """
        command = self.tenancy.apply(command, rpc)
        caller = current_identity().authorization_data()
        if caller:
            command = msgspec.structs.replace(command, authorizations=caller)
        if endpoint is None:
            endpoint = self.endpoint_for(command, rpc)
            if self.partitions.router.spreads(command):
                return await self._send_spread(command, rpc, timeout_s, endpoint)
        return await self._send_to(command, rpc, timeout_s, endpoint)

    async def _send_spread(
        self, command: Record[Any], rpc: str, timeout_s: float | None, endpoint: PartitionEndpoint
    ) -> Record[Any]:
        """A command any partition can take: a partition that is unavailable (its process
        restarting) is skipped for the next one, as Zeebe's gateway does for instance creation."""
        for _ in range(self.partitions.count - 1):
            try:
                return await self._send_to(command, rpc, timeout_s, endpoint)
            except GatewayError as error:
                if error.code is not grpc.StatusCode.UNAVAILABLE:
                    raise
            endpoint = self.partitions.endpoint_for(command)
        return await self._send_to(command, rpc, timeout_s, endpoint)

    async def _send_to(
        self, command: Record[Any], rpc: str, timeout_s: float | None, endpoint: PartitionEndpoint
    ) -> Record[Any]:
        future: asyncio.Future[Answer] = self._loop.create_future()
        request_id = endpoint.request(command, partial(self._deliver, future))
        timeout = self._timeout if timeout_s is None else timeout_s
        slot = self._next_id = self._next_id + 1
        self._pending[slot] = (time.monotonic() + timeout, future)
        try:
            answer = await future
        except asyncio.CancelledError:
            endpoint.forget_request(request_id)
            raise
        except _Expired:
            endpoint.forget_request(request_id)
            raise timed_out(rpc, timeout) from None
        finally:
            self._pending.pop(slot, None)
        if isinstance(answer, Refusal):
            if answer.unavailable:
                raise unavailable(rpc, answer.reason)
            if answer.reason:
                raise throttled(rpc, answer.partition_id, answer.reason)
            raise overloaded(rpc, answer.partition_id, answer.inflight, answer.limit)
        return answer

    def submit(self, command: Record[Any]) -> None:
        """Fire and forget, without backpressure (internal commands such as a job YIELD)."""
        try:
            endpoint = self.partitions.endpoint_for(command)
        except UnknownPartitionError:
            _log.warning(
                "dropped %s %s for a partition this broker does not have",
                command.value_type.name,
                command.key,
            )
            return
        endpoint.submit(command)

    # -- processing thread -> event loop ------------------------------------------------------------

    def _deliver(self, future: asyncio.Future[Answer], record: Answer) -> None:
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

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            for deadline, future in list(self._pending.values()):
                if deadline <= now and not future.done():
                    future.set_exception(_Expired())


class _Expired(Exception):
    """A request's deadline passed before the partition answered."""


__all__ = ["GatewayError", "PartitionBridge"]
