"""A broker: its partitions on the embedded default (file log + RocksDB), metrics, and services.

With one partition (the default) it runs in this process, on the event loop with the gateways.
With ``partitions`` N > 1 each runs in its own OS process (``PartitionSupervisor``), so N
partitions use N cores; this process keeps the gateways, which reach the partitions through
``partitions`` (a ``PartitionGroup``: endpoints, router, job streams) either way.

Services are what clients talk to (the gRPC gateway, REST); they live in higher layers, so the
broker takes them as ``ServiceFactory``s and runs them on its event loop. ``run()`` serves until
SIGTERM or SIGINT, then shuts down gracefully: services stop accepting and finish running calls,
each partition finishes its current step and flushes, takes a snapshot and closes.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from strom.broker.config import BrokerConfig, ConfigError
from strom.broker.data_dir import check_partition_count
from strom.broker.disk import DiskSpaceMonitor
from strom.broker.endpoint import LocalEndpoint
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.metrics import BrokerMetrics
from strom.broker.partition import Partition, PartitionSettings
from strom.broker.partition_group import PartitionGroup
from strom.broker.partition_supervisor import PartitionSupervisor
from strom.exporter import Exporter, ExporterError, JsonLinesExporter

if TYPE_CHECKING:
    from strom.broker.cluster_member import PartitionMember
    from strom.broker.cluster_streams import ClusterStreams
    from strom.broker.forwarding import Forwarder
    from strom.log.cluster_store import ClusterStore
    from strom.log.lease import LeaseManager

_log = logging.getLogger(__name__)

EXPORTER_TYPES: dict[str, Callable[[], Exporter]] = {"json-lines": JsonLinesExporter}

COMMAND_MARGIN = 64 * 1024
"""Bytes a log batch needs beyond the largest request: a command's own record may be a little larger
than its request, and it travels with its processing results (or its rejection) in one batch."""


def _check_message_limit(config: BrokerConfig, log_limit: int) -> None:
    """A cluster's NATS servers must take a batch holding the largest command the gateways accept,
    or such a command would stop its partition instead of being rejected."""
    needed = config.max_message_size + COMMAND_MARGIN
    if log_limit < needed:
        raise ConfigError(
            f"the NATS servers of the cluster ({config.cluster}) take messages of at most {log_limit}"
            f" bytes for a partition's log, but the gateways take requests of up to"
            f" {config.max_message_size} bytes (max_message_size), and a command is written with its"
            f" results in one message: set max_payload: 8MB in each nats-server's configuration"
            f" (strom cluster up does), or lower max_message_size to {log_limit - COMMAND_MARGIN} or less"
        )


GC_THRESHOLDS = (50_000, 20, 100)
"""A broker allocates short-lived objects by the million (requests, records, futures) and keeps few
cycles: collecting the youngest generation every 50,000 allocations instead of 700 saves ~6% CPU
per process instance through the gateway. Objects alive after start-up are frozen out of the
collector's way (``gc.freeze``)."""


