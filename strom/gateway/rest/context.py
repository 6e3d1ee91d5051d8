"""What every REST route needs: the way to the partitions, the long polls, the secondary storage.

Commands take the gRPC gateway's path: the same request checks (``strom.gateway.grpc.requests``),
the same ``PartitionBridge`` (backpressure, deadlines) and the same rejection messages, so a bad
command gets the same answer on both gateways. Searches read the secondary storage.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from starlette.responses import Response

from strom.broker.documents import DocumentStore
from strom.broker.partition_group import PartitionGroup
from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.bridge import PartitionBridge
from strom.gateway.grpc.errors import GatewayError, from_rejection, unimplemented
from strom.gateway.grpc.jobs import JobCounters, JobNotifications, LongPolling
from strom.gateway.grpc.tenancy import TenancyPolicy
from strom.gateway.rest.problems import Problem, from_gateway_error, invalid_argument
from strom.protocol.record import Record

_json_encode = msgspec.json.Encoder().encode
M = TypeVar("M")
R = TypeVar("R")


@dataclass
class RestSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    """0 picks a free port (``RestServer.port`` tells which)."""
    advertised_host: str = ""
    grpc_port: int = 26500
    node_id: int = 0
    long_polling_timeout_ms: int = 10_000
    request_timeout_ms: int = 15_000
    max_resource_size: int = 4 * 1024 * 1024
    """Largest file of a deployment, in bytes (the gRPC gateway's message size limit)."""
    clock_controlled: bool = False
    """Whether ``PUT /v2/clock`` and ``POST /v2/clock/reset`` may pin and reset the engine's clock."""
    multi_tenancy: bool = False
    """Requests name their tenant (``TenancyPolicy``); searches show the caller's tenants only."""
    data_dir: str = ""
    """Where the partitions keep their file logs (``partition-N/log``), for the record log reads;
    empty when they are not files here (cluster mode)."""


class RestContext:
    def __init__(self, partitions: PartitionGroup, settings: RestSettings, search: Any = None) -> None:
        self.partitions = partitions
        self.settings = settings
        self.search = search
        """A ``strom.search.SearchStore`` or None when the broker runs without secondary storage."""
        self.documents: DocumentStore | None = None
        """The broker's document store (``/v2/documents``); None: documents are not served."""
        self._document_sweep: asyncio.Task[None] | None = None
        self.counters = JobCounters()
        self._supported: dict[int, bool] = {}
        self._bridge: PartitionBridge | None = None
        self._notifications: JobNotifications | None = None
        self._long_polling: LongPolling | None = None

    def start(self) -> None:
        """On the event loop that serves the requests."""
        loop = asyncio.get_running_loop()
        self._bridge = PartitionBridge(
            self.partitions,
            loop,
            self.settings.request_timeout_ms / 1000,
            TenancyPolicy(self.settings.multi_tenancy),
        )
        self._bridge.start()
        self._notifications = JobNotifications(self.partitions.job_streams, loop)
        self._long_polling = LongPolling(
            self._bridge, self._notifications, self.settings.long_polling_timeout_ms, self.counters
        )
        if self.documents is not None:
            self._document_sweep = loop.create_task(self.documents.sweep_periodically())

    async def stop(self) -> None:
        if self._document_sweep is not None:
            self._document_sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._document_sweep
        if self._long_polling is not None:
            self._long_polling.close()
        if self._notifications is not None:
            self._notifications.close()
        if self._bridge is not None:
            await self._bridge.close()

    # -- commands ----------------------------------------------------------------------------------

    async def send(self, command: Record[Any], operation: str, timeout_s: float | None = None) -> Record[Any]:
        """The engine's answer to ``command``; a rejection or an overload ends the request."""
        assert self._bridge is not None, "the REST gateway is not started"
        slot = command.value_type << 8 | command.intent
        supported = self._supported.get(slot)
        if supported is None:
            supported = self._supported[slot] = self.partitions.supports(command.value_type, command.intent)
        try:
            if not supported:
                raise unimplemented(operation, command.value_type, command.intent)
            record = await self._bridge.send(command, operation, timeout_s)
            if record.is_rejection:
                raise from_rejection(record, operation)
        except GatewayError as error:
            raise from_gateway_error(error) from None
        return record

    async def activate_jobs(self, request: pb.ActivateJobsRequest) -> list[pb.ActivatedJob]:
        """Long-polls like the gRPC ActivateJobs: waits up to the request timeout for a job."""
        assert self._long_polling is not None, "the REST gateway is not started"
        jobs: list[pb.ActivatedJob] = []
        try:
            async with contextlib.aclosing(self._long_polling.activate(request)) as answers:
                async for answer in answers:
                    jobs.extend(answer.jobs)
        except GatewayError as error:
            raise from_gateway_error(error) from None
        return jobs


# -- request values ----------------------------------------------------------------------------------


def command_from(to_command: Callable[[M], R], message: M) -> R:
    """The command the gRPC gateway builds from the same request, with the same checks."""
    try:
        return to_command(message)
    except GatewayError as error:
        raise from_gateway_error(error) from None


def key(value: Any, field: str) -> int:
    """A key from the wire: a string of digits (Camunda's clients) or a number."""
    if isinstance(value, bool):
        raise invalid_argument(f"Expected '{field}' to be a key (a string of digits), but it was {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isdigit():
        number = int(value)
    else:
        raise invalid_argument(f"Expected '{field}' to be a key (a string of digits), but it was {value!r}")
    if number <= 0 or number >= 1 << 63:
        raise invalid_argument(f"Expected '{field}' to be a positive 64-bit key, but it was {value!r}")
    return number


def variables_text(document: Any, field: str = "variables") -> str:
    """A JSON object as the JSON text the command builders check (same checks as gRPC)."""
    if document is None:
        return ""
    if not isinstance(document, dict):
        raise invalid_argument(
            f"Expected '{field}' to be a JSON object, but it was {type(document).__name__}"
        )
    try:
        return _json_encode(document).decode()
    except (OverflowError, TypeError) as error:
        raise invalid_argument(f"Expected '{field}' to be a JSON object: {error}") from None


def json_response(document: Any, status_code: int = 200) -> Response:
    """JSON encoded once by msgspec: FastAPI's own serialization costs more than the command."""
    return Response(_json_encode(document), status_code=status_code, media_type="application/json")


def text(value: Any) -> str:
    """Keys and other 64-bit numbers go out as strings, as Camunda's REST API sends them."""
    return str(value)


def nullable_key(value: int) -> str | None:
    return str(value) if value > 0 else None


__all__ = [
    "Problem",
    "RestContext",
    "RestSettings",
    "command_from",
    "key",
    "nullable_key",
    "text",
    "variables_text",
]
