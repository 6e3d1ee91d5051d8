"""zbctl-style commands for events from outside: ``strom publish message`` and
``strom broadcast signal``."""

from __future__ import annotations

import click

from strom.cli._gateway import (
    address_option,
    call,
    deadline_option,
    echo_json,
    variables_option,
    variables_text,
)


@click.group("publish")
def publish() -> None:
    """Publish a resource (a message)."""


@publish.command("message")
@click.argument("name")
@click.option("--correlation-key", default="", help="Which waiting instance the message is for.")
@click.option("--ttl", type=int, default=0, help="Milliseconds the message waits to be correlated.")
@click.option("--message-id", default="", help="Makes the message unique while it lives.")
@variables_option
@address_option
@deadline_option
def publish_message(
    name: str, correlation_key: str, ttl: int, message_id: str, variables: str, address: str, deadline: float
) -> None:
    """Publish the message NAME."""
    from strom.gateway.grpc._proto import pb

    request = pb.PublishMessageRequest(
        name=name,
        correlationKey=correlation_key,
        timeToLive=ttl,
        messageId=message_id,
        variables=variables_text(variables),
    )
    echo_json(call(address, "PublishMessage", request, deadline))


@click.group("broadcast")
def broadcast() -> None:
    """Broadcast a resource (a signal)."""


@broadcast.command("signal")
@click.argument("name")
@variables_option
@address_option
@deadline_option
def broadcast_signal(name: str, variables: str, address: str, deadline: float) -> None:
    """Broadcast the signal NAME to every instance waiting for it."""
    from strom.gateway.grpc._proto import pb

    request = pb.BroadcastSignalRequest(signalName=name, variables=variables_text(variables))
    echo_json(call(address, "BroadcastSignal", request, deadline))