def tune_garbage_collector() -> None:
    """Freeze what exists now out of the collector's way and collect young objects less often.

    For a process that hosts a partition (the broker, benchmarks, an embedding application that
    chooses to): it changes the interpreter's global collector settings.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class BrokerService(Protocol):
    async def start(self) -> None:
        """Start serving (on the running event loop)."""

    async def stop(self) -> None:
        """Stop accepting, let running calls finish (bounded), release resources."""


ServiceFactory = Callable[["Broker"], BrokerService]


class Broker:
    def __init__(self, config: BrokerConfig, services: list[ServiceFactory] | None = None) -> None:
        config.validate()
        self.config = config
        self._factories = list(services or ())
        self._services: list[BrokerService] = []
        self.partition: Partition
        """The partition when there is one (in this process)."""
        self.partitions: PartitionGroup
        self.supervisor: PartitionSupervisor | None = None
        self.members: dict[int, PartitionMember] = {}
        """With ``cluster``: this broker's member (leader or follower) of each partition."""
        self._leases: LeaseManager | None = None
        self._forwarder: Forwarder | None = None
        self._store: ClusterStore | None = None
        self._cluster_streams: ClusterStreams | None = None
        self.metrics: BrokerMetrics | None = None
        self.metrics_port = 0
        self._disk: DiskSpaceMonitor | None = None
        """The main process's watch of the disk when no partition runs in it (for readiness)."""
        self._stopping: asyncio.Event | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def open(self) -> Broker:
        """Open the partition (restore + replay) and the metrics endpoint; ``serve`` starts it.

        With several partitions only the metrics endpoint: ``serve`` starts the partition
        processes (they open and replay in parallel).
        """
        config = self.config
        check_partition_count(config.data_dir, config.partitions)
        if config.cluster_servers:
            self.metrics = self._open_members()
        elif config.partitions > 1 or config.partition_processes == "always":
            registry = JobStreamRegistry()
            self.supervisor = PartitionSupervisor(config, config.partitions, registry)
            self.partitions = PartitionGroup(self.supervisor.endpoints, registry)
            self.metrics = BrokerMetrics(None, statuses=self.partitions.statuses)
            self.metrics.add_collector(self.supervisor.collect_metrics)
        else:
            settings = partition_settings(config)
            try:
                self.partition = Partition(settings).open()
            except ExporterError as error:
                raise ConfigError(str(error)) from None
            _log.info(
                "partition %d open: %d events replayed in %.2f s",
                settings.partition_id,
                self.partition.replayed_events,
                self.partition.replay_seconds,
            )
            job_streams = self.partition.job_streams
            assert isinstance(job_streams, JobStreamRegistry)
            self.partitions = PartitionGroup({1: LocalEndpoint(self.partition)}, job_streams)
            self.metrics = BrokerMetrics(self.partition)
        if "partition" not in self.__dict__ and config.disk.enable_monitoring:
            # Partitions elsewhere (processes, a cluster member) refuse by their own watch; this
            # one tells readiness.
            self._disk = DiskSpaceMonitor(config.data_dir, config.disk).start()
            self.metrics.disk = self._disk
        tune_garbage_collector()
        if config.metrics_port:
            self.metrics_port = self.metrics.serve(config.host, config.metrics_port)
            _log.info("metrics on http://%s:%d/metrics", config.host, self.metrics_port)
        # Said once the data directory is ours: a broker refused for a locked directory says only that.
        if config.auth == "none":
            _log.warning(
                "authentication is off (auth = none): anyone who can reach the gRPC port %d%s can deploy, "
                "start, change and cancel processes and read all data; start with --auth basic or "
                "--auth oidc (or STROM_AUTH) to require credentials",
                config.grpc_port,
                f" or the REST port {config.rest_port}" if config.rest_port else "",
            )
        return self

    def _open_members(self) -> BrokerMetrics:
        """Cluster mode: follow every partition on its stream, lead those whose lease this broker
        holds (spread over ``cluster_size`` brokers). The partitions run in this process."""
        from strom.broker.cluster_member import LeaderBalance, MemberSender, PartitionMember
        from strom.broker.cluster_streams import ClusterStreams, Presence
        from strom.broker.forwarding import Forwarder
        from strom.broker.partition_host import yield_job_command
        from strom.log.cluster_store import ClusterStore
        from strom.log.lease import LeaseManager
        from strom.protocol.keys import partition_of

        config = self.config
        started = time.monotonic()
        self._leases = LeaseManager(
            list(config.cluster_servers),
            f"broker-{config.node_id}",
            ttl_s=config.lease_ttl_s,
            renew_every_s=config.lease_ttl_s / 4,
            replicas=config.replication_factor,
        )
        registry = JobStreamRegistry()
        try:
            self._store = ClusterStore(
                list(config.cluster_servers), f"broker-{config.node_id}", replicas=config.replication_factor
            )
            self._forwarder = Forwarder(
                list(config.cluster_servers),
                f"broker-{config.node_id}",
                request_timeout_s=config.request_timeout_ms / 1000,
            )
            _log.info(
                "connected to the cluster (leases, shared snapshots, forwarding) in %.2f s",
                time.monotonic() - started,
            )
            sender = MemberSender()
            boot_s = max(10.0, 4 * config.lease_ttl_s)
            balance = LeaderBalance(sender.members, config.cluster_size, boot_s=boot_s)
            for partition_id in range(1, config.partitions + 1):
                sender.members[partition_id] = PartitionMember(
                    partition_settings(config, partition_id, config.partitions),
                    self._leases,
                    job_streams=registry,
                    forwarder=self._forwarder,
                    sender=sender if config.partitions > 1 else None,
                    balance=balance,
                    store=self._store,
                    cluster_size=config.cluster_size,
                    compaction_hold_s=config.compaction_hold_s,
                )
            for member in sender.members.values():
                member.open()
                self.members[member.partition_id] = member
            _check_message_limit(config, next(iter(self.members.values())).max_batch_size)

            def give_back(job_key: int) -> None:
                sender.send(partition_of(job_key), yield_job_command(job_key))

            def presence() -> Presence:
                leading = [pid for pid, member in self.members.items() if member.role == "leader"]
                return Presence(
                    config.node_id, config.advertised_host or config.host, config.grpc_port, leading
                )

            streams = ClusterStreams(self._forwarder, registry, give_back, presence=presence).start()
            self._cluster_streams = streams
        except BaseException:
            self._close_members()
            raise
        self.partitions = PartitionGroup(dict(self.members), registry)
        self.partitions.peers = streams.peers
        return BrokerMetrics(None, statuses=self.partitions.statuses)

    def _close_members(self) -> None:
        """Close every member (leaders snapshot and release their leases), then NATS connections."""
        if self._cluster_streams is not None:
            self._cluster_streams.close()
            self._cluster_streams = None
        try:
            while self.members:
                _, member = self.members.popitem()
                try:
                    member.close()
                except Exception:  # close the others all the same
                    _log.exception("closing the member of partition %d failed", member.partition_id)
        finally:
            if self._forwarder is not None:
                self._forwarder.close()
                self._forwarder = None
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._leases is not None:
                self._leases.close()
                self._leases = None

    async def serve(self, ready: Callable[[], None] | None = None) -> None:
        """Start the services and serve until ``request_stop``; then shut everything down."""
        self._stopping = asyncio.Event()
        try:
            if self.supervisor is not None:
                await self.supervisor.start()
            elif self.members:
                pass  # a member starts processing when it takes its partition's lease
            elif self.config.processing == "thread":
                self.partition.start()
            else:
                self.partition.start(asyncio.get_running_loop())
            for factory in self._factories:
                service = factory(self)
                await service.start()
                self._services.append(service)
            if self.metrics is not None:
                self.metrics.mark_started()  # startup probe UP; readiness UP while the partition processes
            if ready is not None:
                ready()
            await self._stopping.wait()
        finally:
            await self.shutdown()

    def request_stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    async def shutdown(self) -> None:
        _log.info("shutting down")
        if self.metrics is not None:
            self.metrics.mark_stopping()  # readiness DOWN while services drain
        while self._services:
            service = self._services.pop()
            try:
                await service.stop()
            except Exception:  # keep shutting down the rest
                _log.exception("stopping %s failed", type(service).__name__)
        if self.supervisor is not None:
            await self.supervisor.stop()
            _log.info("partition processes stopped")
        self.close()  # on the loop's thread: a partition driven by the loop stops between steps

    def close(self) -> None:
        """Finish the current step, flush, snapshot and release files (idempotent)."""
        if self.metrics is not None:
            self.metrics.close()
            self.metrics = None
        if self._disk is not None:
            self._disk.stop()
            self._disk = None
        if self._leases is not None:
            self._close_members()
            _log.info("partitions closed")
        partition = getattr(self, "partition", None)
        if partition is not None:
            try:
                partition.close(snapshot=partition.processor.failure is None)
            finally:
                del self.partition
            _log.info("partition closed")

    def run(self, ready: Callable[[], None] | None = None) -> None:
        """Open, serve until SIGTERM/SIGINT, shut down gracefully."""
        self.open()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.request_stop)
            await self.serve(ready)

        asyncio.run(main())


