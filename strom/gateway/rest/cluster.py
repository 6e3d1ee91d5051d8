"""Cluster, license, authentication and clock: what clients ask before anything else.

Topology has the 8.8 shape plus the fields today's strict clients check (``clusterId``,
``lastCompletedChangeId``, a partition ``state``); ``gatewayVersion`` is 8.8.x because clients
branch on it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from strom.broker.endpoint import partition_role
from strom.gateway.rest.context import RestContext, json_response
from strom.gateway.rest.operations import Operations
from strom.protocol.record import BROKER_VERSION
from strom.protocol.tenant import DEFAULT_TENANT_ID

operations = Operations("Cluster")


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@operations.get("/topology", "getTopology", "The brokers, their partitions and health")
async def get_topology(request: Request) -> Response:
    context = _context(request)
    settings = context.settings
    partitions = [
        {
            "partitionId": status.partition_id,
            "role": partition_role(status),
            "health": "healthy"
            if status.healthy or status.phase == "follower"
            else "unhealthy"
            if status.phase in ("starting", "restarting", "replaying")
            else "dead",
            "state": "active",
        }
        for status in context.partitions.statuses()
    ]
    brokers = [
        {
            "nodeId": settings.node_id,
            "brokerId": str(settings.node_id),
            "host": settings.advertised_host or settings.host,
            "port": settings.grpc_port,
            "partitions": partitions,
            "version": BROKER_VERSION,
        }
    ]
    for peer in context.partitions.peers():  # the other brokers of a cluster: they follow the rest
        brokers.append(
            {
                "nodeId": peer.node_id,
                "brokerId": str(peer.node_id),
                "host": peer.host,
                "port": peer.port,
                "partitions": [
                    {
                        "partitionId": partition_id,
                        "role": "leader" if partition_id in peer.leading else "follower",
                        "health": "healthy",
                        "state": "active",
                    }
                    for partition_id in range(1, context.partitions.count + 1)
                ],
                "version": BROKER_VERSION,
            }
        )
    return json_response(
        {
            "brokers": brokers,
            "clusterId": "strom",
            "clusterSize": len(brokers),
            "partitionsCount": context.partitions.count,
            "replicationFactor": len(brokers),
            "gatewayVersion": BROKER_VERSION,
            "lastCompletedChangeId": "-1",
        }
    )


@operations.get(
    "/status", "getStatus", "204 when every partition has a healthy leader, else 503", answers=204
)
async def get_status(request: Request) -> Response:
    healthy = _context(request).partitions.healthy
    return Response(status_code=204 if healthy else 503)


@operations.get("/license", "getLicense", "Strom's license (Apache-2.0, no limits)", tag="License")
async def get_license(request: Request) -> Response:
    return json_response(
        {"validLicense": True, "licenseType": "unlimited", "isCommercial": False, "expiresAt": None}
    )


@operations.get(
    "/authentication/me",
    "getAuthentication",
    "The caller (anonymous while identity is off)",
    tag="Authentication",
)
async def get_authentication(request: Request) -> Response:
    return json_response(
        {
            "username": "anonymous",
            "displayName": "Anonymous",
            "email": "",
            "authorizedComponents": ["*"],
            "tenants": [{"tenantId": DEFAULT_TENANT_ID, "name": "Default", "description": None}],
            "groups": [],
            "roles": [],
            "salesPlanType": None,
            "c8Links": {},
            "canLogout": False,
        }
    )
