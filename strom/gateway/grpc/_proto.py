"""The one place that imports Zeebe's generated gateway protocol (shipped by pyzeebe).

Everything else in Strom uses the names re-exported here, so switching to another package that
ships the stubs (or generating them) touches this module only.
"""

from __future__ import annotations

from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import (
    GatewayServicer,
    GatewayStub,
    add_GatewayServicer_to_server,
)

SERVICE_NAME = "gateway_protocol.Gateway"
"""The full gRPC service name clients call (and health checks ask about)."""

__all__ = [
    "SERVICE_NAME",
    "GatewayServicer",
    "GatewayStub",
    "HealthServicer",
    "add_GatewayServicer_to_server",
    "health_pb2",
    "health_pb2_grpc",
    "pb",
]
