"""The table of REST operations: each declared once, served by Starlette, documented from the table.

An operation names its method, path (under ``/v2``), Camunda's operation id, and the msgspec
``Struct`` its JSON body decodes into. Serving goes straight through Starlette's router (FastAPI's
per-request machinery cost several times the command itself); our OpenAPI document is generated
from the same table, with JSON Schemas from msgspec.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc.requests import MAX_VARIABLE_DEPTH
from strom.gateway.rest.problems import invalid_argument

Handler = Callable[..., Awaitable[Response]]


class Body(msgspec.Struct, kw_only=True):
    """Base of request bodies: unknown fields are ignored (newer clients send fields Strom does not
    know yet), missing optional ones take their defaults."""


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    endpoint: Callable[[Request], Awaitable[Response]]
    body: type[Body] | None = None
    body_required: bool = False
    answers: int = 200
    """The status of a successful answer (204: no content)."""


@dataclass
class Operations:
    """Collects the operations of one module: ``@operations.post(path, operation_id, ...)``."""

    tag: str
    table: list[Operation] = field(default_factory=list)

    def post(
        self, path: str, operation_id: str, summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("POST", path, operation_id, summary, **options)

    def get(self, path: str, operation_id: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("GET", path, operation_id, summary, **options)

    def put(self, path: str, operation_id: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        return self._add("PUT", path, operation_id, summary, **options)

    def patch(
        self, path: str, operation_id: str, summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("PATCH", path, operation_id, summary, **options)

    def delete(
        self, path: str, operation_id: str, summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        return self._add("DELETE", path, operation_id, summary, **options)

    def _add(
        self,
        method: str,
        path: str,
        operation_id: str,
        summary: str,
        body: type[Body] | None = None,
        body_required: bool = False,
        answers: int = 200,
        tag: str | None = None,
    ) -> Callable[[Handler], Handler]:
        parameters = re.findall(r"{(\w+)}", path)

        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                arguments = [request.path_params[name] for name in parameters]
                if body is not None:
                    arguments.append(await decode(request, body, body_required))
                return await handler(request, *arguments)

            endpoint.__name__ = handler.__name__
            self.table.append(
                Operation(
                    method,
                    path,
                    operation_id,
                    summary,
                    tag or self.tag,
                    endpoint,
                    body,
                    body_required,
                    answers,
                )
            )
            return handler

        return register


async def decode(request: Request, body_type: type[Body], required: bool) -> Any:
    """The request's JSON body as ``body_type``; an empty body is the defaults unless required."""
    data = await request.body()
    if not data.strip():
        if required:
            raise invalid_argument("The request is invalid: a JSON body is required")
        data = b"{}"
    try:
        return msgspec.json.decode(data, type=body_type)
    except msgspec.ValidationError as error:
        raise invalid_argument(f"The request is invalid: {_where(str(error))}") from None
    except msgspec.DecodeError as error:
        raise invalid_argument(f"The request body is not valid JSON: {error}") from None
    except RecursionError:  # ~1,000 levels of nesting exhaust the decoder (found by tests/fuzz)
        raise invalid_argument(
            f"The request body is nested too deeply: JSON objects and arrays may nest at most "
            f"{MAX_VARIABLE_DEPTH} levels"
        ) from None


def _where(message: str) -> str:
    """msgspec says ``… - at `$.page.limit```; name the field as the client wrote it."""
    return re.sub(r"`\$\.?([^`]*)`", lambda m: f"'{m.group(1) or 'body'}'", message)


def openapi(
    operations: Sequence[Operation], base: str, title: str, version: str, description: str
) -> dict[str, Any]:
    """Our OpenAPI 3.1 document, from the operation table."""
    body_types = sorted({op.body for op in operations if op.body is not None}, key=lambda t: t.__name__)
    _, components = msgspec.json.schema_components(body_types, ref_template="#/components/schemas/{name}")
    components["ProblemDetail"] = {
        "type": "object",
        "description": "RFC 9457 problem detail, with Camunda's titles (NOT_FOUND, INVALID_ARGUMENT, ...)",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
        "required": ["type", "title", "status", "detail", "instance"],
    }
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        entry: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"{(\w+)}", op.path)
            ],
            "responses": {
                str(op.answers): {"description": "No content" if op.answers == 204 else "OK"},
                "default": {
                    "description": "A problem detail",
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
                    },
                },
            },
        }
        if op.body is not None:
            entry["requestBody"] = {
                "required": op.body_required,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}
                },
            }
        paths.setdefault(base + op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components},
    }
