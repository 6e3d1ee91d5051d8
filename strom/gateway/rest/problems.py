"""Errors as RFC 9457 problem details, with the titles and HTTP codes Camunda's REST API uses.

A rejection keeps the message the gRPC gateway gives for the same command (``Command 'CREATE'
rejected with code 'NOT_FOUND': …``), so REST and gRPC clients read the same reason.
"""

from __future__ import annotations

from typing import Any

import grpc
from starlette.responses import JSONResponse

from strom.gateway.grpc.errors import GatewayError

_FROM_GRPC: dict[grpc.StatusCode, tuple[int, str]] = {
    grpc.StatusCode.INVALID_ARGUMENT: (400, "INVALID_ARGUMENT"),
    grpc.StatusCode.NOT_FOUND: (404, "NOT_FOUND"),
    grpc.StatusCode.ALREADY_EXISTS: (409, "ALREADY_EXISTS"),
    grpc.StatusCode.FAILED_PRECONDITION: (409, "INVALID_STATE"),
    grpc.StatusCode.PERMISSION_DENIED: (403, "FORBIDDEN"),
    grpc.StatusCode.UNAUTHENTICATED: (401, "UNAUTHORIZED"),
    grpc.StatusCode.RESOURCE_EXHAUSTED: (503, "RESOURCE_EXHAUSTED"),  # as Camunda 8.8 documents it
    grpc.StatusCode.DEADLINE_EXCEEDED: (504, "DEADLINE_EXCEEDED"),
    grpc.StatusCode.UNIMPLEMENTED: (501, "NOT_IMPLEMENTED"),
    grpc.StatusCode.UNAVAILABLE: (503, "UNAVAILABLE"),
}


class Problem(Exception):
    """Ends a request with a problem detail."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail

    def response(self, instance: str) -> JSONResponse:
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        headers = {"Retry-After": "1"} if self.status in (429, 503) else None
        return JSONResponse(
            body, status_code=self.status, media_type="application/problem+json", headers=headers
        )


def from_gateway_error(error: GatewayError) -> Problem:
    status, title = _FROM_GRPC.get(error.code, (500, "INTERNAL"))
    return Problem(status, title, error.message)


def invalid_argument(detail: str) -> Problem:
    return Problem(400, "INVALID_ARGUMENT", detail)


def not_found(detail: str) -> Problem:
    return Problem(404, "NOT_FOUND", detail)


def not_supported(method: str, path: str) -> Problem:
    return Problem(
        501,
        "NOT_IMPLEMENTED",
        f"{method} {path} is not supported by this Strom broker yet; see the README's feature table "
        "for the operations it serves",
    )
