"""The REST API v2 application: routes under ``/v2``, problem details for every error, and our own
OpenAPI document at ``/v2/openapi.json`` (interactive docs at ``/v2/docs``)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response

from strom.gateway.rest import (
    cluster,
    decisions,
    events,
    jobs,
    process_instances,
    resources,
    searches,
    user_tasks,
)
from strom.gateway.rest.context import RestContext
from strom.gateway.rest.problems import Problem, invalid_argument, not_supported
from strom.gateway.ui import mount_ui
from strom.protocol.record import BROKER_VERSION

_log = logging.getLogger(__name__)
BASE = "/v2"


def create_app(context: RestContext) -> FastAPI:
    app = FastAPI(
        title="Strom orchestration cluster REST API",
        version=BROKER_VERSION,
        description=(
            "Camunda 8.8's REST API v2 as Strom serves it: commands go to the engine's partitions, "
            "searches read the secondary storage (eventually consistent). Written by Strom from the "
            "documented behavior; operations Strom does not serve answer 501 with a problem detail."
        ),
        openapi_url=f"{BASE}/openapi.json",
        docs_url=f"{BASE}/docs",
        redoc_url=None,
    )
    app.state.context = context
    for module in (cluster, resources, process_instances, jobs, user_tasks, events, decisions, searches):
        app.include_router(module.router, prefix=BASE)
    mount_ui(app)  # Operate at /operate, Tasklist at /tasklist; / leads to Operate

    @app.exception_handler(Problem)
    async def problem(request: Request, error: Problem) -> Response:
        return error.response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def bad_body(request: Request, error: RequestValidationError) -> Response:
        return invalid_argument(_describe(error.errors())).response(request.url.path)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code in (404, 405) and request.url.path.startswith(BASE):
            return not_supported(request.method, request.url.path).response(request.url.path)
        status = error.status_code
        return Problem(
            status, "NOT_FOUND" if status == 404 else "INVALID_ARGUMENT", str(error.detail)
        ).response(request.url.path)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        _log.exception("%s %s failed unexpectedly", request.method, request.url.path)
        return Problem(
            500, "INTERNAL", f"Unexpected error while handling the request: {type(error).__name__}: {error}"
        ).response(request.url.path)

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse(f"{BASE}/docs")

    return app


def _describe(errors: Any) -> str:
    """One sentence per problem, naming the field by its path in the body."""
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"'{location}': {error.get('msg', 'invalid')}")
    return "The request is invalid: " + "; ".join(parts)


__all__ = ["BASE", "JSONResponse", "create_app"]
