"""Admission: the gateway counts calls from the moment it takes them and refuses the excess at once.

A partition's limiter (``strom.stream.backpressure``) counts a request only once the gateway has
built its command and handed it over. ``Admission`` counts earlier: every call that asks for work
(``CreateProcessInstance``, ``PublishMessage``, …) from the moment its handler is entered until it
is answered, and once that count reaches the partitions' current backpressure limits it ends the
call with RESOURCE_EXHAUSTED before the command is built, the cheapest answer the gateway can give.
Calls that finish work (Zeebe's exempt commands: CompleteJob, FailJob, CancelProcessInstance,
deployments) count but are never refused, as the partition counts and takes them.

Before a handler is entered, a call waits in gRPC core's queue of calls not yet taken (one per
RPC method, bounded by ``GatewayLimits.max_queued_calls``); the gateway takes calls from it as fast
as its event loop turns, and gRPC drops (CANCELLED) what arrives faster than that.

Long polls and job streams wait by design, so they are not in flight; instead ``ClientLimits``
bounds how many one client keeps open. A client is the authenticated principal (user or client
id) when the gateway requires credentials, else the peer's IP address (every process on one host
is one client).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import grpc

from strom.broker.endpoint import LocalEndpoint
from strom.broker.gateway_limits import GatewayLimits
from strom.broker.partition_group import PartitionGroup
from strom.gateway.auth.identity import current_identity
from strom.gateway.grpc.errors import GatewayError
from strom.stream.backpressure import RequestLimiter

Context = Any
"""A ``grpc.aio.ServicerContext``."""

EXEMPT_RPCS = frozenset(
    {"CompleteJob", "FailJob", "CancelProcessInstance", "DeployResource", "DeployProcess"}
)
"""RPCs never refused (the partition's exempt commands: they finish work); they still count in flight."""

UNCOUNTED_RPCS = frozenset({"Topology", "ActivateJobs", "StreamActivatedJobs"})
"""RPCs the gateway does not count: a read that never reaches a partition, and calls that wait by
design (long polls and job streams, limited per client by ``ClientLimits``)."""


def overloaded_at_gateway(rpc: str, inflight: int, limit: int) -> GatewayError:
    return GatewayError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"Expected to handle {rpc}, but the gateway is overloaded: {inflight} requests in flight "
        f"reached the partitions' backpressure limit of {limit}; retry later or send fewer requests",
    )


class Admission:
    """Counts the gateway's calls in flight from handler entry to answer; refuses beyond the limit."""

    def __init__(self, limiters: Sequence[RequestLimiter]) -> None:
        self._limiters = tuple(limiters)
        """The partitions' limiters (none when a partition runs in a process of its own: its
        limiter answers for it and the gateway refuses nothing itself)."""
        self.inflight = 0
        self.refused = 0

    @property
    def limit(self) -> int | None:
        """The partitions' combined backpressure limit now (None: not known here)."""
        limiters = self._limiters
        if not limiters:
            return None
        if len(limiters) == 1:
            return limiters[0].limit
        return sum(limiter.limit for limiter in limiters)

    def guard(self, rpc: str, behavior: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        """``behavior`` (a unary RPC's) counted while it runs, refused when the gateway is full."""
        if rpc in UNCOUNTED_RPCS:
            return behavior
        exempt = rpc in EXEMPT_RPCS

        async def admitted(request: Any, context: Context) -> Any:
            inflight = self.inflight
            if not exempt:
                limit = self.limit
                if limit is not None and inflight >= limit:
                    self._refuse()
                    error = overloaded_at_gateway(rpc, inflight, limit)
                    await context.abort(error.code, error.message)
            self.inflight = inflight + 1
            try:
                return await behavior(request, context)
            finally:
                self.inflight -= 1

        return admitted

    def _refuse(self) -> None:
        self.refused += 1
        # A refusal by backpressure, wherever it is decided: the partition's backpressure metrics
        # (Strom's and Zeebe's dropped requests) count it, as they do the partition's own.
        self._limiters[0].rejected += 1


def local_limiters(partitions: PartitionGroup) -> list[RequestLimiter]:
    """The backpressure limiters of the partitions, when all run in this process; else none."""
    limiters = [
        endpoint.partition.limiter
        for endpoint in partitions.endpoints.values()
        if isinstance(endpoint, LocalEndpoint)
    ]
    return limiters if len(limiters) == partitions.count else []


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
    "UNCOUNTED_RPCS",
    "Admission",
    "ClientLimits",
    "client_of",
    "local_limiters",
    "server_options",
]
