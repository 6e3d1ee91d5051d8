"""``AuthInterceptor``: the gRPC gateway's authentication, from ``authorization`` call metadata.

Camunda's clients (zbctl, the Java and Go clients, pyzeebe) send ``authorization: Bearer <token>``
or ``Basic …`` as call metadata. A call without acceptable credentials ends with UNAUTHENTICATED
and a message saying what to send, before its request is even decoded; an accepted call runs with
its ``Identity`` in ``current_identity()``. The gRPC health service stays open, like Camunda's
health endpoints, so probes need no credentials.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from strom.gateway.auth.authenticator import AuthenticationError, Authenticator
from strom.gateway.auth.identity import Identity, _current

OPEN_SERVICES = ("/grpc.health.v1.Health/",)

Context = Any


def _authorization(metadata: Any) -> str | None:
    values = [value for key, value in (metadata or ()) if key == "authorization"]
    if not values:
        return None
    if len(values) > 1:
        return "multiple"  # refused by the parser as an unknown scheme
    value = values[0]
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _keep(data: bytes) -> bytes:
    return data


def _refusing(handler: grpc.RpcMethodHandler, message: str) -> grpc.RpcMethodHandler:
    async def refuse(request: Any, context: Context) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def refuse_stream(request: Any, context: Context) -> AsyncIterator[Any]:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield None  # pragma: no cover (abort raises)

    async def refuse_client_stream(requests: Any, context: Context) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)

    async def refuse_bidi(requests: Any, context: Context) -> AsyncIterator[Any]:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, message)
        yield None  # pragma: no cover

    serialize = handler.response_serializer
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(refuse, _keep, serialize)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(refuse_stream, _keep, serialize)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(refuse_client_stream, _keep, serialize)
    return grpc.stream_stream_rpc_method_handler(refuse_bidi, _keep, serialize)


def _as(identity: Identity, behavior: Callable[..., Any]) -> Callable[..., Any]:
    """``behavior`` run with ``identity`` as ``current_identity()``."""
    if inspect.isasyncgenfunction(behavior):

        async def answers(request: Any, context: Context) -> AsyncIterator[Any]:
            token = _current.set(identity)
            try:
                async for answer in behavior(request, context):
                    yield answer
            finally:
                _current.reset(token)

        return answers

    async def call(request: Any, context: Context) -> Any:
        token = _current.set(identity)
        try:
            result = behavior(request, context)
            return await result if isinstance(result, Awaitable) else result
        finally:
            _current.reset(token)

    return call


def _with_identity(handler: grpc.RpcMethodHandler, identity: Identity) -> grpc.RpcMethodHandler:
    deserialize, serialize = handler.request_deserializer, handler.response_serializer
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(_as(identity, handler.unary_unary), deserialize, serialize)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            _as(identity, handler.unary_stream), deserialize, serialize
        )
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(
            _as(identity, handler.stream_unary), deserialize, serialize
        )
    return grpc.stream_stream_rpc_method_handler(_as(identity, handler.stream_stream), deserialize, serialize)


class AuthInterceptor(grpc.aio.ServerInterceptor):
    """Authenticates every call but the open services' (module docstring)."""

    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(OPEN_SERVICES):
            return handler
        header = _authorization(handler_call_details.invocation_metadata)
        try:
            identity = await self._authenticator.authenticate(header)
        except AuthenticationError as error:
            return _refusing(handler, error.message)
        return _with_identity(handler, identity)
