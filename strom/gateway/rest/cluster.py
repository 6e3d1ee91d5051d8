"""Cluster, license, authentication and clock: what clients ask before anything else.

Topology has the 8.8 shape plus the fields today's strict clients check (``clusterId``,
``lastCompletedChangeId``, a partition ``state``); ``gatewayVersion`` is 8.8.x because clients
branch on it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from strom.gateway.rest.context import RestContext, json_response
from strom.protocol.record import BROKER_VERSION
from strom.protocol.tenant import DEFAULT_TENANT_ID

router = APIRouter(tags=["Cluster"])


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@router.get("/topology", summary="The brokers, their partitions and health")
async def get_topology(request: Request) -> Response:
    context = _context(request)
    settings = context.settings
    healthy = context.partition.processor.failure is None
    partition = {
        "partitionId": context.partition.settings.partition_id,
        "role": "leader",
        "health": "healthy" if healthy else "dead",
        "state": "active",
    }
    broker = {
        "nodeId": settings.node_id,
        "brokerId": str(settings.node_id),
        "host": settings.advertised_host or settings.host,
        "port": settings.grpc_port,
        "partitions": [partition],
        "version": BROKER_VERSION,
    }
    return json_response(
        {
            "brokers": [broker],
            "clusterId": "strom",
            "clusterSize": 1,
            "partitionsCount": 1,
            "replicationFactor": 1,
            "gatewayVersion": BROKER_VERSION,
            "lastCompletedChangeId": "-1",
        }
    )


@router.get("/status", summary="204 when a partition has a healthy leader, else 503")
async def get_status(request: Request) -> Response:
    healthy = _context(request).partition.processor.failure is None
    return Response(status_code=204 if healthy else 503)


@router.get("/license", tags=["License"], summary="Strom's license (Apache-2.0, no limits)")
async def get_license() -> Response:
    return json_response(
        {"validLicense": True, "licenseType": "unlimited", "isCommercial": False, "expiresAt": None}
    )


@router.get(
    "/authentication/me", tags=["Authentication"], summary="The caller (anonymous while identity is off)"
)
async def get_authentication() -> Response:
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
