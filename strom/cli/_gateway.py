"""What the zbctl-style client commands share: the gRPC connection, JSON output, readable errors.

Every command talks to a gateway over gRPC (``--address``, env STROM_ADDRESS or ZEEBE_ADDRESS,
default 127.0.0.1:26500, plaintext), prints the response as one JSON document on stdout (``complete
job``, whose answer is empty, prints ``completed job KEY``), and on failure prints
``Error: <STATUS>: <message>`` on stderr and exits with status 1.

grpc, protobuf and the gateway stubs are imported by the functions that use them (and the commands
import ``pb`` inside their functions), so ``strom COMMAND --help`` needs click only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import grpc
    from google.protobuf.message import Message

DEFAULT_ADDRESS = "127.0.0.1:26500"
_JSON_TEXT_FIELDS = frozenset({"variables", "customHeaders", "decisionOutput"})

F = TypeVar("F", bound=Callable[..., Any])


def address_option(command: F) -> F:
    return click.option(
        "--address",
        default=DEFAULT_ADDRESS,
        show_default=True,
        envvar=["STROM_ADDRESS", "ZEEBE_ADDRESS"],
        help="host:port of the gateway (env STROM_ADDRESS or ZEEBE_ADDRESS).",
    )(command)


def deadline_option(command: F) -> F:
    return click.option(
        "--deadline",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for the gateway's answer.",
    )(command)


def variables_option(command: F) -> F:
    return click.option(
        "--variables",
        default="",
        help="A JSON object, or the path of a file holding one.",
    )(command)


def variables_text(value: str) -> str:
    """The JSON text of ``--variables``: the value itself, or the file it names."""
    if not value:
        return ""
    stripped = value.lstrip()
    if stripped.startswith(("{", "[")) or not stripped:
        return value
    path = Path(value)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise click.ClickException(f"cannot read variables from {path}: {error}") from None
    return value  # let the gateway say what is wrong with it


def call(address: str, method: str, request: Message, deadline: float) -> Any:
    """Call ``method`` of the gateway; unary answers are returned, streams collected into a list."""
    import grpc
    from google.protobuf.message import Message

    from strom.gateway.grpc._proto import GatewayStub

    with grpc.insecure_channel(address) as channel:
        rpc = getattr(GatewayStub(channel), method)
        try:
            answer = rpc(request, timeout=deadline)
            if isinstance(answer, Message):
                return answer
            return list(answer)
        except grpc.RpcError as error:
            raise _readable(error, address) from None


def _readable(error: grpc.RpcError, address: str) -> click.ClickException:
    import grpc

    code = error.code() if hasattr(error, "code") else None
    details = error.details() if hasattr(error, "details") else str(error)
    if code is grpc.StatusCode.UNAVAILABLE:
        return click.ClickException(f"UNAVAILABLE: cannot reach a gateway at {address} ({details})")
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return click.ClickException(f"DEADLINE_EXCEEDED: no answer from {address} in time ({details})")
    name = code.name if code is not None else "UNKNOWN"
    return click.ClickException(f"{name}: {details}")


def to_json(message: Message) -> dict[str, Any]:
    """All fields of ``message`` (defaults too) with their proto names; int64 stay numbers and JSON
    text fields (variables, custom headers) are shown as the documents they hold."""
    from google.protobuf.descriptor import FieldDescriptor

    result: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.is_repeated:
                result[field.name] = [to_json(item) for item in value]
            elif message.HasField(field.name):
                result[field.name] = to_json(value)
            continue
        if field.is_repeated:
            result[field.name] = list(value)
        elif field.type == FieldDescriptor.TYPE_ENUM:
            result[field.name] = field.enum_type.values_by_number[value].name
        elif field.type == FieldDescriptor.TYPE_BYTES:
            result[field.name] = f"<{len(value)} bytes>"
        elif field.name in _JSON_TEXT_FIELDS and value:
            try:
                result[field.name] = json.loads(value)
            except ValueError:
                result[field.name] = value
        else:
            result[field.name] = value
    return result


def echo_json(document: Any) -> None:
    from google.protobuf.message import Message

    if isinstance(document, Message):
        document = to_json(document)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def parse_key(value: str, what: str) -> int:
    try:
        key = int(value)
    except ValueError:
        raise click.BadParameter(f"{what} must be a number (a 64-bit key), got {value!r}") from None
    if not 0 < key < 1 << 63:
        raise click.BadParameter(f"{what} must be a positive 64-bit key, got {value}")
    return key
