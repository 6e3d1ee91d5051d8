"""Zeebe's gRPC gateway protocol (``gateway_protocol.Gateway``) for a Strom partition.

``GatewayServer`` serves it (with the gRPC health service) on an asyncio ``grpc.aio`` server;
``gateway_for(broker)`` is the broker service the ``strom broker`` command runs. Zeebe's generated
stubs come from pyzeebe through ``strom.gateway.grpc._proto`` only.
"""

from strom.gateway.grpc.server import GatewayServer, GatewaySettings, gateway_for

__all__ = ["GatewayServer", "GatewaySettings", "gateway_for"]
