"""Message publication and signal broadcast."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, text, variables_text
from strom.gateway.rest.operations import Body, Operations
from strom.protocol.intents import MessageCorrelationIntent
from strom.protocol.values.message import MessageCorrelationRecordValue

operations = Operations("Message")


class MessagePublicationRequest(Body):
    name: str
    correlationKey: str = ""
    timeToLive: int = 0
    messageId: str = ""
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


class MessageCorrelationRequest(Body):
    name: str
    correlationKey: str = ""
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


class SignalBroadcastRequest(Body):
    signalName: str
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@operations.post(
    "/messages/publication",
    "publishMessage",
    "Publish a message (buffered for its TTL)",
    body=MessagePublicationRequest,
    body_required=True,
)
async def publish_message(request: Request, body: MessagePublicationRequest) -> Response:
    message = pb.PublishMessageRequest(
        name=body.name,
        correlationKey=body.correlationKey,
        timeToLive=body.timeToLive,
        messageId=body.messageId,
        variables=variables_text(body.variables),
        tenantId=body.tenantId or "",
    )
    record = await _context(request).send(command_from(requests.publish_message, message), "PublishMessage")
    return json_response({"messageKey": text(record.key), "tenantId": record.value.tenant_id})


@operations.post(
    "/messages/correlation",
    "correlateMessage",
    "Publish a message and correlate it now; NOT_FOUND when nothing waits for it",
    body=MessageCorrelationRequest,
    body_required=True,
)
async def correlate_message(request: Request, body: MessageCorrelationRequest) -> Response:
    value = MessageCorrelationRecordValue(
        name=body.name,
        correlation_key=body.correlationKey,
        variables=command_from(requests.variables, variables_text(body.variables)),
        tenant_id=command_from(requests.tenant, body.tenantId or ""),
    )
    record = await _context(request).send(
        requests.command(value, MessageCorrelationIntent.CORRELATE), "CorrelateMessage"
    )
    correlated = record.value
    return json_response(
        {
            "messageKey": text(correlated.message_key),
            "tenantId": correlated.tenant_id,
            "processInstanceKey": text(correlated.process_instance_key),
        }
    )


@operations.post(
    "/signals/broadcast",
    "broadcastSignal",
    "Broadcast a signal",
    body=SignalBroadcastRequest,
    body_required=True,
    tag="Signal",
)
async def broadcast_signal(request: Request, body: SignalBroadcastRequest) -> Response:
    message = pb.BroadcastSignalRequest(
        signalName=body.signalName, variables=variables_text(body.variables), tenantId=body.tenantId or ""
    )
    record = await _context(request).send(command_from(requests.broadcast_signal, message), "BroadcastSignal")
    return json_response({"signalKey": text(record.key), "tenantId": record.value.tenant_id})
