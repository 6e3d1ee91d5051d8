"""Requests that cannot be decoded end with INVALID_ARGUMENT, as any other bad input does.

grpcio decodes a request before the servicer sees it; a message it cannot parse (a string field
with invalid UTF-8, a truncated field) would end the call with UNKNOWN and log a traceback per
request. ``add_gateway_to_server`` registers the generated gateway handlers with a lenient decoder
instead: an undecodable request reaches the behavior as ``_Undecodable``, which aborts the call with
INVALID_ARGUMENT naming the problem. The handlers are wrapped once, at registration.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import grpc
from google.protobuf.message import DecodeError

from strom.gateway.grpc._proto import SERVICE_NAME, add_GatewayServicer_to_server

Context = Any
"""A ``grpc.aio.ServicerContext`` (its stubs are not generic at run time)."""


class _Undecodable:
    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _lenient(decode: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return decode(data)
        except DecodeError as error:
            return _Undecodable(f"Expected a valid protobuf request, but it could not be decoded: {error}")

    return deserialize


async def _refuse(request: _Undecodable, context: Context) -> None:
    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.message)


def _unary(behavior: Callable[..., Any]) -> Callable[..., Any]:
    async def unary(request: Any, context: Context) -> Any:
        if request.__class__ is _Undecodable:
            await _refuse(request, context)
        return await behavior(request, context)

    return unary


def _streaming(behavior: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(behavior):

        async def answers(request: Any, context: Context) -> AsyncIterator[Any]:
            if request.__class__ is _Undecodable:
                await _refuse(request, context)
            async for answer in behavior(request, context):
                yield answer

        return answers

    async def writes(request: Any, context: Context) -> None:  # writes with context.write
        if request.__class__ is _Undecodable:
            await _refuse(request, context)
        await behavior(request, context)

    return writes


Guard = Callable[[str, Callable[..., Any]], Callable[..., Any]]
"""Wraps a unary RPC's behavior by name (``Admission.guard``)."""


def _wrap(name: str, handler: grpc.RpcMethodHandler, guard: Guard | None) -> grpc.RpcMethodHandler:
    deserialize = _lenient(handler.request_deserializer)
    serialize = handler.response_serializer
    if handler.unary_unary is not None:
        behavior = handler.unary_unary if guard is None else guard(name, handler.unary_unary)
        return grpc.unary_unary_rpc_method_handler(_unary(behavior), deserialize, serialize)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(_streaming(handler.unary_stream), deserialize, serialize)
    return handler


class _Collector:
    """Stands in for the server while the generated code registers its handlers."""

    def __init__(self) -> None:
        self.handlers: Mapping[str, grpc.RpcMethodHandler] = {}

    def add_generic_rpc_handlers(self, handlers: Any) -> None:
        return None

    def add_registered_method_handlers(
        self, service: str, handlers: Mapping[str, grpc.RpcMethodHandler]
    ) -> None:
        self.handlers = handlers


def add_gateway_to_server(servicer: Any, server: grpc.aio.Server, guard: Guard | None = None) -> None:
    """Register the gateway's handlers, their unary behaviors wrapped by ``guard`` (admission).

    As registered methods, gRPC keeps a queue of calls not yet taken per method, so a flood of
    CreateProcessInstance does not crowd CompleteJob out of gRPC's queue.
    """
    collector = _Collector()
    add_GatewayServicer_to_server(servicer, collector)
    handlers = {name: _wrap(name, handler, guard) for name, handler in collector.handlers.items()}
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)
