"""Admission: the gateway counts calls from the moment it takes them and refuses the excess at once.

A partition's limiter (``strom.stream.backpressure``) counts a request only once the gateway has
decoded it and handed it over; calls that wait before that point (in gRPC's queue, in the event
loop) were never counted, so overload showed up as latency and, once gRPC's own queue overflowed,
as CANCELLED calls. ``Admission`` is the gateway's first server interceptor: it counts every call
that changes something (``CreateProcessInstance``, ``PublishMessage``, …) from interceptor entry
until its answer, and once that count reaches the partitions' current backpressure limits it ends
the call with RESOURCE_EXHAUSTED before its request is even decoded, the cheapest answer the gateway
can give. Calls that finish work (Zeebe's exempt commands: CompleteJob, FailJob, CancelProcessInstance,
deployments) are neither counted nor refused here, as the partition never refuses them either.

Long polls and job streams wait by design, so they are not in flight; instead ``ClientLimits``
bounds how many one client keeps open. A client is the authenticated principal (user or client
id) when the gateway requires credentials, else the peer's IP address (every process on one host
is one client).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc

from strom.broker.endpoint import LocalEndpoint
from strom.broker.gateway_limits import GatewayLimits
from strom.broker.partition_group import PartitionGroup
from strom.gateway.auth.identity import current_identity
from strom.gateway.grpc.errors import GatewayError

Context = Any
"""A ``grpc.aio.ServicerContext``."""

EXEMPT_RPCS = frozenset(
    {
        "CompleteJob",
        "FailJob",
        "CancelProcessInstance",
        "DeployResource",
        "DeployProcess",
        "Topology",  # a read: it never reaches a partition
        "ActivateJobs",  # long polls and streams: limited per client (``ClientLimits``)
        "StreamActivatedJobs",
    }
)
"""RPCs the gateway neither counts nor refuses (the partition's exempt commands, reads, waits)."""


def overloaded_at_gateway(rpc: str, inflight: int, limit: int) -> GatewayError:
    return GatewayError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"Expected to handle {rpc}, but the gateway is overloaded: {inflight} requests in flight "
        f"reached the partitions' backpressure limit of {limit}; retry later or send fewer requests",
    )


class Admission:
    """Counts the gateway's calls in flight from handler entry to answer; refuses beyond the limit."""

    def __init__(self, limit: Callable[[], int | None]) -> None:
        self._limit = limit
        """The partitions' combined backpressure limit now; None: not known here (no refusal)."""
        self.inflight = 0
        self.refused = 0

    def guard(self, rpc: str, behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """``behavior`` (a unary RPC's) counted while it runs, refused when the gateway is full."""
        if rpc in EXEMPT_RPCS:
            return behavior

        async def admitted(request: Any, context: Context) -> Any:
            limit = self._limit()
            inflight = self.inflight
            if limit is not None and inflight >= limit:
                self.refused += 1
                error = overloaded_at_gateway(rpc, inflight, limit)
                await context.abort(error.code, error.message)
            self.inflight = inflight + 1
            try:
                return await behavior(request, context)
            finally:
                self.inflight -= 1

        return admitted


def partitions_limit(partitions: PartitionGroup) -> Callable[[], int | None]:
    """The sum of the partitions' current backpressure limits, read from the partitions in this
    process; None when a partition runs in a process of its own (its limiter answers for it)."""
    limiters = [
        endpoint.partition.limiter
        for endpoint in partitions.endpoints.values()
        if isinstance(endpoint, LocalEndpoint)
    ]
    if len(limiters) != partitions.count:
        return lambda: None
    if len(limiters) == 1:
        limiter = limiters[0]
        return lambda: limiter.limit
    return lambda: sum(limiter.limit for limiter in limiters)


# -- per client ------------------------------------------------------------------------------------


def client_of(context: Context) -> str:
    """Who a call counts against: the authenticated principal, else the peer's IP address."""
    identity = current_identity()
    if identity.authenticated:
        return f"{identity.kind} '{identity.principal}'"
    peer: str = context.peer() or "unknown"
    # ipv4:127.0.0.1:5000, ipv6:[::1]:5000, unix:/path
    kind, _, address = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        host = address.rsplit(":", 1)[0]
        return host.strip("[]")
    return peer


class ClientLimits:
    """How many long polls and job streams each client has open, within ``GatewayLimits``."""

    def __init__(self, limits: GatewayLimits) -> None:
        self._limits = limits
        self.long_polls: Counter[str] = Counter()
        self.streams: Counter[str] = Counter()

    @contextmanager
    def long_poll(self, rpc: str, context: Context) -> Iterator[None]:
        """Hold one of the caller's long polls for the call; RESOURCE_EXHAUSTED when it has none left."""
        with self._hold(
            self.long_polls, self._limits.max_long_polls_per_client, "max_long_polls_per_client", rpc, context
        ):
            yield

    @contextmanager
    def stream(self, rpc: str, context: Context) -> Iterator[None]:
        """Hold one of the caller's job streams for the call; RESOURCE_EXHAUSTED when it has none left."""
        with self._hold(
            self.streams, self._limits.max_job_streams_per_client, "max_job_streams_per_client", rpc, context
        ):
            yield

    @contextmanager
    def _hold(
        self, counts: Counter[str], limit: int, setting: str, rpc: str, context: Context
    ) -> Iterator[None]:
        client = client_of(context)
        held = counts[client]
        if limit and held >= limit:
            what = "long-polling ActivateJobs calls" if counts is self.long_polls else "job streams"
            raise GatewayError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"Expected to handle {rpc}, but client {client} already has {held} {what} open, the "
                f"gateway's limit per client (gateway.{setting} = {limit}, env "
                f"STROM_GATEWAY__{setting.upper()}); close one first or raise the limit",
            )
        counts[client] = held + 1
        try:
            yield
        finally:
            left = counts[client] - 1
            if left:
                counts[client] = left
            else:
                del counts[client]


def server_options(limits: GatewayLimits) -> list[tuple[str, int]]:
    """gRPC core options for ``limits``: its queue of calls not yet taken, idle connections."""
    options = [
        ("grpc.server.max_pending_requests", limits.max_queued_calls),
        ("grpc.server.max_pending_requests_hard_limit", 2 * limits.max_queued_calls),
    ]
    if limits.max_connection_idle_ms:
        options.append(("grpc.max_connection_idle_ms", limits.max_connection_idle_ms))
    return options


__all__ = [
    "EXEMPT_RPCS",
    "Admission",
    "ClientLimits",
    "client_of",
    "partitions_limit",
    "server_options",
]