def partition_settings(
    config: BrokerConfig, partition_id: int = 1, partition_count: int = 1
) -> PartitionSettings:
    """How partition ``partition_id`` of a broker with ``config`` runs (its exporters made anew)."""
    exporters, exporter_configs = _exporters(config)
    return PartitionSettings(
        data_dir=config.data_dir,
        partition_id=partition_id,
        partition_count=partition_count,
        snapshot_period_s=config.snapshot_period_s,
        snapshot_every_records=config.snapshot_every_records,
        group_commit=config.group_commit,
        max_commands_in_batch=config.max_commands_in_batch,
        exporters=exporters,
        exporter_configs=exporter_configs,
        exporter_process=config.exporter_process and not config.cluster_servers,
        secondary_storage_url=config.secondary_storage_url,
        backpressure=config.backpressure,
        flow_control=config.flow_control,
        disk=config.disk,
        log_servers=config.cluster_servers,
        replication_factor=config.replication_factor,
        authorizations=config.authorizations,
        multi_tenancy=config.multi_tenancy,
    )


SECONDARY_STORAGE_EXPORTER = "secondary-storage"
"""The id of the SQL exporter that fills the secondary storage (its position in exporters.json)."""


def _exporters(config: BrokerConfig) -> tuple[dict[str, Exporter], dict[str, dict[str, Any]]]:
    exporters: dict[str, Exporter] = {}
    settings: dict[str, dict[str, Any]] = {}
    url = config.secondary_storage_url
    if url is not None:
        from strom.search import SqlExporter

        exporters[SECONDARY_STORAGE_EXPORTER] = SqlExporter()
        settings[SECONDARY_STORAGE_EXPORTER] = {"url": url, "history_ttl_days": config.history_ttl_days}
    for exporter_id, exporter in config.exporters.items():
        factory = EXPORTER_TYPES.get(exporter.type)
        if factory is None:
            factory = _import_exporter(exporter_id, exporter.type)
        exporters[exporter_id] = factory()
        settings[exporter_id] = dict(exporter.settings)
    return exporters, settings


def _import_exporter(exporter_id: str, target: str) -> Callable[[], Exporter]:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ConfigError(
            f"exporters.{exporter_id}.type must be one of {', '.join(EXPORTER_TYPES)} or "
            f"'module:Class', got {target!r}"
        )
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"exporters.{exporter_id}.type: cannot load {target!r}: {error}") from None
    if not callable(factory):
        raise ConfigError(f"exporters.{exporter_id}.type: {target!r} is not a class")
    return factory
