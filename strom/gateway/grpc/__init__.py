"""Zeebe's gRPC gateway protocol (``gateway_protocol.Gateway``) for a Strom broker.

``GatewayServer`` serves it (with the gRPC health service) on an asyncio ``grpc.aio`` server;
``gateway_for(broker)`` is the broker service the ``strom broker`` command runs. Zeebe's generated
stubs come from pyzeebe through ``strom.gateway.grpc._proto`` only.

The server (and with it the broker and the engine) is imported on first use, so a client that only
needs the stubs and the request builders (the ``strom`` client commands) starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strom.gateway.grpc.server import GatewayServer, GatewaySettings, gateway_for

__all__ = ["GatewayServer", "GatewaySettings", "gateway_for"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from strom.gateway.grpc import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
