"""Connecting to NATS the way every Strom client of it does: reconnecting forever, 0.2 s apart.

The JetStream log, the lease manager and the brokers' forwarder each hold a connection of their
own (each on its own event loop thread); they differ only in the name the server shows and the
callbacks they want. A connection that cannot be made is a ``NatsUnreachableError`` naming the
servers, which each caller turns into its own error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import nats
from nats.aio.client import Client

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
