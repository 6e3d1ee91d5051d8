"""Connecting to NATS the way every Strom client of it does: reconnecting forever, 0.2 s apart.

The JetStream log, the lease manager and the brokers' forwarder each hold a connection of their
own (each on its own event loop thread); they differ only in the name the server shows and the
callbacks they want. A connection that cannot be made is a ``NatsUnreachableError`` naming the
servers, which each caller turns into its own error. ``stream_info_patiently`` is their first
question to JetStream, asked so that a server still catching up does not cost seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import nats
import nats.errors
from nats.aio.client import Client
from nats.js import api as js_api

ErrorCallback = Callable[[Exception], Awaitable[None]]
Callback = Callable[[], Awaitable[None]]


class NatsUnreachableError(ConnectionError):
    """No connection to any of the NATS servers within the connect timeout."""


async def connect(
    servers: Sequence[str],
    name: str,
    connect_timeout_s: float,
    error_cb: ErrorCallback,
    *,
    disconnected_cb: Callback | None = None,
    reconnected_cb: Callback | None = None,
) -> Client:
    """A connection named ``name`` to ``servers`` that reconnects by itself after losing them."""
    try:
        return await nats.connect(
            list(servers),
            name=name,
            connect_timeout=max(1, int(connect_timeout_s)),
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,  # nats-py annotates it as int; it is a float of seconds
            error_cb=error_cb,
            disconnected_cb=disconnected_cb,
            reconnected_cb=reconnected_cb,
        )
    except Exception as exc:
        raise NatsUnreachableError(f"cannot connect to NATS at {', '.join(servers)}: {exc!r}") from exc


async def stream_info_patiently(
    nc: Client, stream: str, timeout_s: float, longest_s: float
) -> js_api.StreamInfo:
    """The info of ``stream``, asked again with a growing wait (0.5 s, doubling up to ``longest_s``)
    until ``timeout_s``; ``nats.js.errors.NotFoundError`` when it does not exist.

    A NATS server that has just restarted takes connections before its JetStream has caught up
    with the cluster, and drops the API requests it gets meanwhile: asking once with the full
    request timeout made a broker started then wait 5 s for nothing, several times over.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    wait_s = min(0.5, longest_s)
    while True:
        left = deadline - loop.time()
        try:
            return await nc.jsm(timeout=min(wait_s, max(left, 0.1))).stream_info(stream)
        except nats.errors.TimeoutError:
            if left <= wait_s:
                raise
            wait_s = min(wait_s * 2, longest_s)
