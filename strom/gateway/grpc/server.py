"""The ``gateway_protocol.Gateway`` gRPC service on an asyncio server, next to the partition.

Each RPC maps its request to a command (``requests``), checks the engine can process it at all
(else UNIMPLEMENTED, naming what is missing), sends it through the ``PartitionBridge`` (where
backpressure applies) and maps the answer back (``responses``) or the rejection to a status
(``errors``). Bad input ends the call with a status; it never reaches the partition, and nothing
a client sends stops the server. The gRPC health service reports SERVING while the partition runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from strom.broker.broker import Broker
from strom.broker.endpoint import partition_role
from strom.broker.gateway_limits import GatewayLimits
from strom.broker.partition_group import PartitionGroup
from strom.gateway.auth.authenticator import Authenticator, authenticator_for
from strom.gateway.auth.grpc import AuthInterceptor
from strom.gateway.grpc import requests, responses
from strom.gateway.grpc._proto import (
    SERVICE_NAME,
    GatewayServicer,
    HealthServicer,
    health_pb2,
    health_pb2_grpc,
    pb,
)
from strom.gateway.grpc.admission import Admission, ClientLimits, local_limiters, server_options
from strom.gateway.grpc.bridge import PartitionBridge
from strom.gateway.grpc.errors import GatewayError, from_rejection, unimplemented
from strom.gateway.grpc.jobs import (
    GatewayJobStream,
    JobCounters,
    JobNotifications,
    LongPolling,
    PushWindows,
    stream_jobs,
)
from strom.gateway.grpc.tenancy import TenancyPolicy
from strom.gateway.grpc.undecodable import add_gateway_to_server
from strom.protocol.record import BROKER_VERSION, Record

_log = logging.getLogger(__name__)

Request = TypeVar("Request")
Response = TypeVar("Response")


@dataclass
class GatewaySettings:
    host: str = "127.0.0.1"
    advertised_host: str = ""
    """What Topology tells clients (default: ``host``)."""
    port: int = 26500
    """0 picks a free port (``GatewayServer.port`` tells which)."""
    node_id: int = 0
    max_message_size: int = 4 * 1024 * 1024
    long_polling_timeout_ms: int = 10_000
    request_timeout_ms: int = 15_000
    multi_tenancy: bool = False
    """Requests name their tenant (``TenancyPolicy``)."""
    limits: GatewayLimits = field(default_factory=GatewayLimits)
    """Queued calls, long polls and streams per client, idle connections (``admission``)."""


class GatewayService(GatewayServicer):
    def __init__(
        self,
        partitions: PartitionGroup,
        bridge: PartitionBridge,
        long_polling: LongPolling,
        counters: JobCounters,
        settings: GatewaySettings,
        advertised_port: Callable[[], int],
        open_streams: set[GatewayJobStream],
        client_limits: ClientLimits,
        push_windows: PushWindows | None = None,
    ) -> None:
        self._partitions = partitions
        self._window = (
            push_windows
            if push_windows is not None
            else PushWindows(settings.limits.push_window, settings.limits.push_budget)
        )
        self._client_limits = client_limits
        self._bridge = bridge
        self._long_polling = long_polling
        self._counters = counters
        self._settings = settings
        self._advertised_port = advertised_port
        self._open_streams = open_streams
        self._registry = partitions.job_streams
        self._supported: dict[int, bool] = {}

    # -- the common path -----------------------------------------------------------------------

    async def _call(
        self,
        rpc: str,
        context: grpc.aio.ServicerContext[Any, Any],
        request: Request,
        to_command: Callable[[Request], Record[Any]],
        to_response: Callable[[Record[Any]], Response],
        timeout_s: float | None = None,
    ) -> Response:
        try:
            command = to_command(request)
            self._check_supported(rpc, command)
            record = await self._bridge.send(command, rpc, timeout_s)
            if record.is_rejection:
                raise from_rejection(record, rpc)
            return to_response(record)
        except GatewayError as error:
            await context.abort(error.code, error.message)
        except Exception as error:  # a bug must end the call, never the server
            _log.exception("%s failed unexpectedly", rpc)
            await context.abort(
                grpc.StatusCode.INTERNAL,
                f"Unexpected error occurred during the request processing: {type(error).__name__}: {error}",
            )
        raise AssertionError("abort returns by raising")  # pragma: no cover

    def _check_supported(self, rpc: str, command: Record[Any]) -> None:
        slot = command.value_type << 8 | command.intent
        supported = self._supported.get(slot)
        if supported is None:
            supported = self._supported[slot] = self._partitions.supports(command.value_type, command.intent)
        if not supported:
            raise unimplemented(rpc, command.value_type, command.intent)

    async def _abort(self, rpc: str, context: grpc.aio.ServicerContext[Any, Any], error: Exception) -> None:
        if isinstance(error, GatewayError):
            await context.abort(error.code, error.message)
        _log.exception("%s failed unexpectedly", rpc, exc_info=error)
        await context.abort(
            grpc.StatusCode.INTERNAL,
            f"Unexpected error occurred during the request processing: {type(error).__name__}: {error}",
        )

    # -- cluster ---------------------------------------------------------------------------------

    async def Topology(self, request: pb.TopologyRequest, context: Any) -> pb.TopologyResponse:
        partitions = [
            pb.Partition(
                partitionId=status.partition_id,
                role=pb.Partition.PartitionBrokerRole.Value(partition_role(status).upper()),
                health=(
                    pb.Partition.PartitionBrokerHealth.HEALTHY
                    if status.healthy or status.phase == "follower"
                    else pb.Partition.PartitionBrokerHealth.UNHEALTHY
                    if status.phase in ("starting", "restarting", "replaying")
                    else pb.Partition.PartitionBrokerHealth.DEAD
                ),
            )
            for status in self._partitions.statuses()
        ]
        brokers = [
            pb.BrokerInfo(
                nodeId=self._settings.node_id,
                host=self._settings.advertised_host or self._settings.host,
                port=self._advertised_port(),
                partitions=partitions,
                version=BROKER_VERSION,
            )
        ]
        for peer in self._partitions.peers():  # the other brokers of a cluster: they follow the rest
            brokers.append(
                pb.BrokerInfo(
                    nodeId=peer.node_id,
                    host=peer.host,
                    port=peer.port,
                    partitions=[
                        pb.Partition(
                            partitionId=partition_id,
                            role=pb.Partition.PartitionBrokerRole.LEADER
                            if partition_id in peer.leading
                            else pb.Partition.PartitionBrokerRole.FOLLOWER,
                            health=pb.Partition.PartitionBrokerHealth.HEALTHY,
                        )
                        for partition_id in range(1, self._partitions.count + 1)
                    ],
                    version=BROKER_VERSION,
                )
            )
        return pb.TopologyResponse(
            brokers=brokers,
            clusterSize=len(brokers),
            partitionsCount=self._partitions.count,
            replicationFactor=len(brokers),
            gatewayVersion=BROKER_VERSION,
        )

    # -- deployments -----------------------------------------------------------------------------

    async def DeployResource(
        self, request: pb.DeployResourceRequest, context: Any
    ) -> pb.DeployResourceResponse:
        return await self._call(
            "DeployResource", context, request, requests.deploy_resource, responses.deploy_resource
        )

    async def DeployProcess(self, request: pb.DeployProcessRequest, context: Any) -> pb.DeployProcessResponse:
        return await self._call(
            "DeployProcess", context, request, requests.deploy_process, responses.deploy_process
        )

    async def DeleteResource(
        self, request: pb.DeleteResourceRequest, context: Any
    ) -> pb.DeleteResourceResponse:
        return await self._call(
            "DeleteResource", context, request, requests.delete_resource, _empty(pb.DeleteResourceResponse)
        )

    # -- process instances -----------------------------------------------------------------------

    async def CreateProcessInstance(
        self, request: pb.CreateProcessInstanceRequest, context: Any
    ) -> pb.CreateProcessInstanceResponse:
        return await self._call(
            "CreateProcessInstance",
            context,
            request,
            requests.create_process_instance,
            responses.create_process_instance,
        )

    async def CreateProcessInstanceWithResult(
        self, request: pb.CreateProcessInstanceWithResultRequest, context: Any
    ) -> pb.CreateProcessInstanceWithResultResponse:
        timeout_ms = (
            request.requestTimeout if request.requestTimeout > 0 else self._settings.request_timeout_ms
        )
        return await self._call(
            "CreateProcessInstanceWithResult",
            context,
            request,
            requests.create_process_instance_with_result,
            responses.create_process_instance_with_result,
            timeout_ms / 1000,
        )

    async def CancelProcessInstance(
        self, request: pb.CancelProcessInstanceRequest, context: Any
    ) -> pb.CancelProcessInstanceResponse:
        return await self._call(
            "CancelProcessInstance",
            context,
            request,
            requests.cancel_process_instance,
            _empty(pb.CancelProcessInstanceResponse),
        )

    async def SetVariables(self, request: pb.SetVariablesRequest, context: Any) -> pb.SetVariablesResponse:
        return await self._call(
            "SetVariables", context, request, requests.set_variables, responses.set_variables
        )

    async def ResolveIncident(
        self, request: pb.ResolveIncidentRequest, context: Any
    ) -> pb.ResolveIncidentResponse:
        return await self._call(
            "ResolveIncident",
            context,
            request,
            requests.resolve_incident,
            _empty(pb.ResolveIncidentResponse),
        )

    async def ModifyProcessInstance(
        self, request: pb.ModifyProcessInstanceRequest, context: Any
    ) -> pb.ModifyProcessInstanceResponse:
        return await self._call(
            "ModifyProcessInstance",
            context,
            request,
            requests.modify_process_instance,
            _empty(pb.ModifyProcessInstanceResponse),
        )

    async def MigrateProcessInstance(
        self, request: pb.MigrateProcessInstanceRequest, context: Any
    ) -> pb.MigrateProcessInstanceResponse:
        return await self._call(
            "MigrateProcessInstance",
            context,
            request,
            requests.migrate_process_instance,
            _empty(pb.MigrateProcessInstanceResponse),
        )

    # -- jobs --------------------------------------------------------------------------------------

    async def ActivateJobs(
        self, request: pb.ActivateJobsRequest, context: Any
    ) -> AsyncGenerator[pb.ActivateJobsResponse, None]:
        # A request that may wait (its requestTimeout, or the gateway's when 0) is a long poll.
        waits = request.requestTimeout >= 0
        try:
            with (
                self._client_limits.long_poll("ActivateJobs", context) if waits else contextlib.nullcontext()
            ):
                async with contextlib.aclosing(self._long_polling.activate(request)) as answers:
                    async for answer in answers:
                        yield answer
        except (GatewayError, Exception) as error:
            await self._abort("ActivateJobs", context, error)

    async def StreamActivatedJobs(  # type: ignore[override]  # writes with context.write instead of yielding
        self, request: pb.StreamActivatedJobsRequest, context: Any
    ) -> None:
        try:
            with self._client_limits.stream("StreamActivatedJobs", context):
                await stream_jobs(
                    request,
                    self._registry,
                    self._bridge,
                    self._counters,
                    self._open_streams,
                    context.write,
                    self._window,
                )
        except (GatewayError, Exception) as error:
            await self._abort("StreamActivatedJobs", context, error)

    async def CompleteJob(self, request: pb.CompleteJobRequest, context: Any) -> pb.CompleteJobResponse:
        self._window.answered(request.jobKey)  # taken from gRPC's queue: a pushed job may follow
        return await self._call(
            "CompleteJob", context, request, requests.complete_job, _empty(pb.CompleteJobResponse)
        )

    async def FailJob(self, request: pb.FailJobRequest, context: Any) -> pb.FailJobResponse:
        self._window.answered(request.jobKey)
        return await self._call("FailJob", context, request, requests.fail_job, _empty(pb.FailJobResponse))

    async def ThrowError(self, request: pb.ThrowErrorRequest, context: Any) -> pb.ThrowErrorResponse:
        self._window.answered(request.jobKey)
        return await self._call(
            "ThrowError", context, request, requests.throw_error, _empty(pb.ThrowErrorResponse)
        )

    async def UpdateJobRetries(
        self, request: pb.UpdateJobRetriesRequest, context: Any
    ) -> pb.UpdateJobRetriesResponse:
        return await self._call(
            "UpdateJobRetries",
            context,
            request,
            requests.update_job_retries,
            _empty(pb.UpdateJobRetriesResponse),
        )

    async def UpdateJobTimeout(
        self, request: pb.UpdateJobTimeoutRequest, context: Any
    ) -> pb.UpdateJobTimeoutResponse:
        return await self._call(
            "UpdateJobTimeout",
            context,
            request,
            requests.update_job_timeout,
            _empty(pb.UpdateJobTimeoutResponse),
        )

    # -- messages, signals, decisions --------------------------------------------------------------

    async def PublishMessage(
        self, request: pb.PublishMessageRequest, context: Any
    ) -> pb.PublishMessageResponse:
        return await self._call(
            "PublishMessage", context, request, requests.publish_message, responses.publish_message
        )

    async def BroadcastSignal(
        self, request: pb.BroadcastSignalRequest, context: Any
    ) -> pb.BroadcastSignalResponse:
        return await self._call(
            "BroadcastSignal", context, request, requests.broadcast_signal, responses.broadcast_signal
        )

    async def EvaluateDecision(
        self, request: pb.EvaluateDecisionRequest, context: Any
    ) -> pb.EvaluateDecisionResponse:
        return await self._call(
            "EvaluateDecision", context, request, requests.evaluate_decision, responses.evaluate_decision
        )


def _empty(response_type: Callable[[], Response]) -> Callable[[Record[Any]], Response]:
    empty = response_type()
    return lambda record: empty


class GatewayServer:
    """The gRPC server (gateway + health) for one partition, on the running event loop."""

    def __init__(
        self,
        partitions: PartitionGroup,
        settings: GatewaySettings,
        authenticator: Authenticator | None = None,
    ) -> None:
        registry = partitions.job_streams
        self.authenticator = authenticator
        """Who may call (None: anyone, as with ``auth = none``)."""
        self.partitions = partitions
        self.settings = settings
        self.counters = JobCounters()
        self.port = 0
        self._registry = registry
        self._server: grpc.aio.Server | None = None
        self._bridge: PartitionBridge | None = None
        self._notifications: JobNotifications | None = None
        self._long_polling: LongPolling | None = None
        self._open_streams: set[GatewayJobStream] = set()
        self._health: Any = None
        self.admission = Admission(local_limiters(partitions))
        """Counts calls from the moment the gateway takes them; refuses beyond the limit."""
        self.client_limits = ClientLimits(settings.limits)
        self.push_windows = PushWindows(settings.limits.push_window, settings.limits.push_budget)
        """Per job stream, pushed jobs waiting for their answer (CompleteJob, FailJob, ThrowError)."""

    async def start(self) -> None:
        """Bind and serve (``port`` tells where)."""
        loop = asyncio.get_running_loop()
        settings = self.settings
        bridge = self._bridge = PartitionBridge(
            self.partitions,
            loop,
            settings.request_timeout_ms / 1000,
            TenancyPolicy(settings.multi_tenancy),
        )
        bridge.start()
        notifications = self._notifications = JobNotifications(self._registry, loop)
        long_polling = self._long_polling = LongPolling(
            bridge, notifications, settings.long_polling_timeout_ms, self.counters
        )
        interceptors = [] if self.authenticator is None else [AuthInterceptor(self.authenticator)]
        server = self._server = grpc.aio.server(
            interceptors=interceptors,
            options=[
                ("grpc.max_receive_message_length", settings.max_message_size),
                ("grpc.max_send_message_length", settings.max_message_size),
                ("grpc.so_reuseport", 0),
                # Zeebe clients send keep-alive pings (zbctl every 45 s); accept them.
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
                ("grpc.http2.max_ping_strikes", 0),
                *server_options(settings.limits),
            ],
        )
        service = GatewayService(
            self.partitions,
            bridge,
            long_polling,
            self.counters,
            settings,
            lambda: self.port,
            self._open_streams,
            self.client_limits,
            self.push_windows,
        )
        add_gateway_to_server(service, server, self.admission.guard)
        health = self._health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        self.port = server.add_insecure_port(f"{settings.host}:{settings.port}")
        if self.port == 0:
            raise OSError(f"cannot listen on {settings.host}:{settings.port} (is the port in use?)")
        await server.start()
        serving = health_pb2.HealthCheckResponse.SERVING
        await health.set("", serving)
        await health.set(SERVICE_NAME, serving)
        _log.info("gateway on %s:%d", settings.host, self.port)

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop accepting calls, let running ones finish (up to ``grace_s``), then close."""
        if self._health is not None:
            await self._health.enter_graceful_shutdown()
        # Waiting long polls and job streams end now; unary calls get ``grace_s`` to finish.
        if self._long_polling is not None:
            self._long_polling.close()
        for stream in list(self._open_streams):
            stream.end()
        if self._server is not None:
            await self._server.stop(grace_s)
            self._server = None
        if self._notifications is not None:
            self._notifications.close()
        if self._bridge is not None:
            await self._bridge.close()
        if self.authenticator is not None:
            self.authenticator.close()

    def collect_metrics(self) -> Iterator[Metric]:
        """Jobs handed to workers and open job streams, for the broker's metrics endpoint."""
        pid = "all" if self.partitions.count > 1 else "1"
        jobs = CounterMetricFamily(
            "strom_jobs", "Jobs handed to workers by the gateway, by how.", labels=["partition", "action"]
        )
        jobs.add_metric([pid, "activated"], self.counters.activated)
        jobs.add_metric([pid, "pushed"], self.counters.pushed)
        jobs.add_metric([pid, "yielded"], self.counters.yielded)
        yield jobs
        streams = GaugeMetricFamily(
            "strom_job_streams_open", "Job streams (StreamActivatedJobs) open now.", labels=["partition"]
        )
        streams.add_metric([pid], len(self._open_streams))
        yield streams
        inflight = GaugeMetricFamily(
            "strom_gateway_requests_inflight",
            "Calls the gRPC gateway took and has not answered (backpressure counts them).",
        )
        inflight.add_metric([], self.admission.inflight)
        yield inflight
        refused = CounterMetricFamily(
            "strom_gateway_requests_refused",
            "Calls the gRPC gateway refused (RESOURCE_EXHAUSTED) before decoding them.",
        )
        refused.add_metric([], self.admission.refused)
        yield refused
        unanswered = GaugeMetricFamily(
            "strom_gateway_pushed_jobs_unanswered",
            "Jobs pushed to job streams whose answer (CompleteJob, FailJob, ThrowError) the gateway "
            "has not taken yet; a stream's pushing waits at gateway.max_unanswered_pushed_jobs.",
        )
        unanswered.add_metric([], len(self.push_windows))
        yield unanswered
        waiting = GaugeMetricFamily(
            "strom_gateway_long_polls_open", "Long-polling ActivateJobs calls open now."
        )
        waiting.add_metric([], sum(self.client_limits.long_polls.values()))
        yield waiting


def gateway_for(broker: Broker) -> GatewayServer:
    """The gateway of ``broker`` (a ``ServiceFactory``), configured from its config."""
    config = broker.config
    server = GatewayServer(
        broker.partitions,
        GatewaySettings(
            host=config.host,
            advertised_host=config.advertised_host,
            port=config.grpc_port,
            node_id=config.node_id,
            max_message_size=config.max_message_size,
            long_polling_timeout_ms=config.long_polling_timeout_ms,
            request_timeout_ms=config.request_timeout_ms,
            multi_tenancy=config.multi_tenancy,
            limits=config.gateway,
        ),
        authenticator_for(config) if config.auth != "none" else None,
    )
    if broker.metrics is not None:
        broker.metrics.add_collector(server.collect_metrics)
    return server
