"""The REST API v2 application: the operations under ``/v2``, problem details for every error, our
own OpenAPI document at ``/v2/openapi.json`` (interactive docs at ``/v2/docs``), and the UI.

``/v2`` is a Starlette app routing straight to the operations (see ``operations``); the outer app
only dispatches to it and to the UI.
"""

from __future__ import annotations

import logging

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from strom.gateway.auth import rest as auth_rest
from strom.gateway.auth.authenticator import Authenticator
from strom.gateway.rest import (
    ad_hoc_sub_processes,
    batch_operations,
    clock,
    cluster,
    decisions,
    documents,
    events,
    identity,
    jobs,
    process_instance_migration,
    process_instances,
    records,
    resources,
    searches,
    user_tasks,
)
from strom.gateway.rest.context import RestContext, json_response
from strom.gateway.rest.operations import Operation, openapi
from strom.gateway.rest.problems import Problem, not_supported
from strom.gateway.ui import mount_ui
from strom.protocol.record import BROKER_VERSION

_log = logging.getLogger(__name__)
BASE = "/v2"
TITLE = "Strom orchestration cluster REST API"
DESCRIPTION = (
    "Camunda 8.8's REST API v2 as Strom serves it: commands go to the engine's partitions, searches "
    "read the secondary storage (eventually consistent). Written by Strom from the documented "
    "behavior; operations Strom does not serve answer 501 with a problem detail."
)
_IDENTITY_OPERATIONS = auth_rest.operations.table
_REPLACED = {(op.method, op.path) for op in _IDENTITY_OPERATIONS}
OPERATIONS: list[Operation] = [
    op
    for module in (cluster, resources, process_instances, jobs, user_tasks, events, decisions, searches)
    for op in module.operations.table
    if (op.method, op.path) not in _REPLACED  # who the caller is: answered by strom.gateway.auth
] + _IDENTITY_OPERATIONS
OPERATIONS += identity.operations.table  # groups, roles, tenants, mapping rules, authorizations, users
OPERATIONS += clock.operations.table
OPERATIONS += process_instance_migration.operations.table
OPERATIONS += ad_hoc_sub_processes.operations.table
OPERATIONS += batch_operations.operations.table
OPERATIONS += documents.operations.table
OPERATIONS += records.operations.table  # Strom's own: the record log of an instance


def create_app(context: RestContext, auth: auth_rest.RestAuth | None = None) -> Starlette:
    """The app serving ``context``; ``auth`` says who may call ``/v2`` (default: anyone)."""
    auth = auth or auth_rest.RestAuth(Authenticator("none"))
    document = openapi(OPERATIONS, BASE, TITLE, BROKER_VERSION, DESCRIPTION)

    async def openapi_json(request: Request) -> Response:
        return json_response(document)

    async def docs(request: Request) -> Response:
        return get_swagger_ui_html(openapi_url=f"{BASE}/openapi.json", title=TITLE)

    async def problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, Problem)
        return error.response(request.url.path)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code in (404, 405):
            return not_supported(request.method, request.url.path).response(request.url.path)
        return Problem(error.status_code, "INVALID_ARGUMENT", str(error.detail)).response(request.url.path)

    async def unexpected(request: Request, error: Exception) -> Response:
        _log.error("%s %s failed unexpectedly", request.method, request.url.path, exc_info=error)
        detail = f"Unexpected error while handling the request: {type(error).__name__}: {error}"
        return Problem(500, "INTERNAL", detail).response(request.url.path)

    routes = [Route(op.path, op.endpoint, methods=[op.method]) for op in OPERATIONS]
    routes += [Route("/openapi.json", openapi_json), Route("/docs", docs)]
    api = Starlette(
        routes=routes,
        exception_handlers={Problem: problem, HTTPException: http_error, Exception: unexpected},
    )
    api.state.context = context
    api.state.auth = auth

    app = Starlette()
    app.state.context = context
    mount_ui(app)  # Operate at /operate, Tasklist at /tasklist; / leads to Operate
    app.add_route(documents.LINK_ROUTE, documents.linked_document, methods=["GET"])  # no credentials
    app.mount(BASE, api)
    app.add_middleware(auth_rest.AuthMiddleware, authenticator=auth.authenticator, sessions=auth.sessions)
    return app


__all__ = ["BASE", "OPERATIONS", "create_app"]
